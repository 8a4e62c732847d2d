"""Features of an analysed text for the linear models.

Three blocks, each L2-normalised on its own so that none drowns the others:
- words: lemmas, with negated ones marked (`~очередь`), and lemma bigrams inside a clause,
  TF-IDF weighted (sublinear tf);
- chars: character 3–5-grams of word forms, TF-IDF weighted, for typos and unseen forms;
- lexicon: the summed pattern weights per (category, side) and sentiment side, capped.
The polarity model also sees the star rating and emoji counts.

Word forms repeat across texts, so the column indices of a form's char n-grams are cached:
vectorising a batch is mostly array concatenation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain
from operator import itemgetter

import numpy as np
import scipy.sparse as sp

from nlp.document import IDS, IS_WORD, Doc, Text, chunk_analysis
from nlp.lemmas import lemma_id
from nlp.lexicon import Lexicon
from nlp.negation import Vectorised

CHAR_NGRAMS = (3, 4, 5)
LEXICON_CAP = 3.0
RATING_SLOTS = 6  # 1..5 and "no rating"


def word_terms(doc: Doc) -> list[str]:
    """Lemma unigrams (negation-marked) and in-clause bigrams."""
    terms: list[str] = []
    prev: str | None = None
    prev_clause = -1
    for lem, neg, is_word, clause in zip(doc.lemmas, doc.negated, doc.is_word, doc.clauses, strict=True):
        if not is_word:
            if lem in ("!", "?"):
                terms.append(lem)
            prev = None
            continue
        term = "~" + lem if neg else lem
        terms.append(term)
        if prev is not None and clause == prev_clause:
            terms.append(prev + " " + term)
        prev, prev_clause = term, clause
    return terms


def char_terms(form: str) -> list[str]:
    if len(form) < 3 or not form[0].isalpha():
        return []
    padded = f"<{form}>"
    return [padded[i:i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1)]


def doc_forms(doc: Doc) -> list[str]:
    return [f for f, w in zip(doc.forms, doc.is_word, strict=True) if w]


@dataclass
class Block:
    """A fitted TF-IDF vocabulary: term → column, and the idf of each column."""

    vocabulary: dict[str, int]
    idf: np.ndarray

    @classmethod
    def fit(cls, docs_terms: Sequence[Iterable[str]], min_df: int) -> Block:
        df: dict[str, int] = {}
        for terms in docs_terms:
            for term in set(terms):
                df[term] = df.get(term, 0) + 1
        kept = sorted(t for t, c in df.items() if c >= min_df)
        n = len(docs_terms)
        idf = np.array([np.log((1 + n) / (1 + df[t])) + 1.0 for t in kept], dtype=np.float32)
        return cls({t: i for i, t in enumerate(kept)}, idf)

    @property
    def size(self) -> int:
        return len(self.idf)

    def indices(self, terms: Iterable[str]) -> list[int]:
        vocab = self.vocabulary
        return [vocab[t] for t in terms if t in vocab]

    def counts(self, rows: np.ndarray, cols: np.ndarray, n_rows: int) -> sp.csr_matrix:
        """Term counts from (row, column) pairs, one pair per occurrence."""
        m = sp.csr_matrix((np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(n_rows, self.size))
        m.sum_duplicates()
        return m

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """Counts → sublinear TF-IDF, L2-normalised rows."""
        m = counts.copy()
        m.data = (1.0 + np.log(m.data)) * self.idf[m.indices]
        return _l2_rows(m)


# Word terms as integers: a unigram is 2·lemma id (+1 when negated); a bigram packs its two
# unigrams under a flag bit. Vocabulary strings are turned into the same keys once per model.
_BIGRAM = 1 << 62
_PUNCT_TERMS = ("!", "?")


def _unigram_key(term: str) -> int:
    negated = term.startswith("~")
    return 2 * lemma_id(term[1:] if negated else term) + int(negated)


def term_key(term: str) -> int:
    first, space, second = term.partition(" ")
    if space:
        return _BIGRAM | (_unigram_key(first) << 31) | _unigram_key(second)
    return _unigram_key(term)


@dataclass
class KeyTable:
    """A word vocabulary as sorted integer keys and their columns, for vectorised lookups."""

    keys: np.ndarray
    cols: np.ndarray

    @classmethod
    def of(cls, block: Block) -> KeyTable:
        pairs = sorted((term_key(t), c) for t, c in block.vocabulary.items())
        return cls(np.array([k for k, _ in pairs], dtype=np.int64), np.array([c for _, c in pairs], np.int32))

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(positions in `keys` that are in the vocabulary, their columns)."""
        if not len(self.keys) or not len(keys):
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        pos = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        hit = np.flatnonzero(self.keys[pos] == keys)
        return hit, self.cols[pos[hit]]


