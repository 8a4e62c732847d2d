"""Lemmas and grammatical hints from pymorphy3, behind a cache.

A region's history repeats the same few thousand word forms millions of times, so each
distinct form is parsed once per process. Unknown merged words («неработает») are split
into dictionary words here, because the spelling list cannot foresee them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from nlp.normalizer import spelling

CACHE_LIMIT = 500_000
_CYRILLIC_WORD = re.compile(r"^[а-яе][а-яе-]*$")
_NUMBER = re.compile(r"^\d+([.,:]\d+)*$")
NUMBER_LEMMA = "<num>"
NAME_TAGS = ("Name", "Surn", "Patr")


@dataclass(frozen=True, slots=True)
class WordInfo:
    """What the rest of the package needs to know about one lower-cased word form."""

    lemma: str
    pos: str | None
    known: bool
    name_tags: frozenset[str]
    name_score: float
    place: bool = False


@lru_cache(maxsize=1)
def morph() -> Any:
    import pymorphy3

    return pymorphy3.MorphAnalyzer()


_CACHE: dict[str, WordInfo] = {}


def info(word: str) -> WordInfo:
    """Parse a lower-cased word form (cached)."""
    found = _CACHE.get(word)
    if found is None:
        if len(_CACHE) >= CACHE_LIMIT:
            _CACHE.clear()
        found = _CACHE[word] = _parse(word)
    return found


def _parse(word: str) -> WordInfo:
    if _NUMBER.match(word):
        return WordInfo(NUMBER_LEMMA, "NUMB", True, frozenset(), 0.0)
    if not _CYRILLIC_WORD.match(word):
        return WordInfo(word, None, False, frozenset(), 0.0)
    analyzer = morph()
    parses = analyzer.parse(word)
    best = parses[0]
    tags: set[str] = set()
    score = 0.0
    place = False
    for parse in parses:
        grammemes = parse.tag.grammemes
        place = place or ("Geox" in grammemes and parse.score >= 0.1)
        hit = _NAME_TAG_SET & grammemes
        if hit:
            tags |= hit
            score += parse.score
    return WordInfo(best.normal_form.replace("ё", "е"), best.tag.POS, analyzer.word_is_known(word),
                    frozenset(tags), score, place)


_NAME_TAG_SET = frozenset(NAME_TAGS)


def lemma(word: str) -> str:
    return info(word).lemma


_IDS: dict[str, int] = {}


def lemma_id(lemma: str) -> int:
    """A small integer standing for a lemma in this process (features are computed on
    arrays of these rather than on strings)."""
    found = _IDS.get(lemma)
    if found is None:
        found = _IDS[lemma] = len(_IDS)
    return found


_SPLITS: dict[str, list[str]] = {}
_SPLIT_PREFIXES = ("не", "ни")


def expand(word: str) -> list[str]:
    """Lower-cased forms a typed token stands for: spelling fixes, then merged «не»+word."""
    found = _SPLITS.get(word)
    if found is not None:
        return found
    fixed = spelling().get(word)
    if fixed is not None:
        result = fixed.split()
    elif len(word) > 5 and word[:2] in _SPLIT_PREFIXES and _CYRILLIC_WORD.match(word) \
            and not info(word).known and info(word[2:]).known and info(word[2:]).pos in _VERBISH:
        result = [word[:2], word[2:]]
    else:
        result = [word]
    if len(_SPLITS) >= CACHE_LIMIT:
        _SPLITS.clear()
    _SPLITS[word] = result
    return result


_VERBISH = {"VERB", "INFN", "PRTF", "PRTS", "GRND", "ADJS", "PRED"}
