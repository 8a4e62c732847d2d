"""One analysed text: the token stream every other part (lexicon, features) reads.

Built once per text: normalise → razdel tokens → spelling fixes → cached lemmas →
negation scope → clause numbers. Punctuation tokens stay in the stream (they bound
clauses) with the punctuation itself as the lemma.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from operator import itemgetter

from nlp.lemmas import expand as expand_word
from nlp.lemmas import info, lemma_id
from nlp.negation import structure
from nlp.normalizer import emoji_balance, normalize
from nlp.tokens import Span, words
from nlp.units import units as unit_spans

CHUNK_CACHE_LIMIT = 300_000
# One chunk's analysis: forms, lemmas, is_word, «!» count, whether a word has Cyrillic
# letters, lemma ids, token count — read by position (`itemgetter`) on the hot path.
_Parsed = tuple[tuple[str, ...], tuple[str, ...], tuple[bool, ...], int, bool, tuple[int, ...], int]
FORMS, LEMMAS, IS_WORD, EXCLAIMS, RUSSIAN, IDS, N_TOKENS = range(7)
_GET_EXCLAIMS, _GET_RUSSIAN, _GET_N = itemgetter(EXCLAIMS), itemgetter(RUSSIAN), itemgetter(N_TOKENS)
_CHUNKS: dict[str, _Parsed] = {}


@dataclass(slots=True)
class Doc:
    """Parallel lists over tokens, plus a few text-level facts. `chunks` are the raw text's
    whitespace-separated pieces and `parsed` their cached analyses (forms, lemmas, word
    flags, lemma ids per token): feature extraction reads those for a whole batch at once;
    `forms`, `is_word` and `ids` spell them out per token for everyone else."""

    chunks: list[str]
    parsed: list[_Parsed]
    emoji_pos: int = 0
    emoji_neg: int = 0
    exclaims: int = 0
    russian: bool = False  # anything Russian to classify (emoji-only or English texts are not)
    _structure: tuple[list[str], list[bool], list[int]] | None = None

    def _worked_out(self) -> tuple[list[str], list[bool], list[int]]:
        if self._structure is None:
            lemmas = list(chain.from_iterable(map(itemgetter(LEMMAS), self.parsed)))
            self._structure = (lemmas, *structure(lemmas))
        return self._structure

    @property
    def lemmas(self) -> list[str]:
        return self._worked_out()[0]

    @property
    def negated(self) -> list[bool]:
        return self._worked_out()[1]

    @property
    def clauses(self) -> list[int]:
        return self._worked_out()[2]

    @property
    def n_tokens(self) -> int:
        return sum(map(_GET_N, self.parsed))

    @property
    def forms(self) -> list[str]:
        return list(chain.from_iterable(map(itemgetter(FORMS), self.parsed)))

    @property
    def is_word(self) -> list[bool]:
        return list(chain.from_iterable(map(itemgetter(IS_WORD), self.parsed)))

    @property
    def ids(self) -> list[int]:
        """`nlp.lemmas.lemma_id` of each lemma."""
        return list(chain.from_iterable(map(itemgetter(IDS), self.parsed)))

    @property
    def n_words(self) -> int:
        return sum(self.is_word)


def _has_cyrillic(form: str) -> bool:
    return any("а" <= ch <= "я" for ch in form)


def analyse(text: str | None, emoji: bool = True) -> Doc:
    """Normalisation, tokens, spelling fixes and lemmas all happen per whitespace-separated
    chunk of the raw text and are cached per chunk: no normalisation step crosses a space
    (a stray space before a comma, a missing one after a full stop, repeated letters, Latin
    look-alikes), so the token stream is the same as normalising the whole text first.
    Negation scope and clauses are worked out when first asked for (feature extraction does
    it for a whole batch at once, `nlp.negation.Vectorised`)."""
    raw = text or ""
    get = _CHUNKS.get
    chunks = raw.split()
    parsed = [get(chunk) or _remember(chunk) for chunk in chunks]
    pos, neg = emoji_balance(raw) if emoji else (0, 0)
    return Doc(chunks, parsed, pos, neg, sum(map(_GET_EXCLAIMS, parsed)), any(map(_GET_RUSSIAN, parsed)))


def chunk_analysis(chunk: str) -> _Parsed:
    """The cached analysis of one raw chunk (worked out on a miss)."""
    return _CHUNKS.get(chunk) or _remember(chunk)


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
            tuple(lemma_id(lem) for lem in lemmas), len(lemmas))


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
