"""One analysed text: the token stream every other part (lexicon, features) reads.

Built once per text: normalise → razdel tokens → spelling fixes → cached lemmas →
negation scope → clause numbers. Punctuation tokens stay in the stream (they bound
clauses) with the punctuation itself as the lemma.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlp.lemmas import expand as expand_word
from nlp.lemmas import info
from nlp.negation import is_boundary, scope
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

    @property
    def n_words(self) -> int:
        return sum(self.is_word)

    @property
    def russian(self) -> bool:
        """Whether there is anything Russian to classify (emoji-only or English texts are not)."""
        return any(w and _has_cyrillic(f) for f, w in zip(self.forms, self.is_word, strict=True))


def _has_cyrillic(form: str) -> bool:
    return any("а" <= ch <= "я" for ch in form)


def analyse(text: str | None) -> Doc:
    raw = text or ""
    pos, neg = emoji_balance(raw)
    clean = normalize(raw)
    forms: list[str] = []
    lemmas: list[str] = []
    is_word: list[bool] = []
    cache = _CHUNKS
    for chunk in clean.lower().split():
        parsed = cache.get(chunk)
        if parsed is None:
            parsed = _parse_chunk(chunk)
            if len(cache) >= CHUNK_CACHE_LIMIT:
                cache.clear()
            cache[chunk] = parsed
        forms.extend(parsed[0])
        lemmas.extend(parsed[1])
        is_word.extend(parsed[2])
    clauses = _clauses(lemmas)
    return Doc(forms, lemmas, scope(lemmas), clauses, is_word, pos, neg, clean.count("!"))


CHUNK_CACHE_LIMIT = 300_000
_Parsed = tuple[tuple[str, ...], tuple[str, ...], tuple[bool, ...]]
_CHUNKS: dict[str, _Parsed] = {}


def _parse_chunk(chunk: str) -> _Parsed:
    """Tokens, spelling fixes and lemmas of one whitespace-free chunk («очереди,»): chunks
    repeat across texts, so each is worked out once per process."""
    forms: list[str] = []
    lemmas: list[str] = []
    is_word: list[bool] = []
    for token in words(chunk):
        for form in expand_word(token):
            word = info(form)
            forms.append(form)
            lemmas.append(word.lemma)
            is_word.append(word.pos is not None or form[0].isalnum())
    return tuple(forms), tuple(lemmas), tuple(is_word)


def _clauses(lemmas: list[str]) -> list[int]:
    out: list[int] = []
    current = 0
    for lem in lemmas:
        if is_boundary(lem):
            current += 1
            out.append(current)
            current += 1
        else:
            out.append(current)
    return out


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
    docs = [analyse(s.text) for s in spans]
    pos, neg = emoji_balance(raw)
    return Text(spans, docs, pos, neg, sum(d.exclaims for d in docs))
