"""One analysed text: the token stream every other part (lexicon, features) reads.

Built once per text: normalise → razdel tokens → spelling fixes → cached lemmas →
negation scope → clause numbers. Punctuation tokens stay in the stream (they bound
clauses) with the punctuation itself as the lemma.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlp.lemmas import expand as expand_word
from nlp.lemmas import info
from nlp.negation import structure
from nlp.normalizer import emoji_balance, normalize
from nlp.tokens import Span, words
from nlp.units import units as unit_spans


@dataclass(slots=True)
class Doc:
    """Parallel lists over tokens, plus a few text-level facts."""

    forms: list[str]
    lemmas: list[str]
    negated: list[bool]
    clauses: list[int]
    is_word: list[bool]
    emoji_pos: int = 0
    emoji_neg: int = 0
    exclaims: int = 0
    russian: bool = False  # anything Russian to classify (emoji-only or English texts are not)

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
    forms: list[str] = []
    lemmas: list[str] = []
    is_word: list[bool] = []
    exclaims = 0
    russian = False
    cache = _CHUNKS
    for chunk in raw.split():
        parsed = cache.get(chunk)
        if parsed is None:
            parsed = _parse_chunk(chunk)
            if len(cache) >= CHUNK_CACHE_LIMIT:
                cache.clear()
            cache[chunk] = parsed
        forms.extend(parsed[0])
        lemmas.extend(parsed[1])
        is_word.extend(parsed[2])
        exclaims += parsed[3]
        russian = russian or parsed[4]
    negated, clauses = structure(lemmas)
    pos, neg = emoji_balance(raw) if emoji else (0, 0)
    return Doc(forms, lemmas, negated, clauses, is_word, pos, neg, exclaims, russian)


CHUNK_CACHE_LIMIT = 300_000
# forms, lemmas, is_word, «!» count, whether a word has Cyrillic letters
_Parsed = tuple[tuple[str, ...], tuple[str, ...], tuple[bool, ...], int, bool]
_CHUNKS: dict[str, _Parsed] = {}


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
    return tuple(forms), tuple(lemmas), tuple(is_word), clean.count("!"), russian


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
