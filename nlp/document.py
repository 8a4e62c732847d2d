"""One analysed text: the token stream every other part (lexicon, features) reads.

Built once per text: normalise → razdel tokens → spelling fixes → cached lemmas →
negation scope → clause numbers. Punctuation tokens stay in the stream (they bound
clauses) with the punctuation itself as the lemma.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

from nlp.lemmas import expand as expand_word
from nlp.lemmas import info, lemma_id
from nlp.negation import structure
from nlp.normalizer import emoji_balance, normalize
from nlp.tokens import Span, words
from nlp.units import units as unit_spans

CHUNK_CACHE_LIMIT = 300_000
# forms, lemmas, is_word, «!» count, whether a word has Cyrillic letters, lemma ids
_Parsed = tuple[tuple[str, ...], tuple[str, ...], tuple[bool, ...], int, bool, tuple[int, ...]]
_CHUNKS: dict[str, _Parsed] = {}


@dataclass(slots=True)
class Doc:
    """Parallel lists over tokens, plus a few text-level facts. `chunks` are the raw text's
    whitespace-separated pieces and `parsed` their cached analyses (forms, lemmas, word
    flags, lemma ids per token): feature extraction reads those for a whole batch at once;
    `forms`, `is_word` and `ids` spell them out per token for everyone else."""

    chunks: list[str]
    parsed: list[_Parsed]
    lemmas: list[str]
    negated: list[bool]
    clauses: list[int]
    emoji_pos: int = 0
    emoji_neg: int = 0
    exclaims: int = 0
    russian: bool = False  # anything Russian to classify (emoji-only or English texts are not)

    @property
    def forms(self) -> list[str]:
        return list(chain.from_iterable(p[0] for p in self.parsed))

    @property
    def is_word(self) -> list[bool]:
        return list(chain.from_iterable(p[2] for p in self.parsed))

    @property
    def ids(self) -> list[int]:
        """`nlp.lemmas.lemma_id` of each lemma."""
        return list(chain.from_iterable(p[5] for p in self.parsed))

    @property
    def n_words(self) -> int:
        return sum(self.is_word)


def _has_cyrillic(form: str) -> bool:
    return any("а" <= ch <= "я" for ch in form)


def analyse(text: str | None, emoji: bool = True) -> Doc:
    """Normalisation, tokens, spelling fixes and lemmas all happen per whitespace-separated
    chunk of the raw text and are cached per chunk: no normalisation step crosses a space
    (a stray space before a comma, a missing one after a full stop, repeated letters, Latin
    look-alikes), so the token stream is the same as normalising the whole text first."""
    raw = text or ""
    get = _CHUNKS.get
    chunks = raw.split()
    parsed = [get(chunk) or _remember(chunk) for chunk in chunks]
    lemmas = list(chain.from_iterable(p[1] for p in parsed))
    negated, clauses = structure(lemmas)
    pos, neg = emoji_balance(raw) if emoji else (0, 0)
    return Doc(chunks, parsed, lemmas, negated, clauses, pos, neg, sum(p[3] for p in parsed),
               any(p[4] for p in parsed))


def _remember(chunk: str) -> _Parsed:
    if len(_CHUNKS) >= CHUNK_CACHE_LIMIT:
        _CHUNKS.clear()
    parsed = _CHUNKS[chunk] = _parse_chunk(chunk)
    return parsed





def _parse_chunk(chunk: str) -> _Parsed:
    """Tokens, spelling fixes and lemmas of one whitespace-free chunk («очереди,»): chunks
    repeat across texts, so each is worked out once per process."""
    forms: list[str] = []
    lemmas: list[str] = []
    is_word: list[bool] = []
    clean = normalize(chunk)
    for token in words(clean.lower()):
        for form in expand_word(token):
            word = info(form)
            forms.append(form)
            lemmas.append(word.lemma)
            is_word.append(word.pos is not None or form[0].isalnum())
    russian = any(w and _has_cyrillic(f) for f, w in zip(forms, is_word, strict=True))
    return (tuple(forms), tuple(lemmas), tuple(is_word), clean.count("!"), russian,
            tuple(lemma_id(lem) for lem in lemmas))


@dataclass(slots=True)
class Text:
    """A raw text read unit by unit: the sentence spans (offsets into the raw text) and the
    analysed Doc of each, plus the text-level facts the polarity model uses."""

    units: list[Span]
    docs: list[Doc]
    emoji_pos: int = 0
    emoji_neg: int = 0
    exclaims: int = 0

    @property
    def russian(self) -> bool:
        return any(d.russian for d in self.docs)


def read(text: str | None) -> Text:
    """Split into units and analyse each (emoji counted once over the whole text)."""
    raw = text or ""
    spans = unit_spans(raw)
    docs = [analyse(s.text, emoji=False) for s in spans]
    pos, neg = emoji_balance(raw)
    return Text(spans, docs, pos, neg, sum(d.exclaims for d in docs))
