"""Lexicons kept as data (`nlp/lexicons/*.yaml`): lemma patterns with negation states.

A pattern fires when all its items occur in one clause near its first item. Each lexicon
maps a name (a pain category, or a sentiment side) to `complaint`/`praise` (or
`positive`/`negative`) pattern lists; `Lexicon.scores` sums the weights of the patterns
that fire in a document. See the header of `pains.yaml` for the syntax.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nlp.document import Doc
from nlp.lemmas import NUMBER_LEMMA, lemma

LEXICON_DIR = Path(__file__).with_name("lexicons")
DEFAULT_WINDOW = 5


@dataclass(frozen=True, slots=True)
class Alternative:
    """Lemmas and prefixes that share one negation state (None: either)."""

    lemmas: frozenset[str]
    prefixes: tuple[str, ...]
    negated: bool | None

    def matches(self, lemma: str, negated: bool) -> bool:
        if self.negated is not None and self.negated != negated:
            return False
        return lemma in self.lemmas or any(lemma.startswith(p) for p in self.prefixes)


@dataclass(frozen=True, slots=True)
class Item:
    """One position of a pattern: alternatives, each with its own negation state."""

    alternatives: tuple[Alternative, ...]

    def matches(self, lemma: str, negated: bool) -> bool:
        return any(alt.matches(lemma, negated) for alt in self.alternatives)

    @property
    def lemmas(self) -> frozenset[str]:
        return frozenset().union(*(alt.lemmas for alt in self.alternatives))

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(p for alt in self.alternatives for p in alt.prefixes)


@dataclass(frozen=True, slots=True)
class Pattern:
    key: tuple[str, str]  # (name, side)
    items: tuple[Item, ...]
    weight: float
    window: int
    source: str


def parse_item(text: str, anchor: bool) -> Item:
    """`a|~b|?c*`: each alternative carries its own negation mark (see pains.yaml)."""
    groups: dict[bool | None, tuple[set[str], list[str]]] = {}
    for alt in text.split("|"):
        alt = alt.strip().lower().replace("ё", "е")
        negated: bool | None = False if anchor else None
        if alt.startswith("~"):
            negated, alt = True, alt[1:]
        elif alt.startswith("?"):
            negated, alt = None, alt[1:]
        lemmas, prefixes = groups.setdefault(negated, (set(), []))
        if alt == "<num>":
            lemmas.add(NUMBER_LEMMA)
        elif alt.endswith("*") and len(alt) > 1:
            prefixes.append(alt[:-1])
        elif alt:
            lemmas.add(alt)
            lemmas.add(lemma(alt))  # authors may write any form; texts are compared by lemma
    return Item(tuple(Alternative(frozenset(lem), tuple(pre), neg)
                      for neg, (lem, pre) in groups.items()))


def parse_pattern(key: tuple[str, str], spec: Any) -> Pattern:
    """A pattern from its YAML form: a string, or {p: string, w: weight, window: n}."""
    if isinstance(spec, dict):
        text, weight = str(spec["p"]), float(spec.get("w", 1.0))
        window = int(spec.get("window", DEFAULT_WINDOW))
    else:
        text, weight, window = str(spec), 1.0, DEFAULT_WINDOW
    parts = text.split()
    if not parts:
        raise ValueError(f"пустой шаблон в словаре {key}")
    items = tuple(parse_item(part, i == 0) for i, part in enumerate(parts))
    return Pattern(key, items, weight, window, text)


class Lexicon:
    """A compiled set of patterns, indexed by the lemmas their first item can match."""

    def __init__(self, patterns: Iterable[Pattern]):
        self.patterns = list(patterns)
        self.keys: list[tuple[str, str]] = sorted({p.key for p in self.patterns})
        self._by_lemma: dict[str, list[Pattern]] = {}
        self._prefixed = [p for p in self.patterns if p.items[0].prefixes]
        for pattern in self.patterns:
            for lem in pattern.items[0].lemmas:
                self._by_lemma.setdefault(lem, []).append(pattern)
        self._anchor_cache: dict[str, list[Pattern]] = {}

    @classmethod
    def from_yaml(cls, *paths: Path) -> Lexicon:
        patterns: list[Pattern] = []
        for path in paths:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            if "sentiment" in data:
                data = {"sentiment": data["sentiment"]}
            for name, sides in data.items():
                for side, specs in (sides or {}).items():
                    patterns.extend(parse_pattern((str(name), str(side)), spec) for spec in specs or [])
        return cls(patterns)

    def _anchored(self, lemma: str) -> list[Pattern]:
        found = self._anchor_cache.get(lemma)
        if found is None:
            found = list(self._by_lemma.get(lemma, ()))
            found += [p for p in self._prefixed if any(lemma.startswith(x) for x in p.items[0].prefixes)]
            self._anchor_cache[lemma] = found
        return found

    def fired(self, doc: Doc) -> set[Pattern]:
        """The patterns that occur in the document (each counted once)."""
        out: set[Pattern] = set()
        lemmas, negated, clauses = doc.lemmas, doc.negated, doc.clauses
        n = len(lemmas)
        for i in range(n):
            for pattern in self._anchored(lemmas[i]):
                if pattern in out or not pattern.items[0].matches(lemmas[i], negated[i]):
                    continue
                lo, hi = max(0, i - pattern.window), min(n, i + pattern.window + 1)
                if all(_near(item, i, lo, hi, lemmas, negated, clauses) for item in pattern.items[1:]):
                    out.add(pattern)
        return out

    def scores(self, doc: Doc) -> dict[tuple[str, str], float]:
        totals: dict[tuple[str, str], float] = {}
        for pattern in self.fired(doc):
            totals[pattern.key] = totals.get(pattern.key, 0.0) + pattern.weight
        return totals


def _near(item: Item, anchor: int, lo: int, hi: int, lemmas: list[str], negated: list[bool],
          clauses: list[int]) -> bool:
    clause = clauses[anchor]
    for j in range(lo, hi):
        if j != anchor and clauses[j] == clause and item.matches(lemmas[j], negated[j]):
            return True
    return False


@lru_cache(maxsize=1)
def pains() -> Lexicon:
    return Lexicon.from_yaml(LEXICON_DIR / "pains.yaml")


@lru_cache(maxsize=1)
def sentiment() -> Lexicon:
    return Lexicon.from_yaml(LEXICON_DIR / "sentiment.yaml")