@lru_cache(maxsize=1)
def _structure() -> Vectorised:
    return Vectorised()


def word_keys(docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
    """(unit index, term key) of every word term of the units: the vectorised `word_terms`."""
    lengths = [d.n_tokens for d in docs]
    n = sum(lengths)
    chunks = [p for d in docs for p in d.parsed]
    ids = np.fromiter(chain.from_iterable(map(itemgetter(IDS), chunks)), np.int64, n)
    word = np.fromiter(chain.from_iterable(map(itemgetter(IS_WORD), chunks)), bool, n)
    unit = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
    negated, clause = _structure()(ids, unit)
    uni = ids * 2 + negated
    punct = np.isin(ids, [lemma_id(p) for p in _PUNCT_TERMS])
    keep = word | punct
    pair = word[1:] & word[:-1] & (clause[1:] == clause[:-1]) & (unit[1:] == unit[:-1])
    bigrams = _BIGRAM | (uni[:-1][pair] << 31) | uni[1:][pair]
    return (np.concatenate([unit[keep], unit[1:][pair]]), np.concatenate([uni[keep], bigrams]))


def _l2_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    m.data /= np.repeat(norms, np.diff(m.indptr)).astype(m.data.dtype)
    return m


class ChunkChars(dict[str, np.ndarray]):
    """Raw chunk → char n-gram columns of its word forms, filled on a miss from the chunk's
    cached analysis (`nlp.document`): one C-level lookup per chunk on the hot path."""

    space: FeatureSpace | None = None

    def __missing__(self, chunk: str) -> np.ndarray:
        parsed = chunk_analysis(chunk)
        forms: list[str] = [f for f, w in zip(parsed[0], parsed[2], strict=True) if w]
        assert self.space is not None
        row = self[chunk] = self.space._char_row(forms)
        return row


@dataclass
class FeatureSpace:
    """Fitted vocabularies and block weights; turns Docs into one sparse matrix."""

    words: Block
    chars: Block
    lexicon_keys: list[tuple[str, str]]
    weights: dict[str, float]
    _char_cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    _chunk_cache: ChunkChars = field(default_factory=lambda: ChunkChars(), repr=False)
    _keys: KeyTable | None = field(default=None, repr=False)

    @classmethod
    def fit(cls, docs: Sequence[Doc], lexicons: Sequence[Lexicon], weights: dict[str, float],
            min_df_words: int = 2, min_df_chars: int = 3) -> FeatureSpace:
        words = Block.fit([word_terms(d) for d in docs], min_df_words)
        chars = Block.fit([[g for f in doc_forms(d) for g in char_terms(f)] for d in docs], min_df_chars)
        keys = sorted({k for lex in lexicons for k in lex.keys})
        return cls(words, chars, keys, dict(weights))

    @property
    def size(self) -> int:
        return self.words.size + self.chars.size + len(self.lexicon_keys)

    def _char_row(self, forms: list[str]) -> np.ndarray:
        cache = self._char_cache
        parts = []
        for form in forms:
            idx = cache.get(form)
            if idx is None:
                if len(cache) > 300_000:
                    cache.clear()
                idx = cache[form] = np.array(self.chars.indices(char_terms(form)), dtype=np.int32)
            parts.append(idx)
        return np.concatenate(parts) if parts else np.zeros(0, np.int32)

    def _chunk_chars(self, docs: Sequence[Doc]) -> tuple[np.ndarray, np.ndarray]:
        """(unit index, column) of the char n-grams of every word form of the units; the
        columns of a raw chunk are cached (a chunk always parses to the same forms)."""
        cache = self._chunk_cache
        if cache.space is None:
            cache.space = self
        if len(cache) > 300_000:
            cache.clear()
        arrays = [cache[c] for d in docs for c in d.chunks]
        if not arrays:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        sizes = np.fromiter(map(len, arrays), np.int64, len(arrays))
        chunk_unit = np.repeat(np.arange(len(docs)), [len(d.chunks) for d in docs])
        return np.repeat(chunk_unit, sizes), np.concatenate(arrays)


    def _word_table(self) -> KeyTable:
        if self._keys is None:
            self._keys = KeyTable.of(self.words)
        return self._keys

    def transform_texts(self, texts: Sequence[Sequence[Doc]],
                        lexicon: Sequence[Sequence[dict[tuple[str, str], float]]] | None = None
                        ) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
        """Unit rows and text rows in one pass: a batch's units are encoded together as
        arrays; a text's term counts are the sum of its units' (so TF-IDF sees the whole
        text). Returns the unit matrix, the text matrix and `bounds` (text i owns unit rows
        bounds[i]:bounds[i+1])."""
        docs = [d for units in texts for d in units]
        bounds = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum([len(u) for u in texts], out=bounds[1:])
        n_units = len(docs)
        rows, keys = word_keys(docs)
        hit, cols = self._word_table().lookup(keys)
        word_counts = self.words.counts(rows[hit], cols, n_units)
        char_counts = self.chars.counts(*self._chunk_chars(docs), n_units)
        owner = sp.csr_matrix((np.ones(n_units, np.float32), np.arange(n_units), bounds),
                              shape=(len(texts), n_units))
        lex_units: list[dict[tuple[str, str], float]] = []
        lex_texts: list[dict[tuple[str, str], float]] = []
        if lexicon is not None:
            for per_unit in lexicon:
                lex_units.extend(per_unit)
                total: dict[tuple[str, str], float] = {}
                for scores in per_unit:
                    for key, value in scores.items():
                        total[key] = total.get(key, 0.0) + value
                lex_texts.append(total)
        else:
            lex_units, lex_texts = [{}] * n_units, [{}] * len(texts)
        return (self._stack(word_counts, char_counts, lex_units),
                self._stack(owner @ word_counts, owner @ char_counts, lex_texts), bounds)

    def _stack(self, word_counts: sp.csr_matrix, char_counts: sp.csr_matrix,
               lex: Sequence[dict[tuple[str, str], float]]) -> sp.csr_matrix:
        blocks = [self.words.weigh(word_counts) * self.weights["words"],
                  self.chars.weigh(char_counts) * self.weights["chars"]]
        if self.lexicon_keys:
            blocks.append(self._lexicon_matrix(lex) * self.weights.get("lexicon", 0.0))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _lexicon_matrix(self, scores: Sequence[dict[tuple[str, str], float]]) -> sp.csr_matrix:
        dense = np.zeros((len(scores), len(self.lexicon_keys)), dtype=np.float32)
        col = {k: i for i, k in enumerate(self.lexicon_keys)}
        for r, row in enumerate(scores):
            for key, value in row.items():
                c = col.get(key)
                if c is not None:
                    dense[r, c] = min(value, LEXICON_CAP) / LEXICON_CAP
        return sp.csr_matrix(dense)


def polarity_extras(texts: Sequence[Text], ratings: Sequence[float | None],
                    pooled: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Star rating one-hot (or "none"), emoji and exclamation counts, the text's pooled
    category probabilities (a complaint pulls towards negative or mixed) and its units'
    praise and complaint (`nlp.model.unit_summary`), for polarity."""
    out = np.zeros((len(texts), RATING_SLOTS + 3 + pooled.shape[1] + units.shape[1]), dtype=np.float32)
    for r, (text, rating) in enumerate(zip(texts, ratings, strict=True)):
        if rating is None:
            out[r, RATING_SLOTS - 1] = 1.0
        else:
            out[r, min(4, max(0, round(float(rating)) - 1))] = 1.0
        out[r, RATING_SLOTS] = min(text.emoji_pos, 3) / 3
        out[r, RATING_SLOTS + 1] = min(text.emoji_neg, 3) / 3
        out[r, RATING_SLOTS + 2] = min(text.exclaims, 3) / 3
    out[:, RATING_SLOTS + 3:RATING_SLOTS + 3 + pooled.shape[1]] = pooled
    out[:, RATING_SLOTS + 3 + pooled.shape[1]:] = units
    return out
