"""Lexicons kept as data (`nlp/lexicons/*.yaml`): lemma patterns with negation states.

A pattern fires when all its items occur in one clause near its first item. Each lexicon
maps a name (a pain category, or a sentiment side) to `complaint`/`praise` (or
`positive`/`negative`) pattern lists; `Lexicon.scores` sums the weights of the patterns
that fire in a document. See the header of `pains.yaml` for the syntax.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from nlp.document import Doc
from nlp.lemmas import NUMBER_LEMMA, lemma

LEXICON_DIR = Path(__file__).with_name("lexicons")
DEFAULT_WINDOW = 5


NOT_NEGATED, NEGATED, EITHER = 1, 2, 3


class Item:
    """One position of a pattern: alternatives, each with its own negation state.

    Compiled to a table lemma → bit mask (1: allowed when not negated, 2: when negated),
    with prefix alternatives resolved lazily per lemma and cached, so matching a token is
    one dictionary lookup.
    """

    __slots__ = ("_cache", "keys", "prefix_bits", "table")

    def __init__(self, table: dict[str, int], prefix_bits: tuple[tuple[str, int], ...]):
        self.table = table
        self.prefix_bits = prefix_bits
        self.keys = frozenset(table)
        self._cache: dict[str, int] = {}

    def absent(self, lemmas: AbstractSet[str]) -> bool:
        """True when no lemma of the document can match (prefix items cannot tell cheaply)."""
        return not self.prefix_bits and self.keys.isdisjoint(lemmas)

    def mask(self, lemma: str) -> int:
        found = self._cache.get(lemma)
        if found is None:
            found = self.table.get(lemma, 0)
            for prefix, bits in self.prefix_bits:
                if lemma.startswith(prefix):
                    found |= bits
            self._cache[lemma] = found
        return found

    def matches(self, lemma: str, negated: bool) -> bool:
        return bool(self.mask(lemma) & (NEGATED if negated else NOT_NEGATED))

    @property
    def lemmas(self) -> frozenset[str]:
        return self.keys

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(prefix for prefix, _ in self.prefix_bits)


@dataclass(frozen=True, slots=True, eq=False)
class Pattern:
    key: tuple[str, str]  # (name, side)
    items: tuple[Item, ...]
    weight: float
    window: int
    source: str


def parse_item(text: str, anchor: bool) -> Item:
    """`a|~b|?c*`: each alternative carries its own negation mark (see pains.yaml)."""
    table: dict[str, int] = {}
    prefixes: list[tuple[str, int]] = []
    for alt in text.split("|"):
        alt = alt.strip().lower().replace("ё", "е")
        bits = NOT_NEGATED if anchor else EITHER
        if alt.startswith("~"):
            bits, alt = NEGATED, alt[1:]
        elif alt.startswith("?"):
            bits, alt = EITHER, alt[1:]
        if alt == "<num>":
            table[NUMBER_LEMMA] = table.get(NUMBER_LEMMA, 0) | bits
        elif alt.endswith("*") and len(alt) > 1:
            prefixes.append((alt[:-1], bits))
        elif alt:
            for form in {alt, lemma(alt)}:  # authors may write any form; texts are compared by lemma
                table[form] = table.get(form, 0) | bits
    return Item(table, tuple(prefixes))


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
        self._by_lemma: dict[str, list[int]] = {}
        self._prefixed = [i for i, p in enumerate(self.patterns) if p.items[0].prefixes]
        for i, pattern in enumerate(self.patterns):
            for lem in pattern.items[0].table:
                self._by_lemma.setdefault(lem, []).append(i)
        self._anchor_cache: dict[str, list[int]] = {}

    @classmethod
    def from_yaml(cls, *paths: Path) -> Lexicon:
        patterns: list[Pattern] = []
        for path in paths:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
            for name, sides in data.items():
                for side, specs in (sides or {}).items():
                    patterns.extend(parse_pattern((str(name), str(side)), spec) for spec in specs or [])
        return cls(patterns)

    def __add__(self, other: Lexicon) -> Lexicon:
        return Lexicon(self.patterns + other.patterns)

    def _anchored(self, lemma: str) -> list[int]:
        found = self._anchor_cache.get(lemma)
        if found is None:
            found = list(self._by_lemma.get(lemma, ()))
            found += [i for i in self._prefixed if self.patterns[i].items[0].mask(lemma) and i not in found]
            self._anchor_cache[lemma] = sorted(found)
        return found

    def fired(self, doc: Doc) -> list[Pattern]:
        """The patterns that occur in the document (each counted once).

        Work per distinct lemma, not per token: collect the candidate patterns anchored by
        the document's lemmas with their anchor positions, drop those with an item no word
        of the document can match (set operations), and only then check positions.
        """
        lemmas, clauses = doc.lemmas, doc.clauses
        bits = [NEGATED if neg else NOT_NEGATED for neg in doc.negated]
        n = len(lemmas)
        positions: dict[str, list[int]] = {}
        for i, lem in enumerate(lemmas):
            positions.setdefault(lem, []).append(i)
        present = positions.keys()
        candidates: dict[int, list[int]] = {}
        for lem, where in positions.items():
            for k in self._anchored(lem):
                candidates.setdefault(k, []).extend(where)
        patterns = self.patterns
        hit: list[int] = []
        for k, where in candidates.items():
            pattern = patterns[k]
            first, rest = pattern.items[0], pattern.items[1:]
            if rest and any(item.absent(present) for item in rest):
                continue
            for i in where:
                if not first.mask(lemmas[i]) & bits[i]:
                    continue
                if rest:
                    lo, hi = max(0, i - pattern.window), min(n, i + pattern.window + 1)
                    clause = clauses[i]
                    if not all(_near(item, i, lo, hi, lemmas, bits, clauses, clause) for item in rest):
                        continue
                hit.append(k)
                break
        return [patterns[k] for k in sorted(hit)]

    def scores(self, doc: Doc) -> dict[tuple[str, str], float]:
        totals: dict[tuple[str, str], float] = {}
        for pattern in self.fired(doc):
            totals[pattern.key] = totals.get(pattern.key, 0.0) + pattern.weight
        return totals


def _near(item: Item, anchor: int, lo: int, hi: int, lemmas: list[str], bits: list[int],
          clauses: list[int], clause: int) -> bool:
    return any(j != anchor and clauses[j] == clause and item.mask(lemmas[j]) & bits[j] for j in range(lo, hi))


@lru_cache(maxsize=1)
def pains() -> Lexicon:
    return Lexicon.from_yaml(LEXICON_DIR / "pains.yaml")


@lru_cache(maxsize=1)
def sentiment() -> Lexicon:
    return Lexicon.from_yaml(LEXICON_DIR / "sentiment.yaml")


@lru_cache(maxsize=1)
def combined() -> Lexicon:
    """Pains and sentiment in one index: one pass over a document for both."""
    return pains() + sentiment()
