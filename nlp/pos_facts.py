"""ПОС's own classification of a message («Категория / Подкатегория / Факт») → pain codes,
for messages that come without text (`nlp/lexicons/pos_categories.yaml`, rules as data).

`codes_for` returns None for values no rule covers, so the nightly summary can list them
for the table to grow."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from vocabulary.categories import CATEGORIES

TABLE = Path(__file__).with_name("lexicons") / "pos_categories.yaml"
FIELDS = ("category", "subcategory", "fact")
FIELD_NAMES = {"category": "Категория", "subcategory": "Подкатегория", "fact": "Факт"}


def _fold(value: object) -> str:
    return str(value or "").lower().replace("ё", "е").strip()


@dataclass(frozen=True)
class Rule:
    fragments: dict[str, tuple[str, ...]]
    excluded: dict[str, tuple[str, ...]]
    codes: tuple[str, ...]

    def matches(self, values: Mapping[str, str]) -> bool:
        for name, parts in self.fragments.items():
            if not any(p in values[name] for p in parts):
                return False
        return not any(any(p in values[name] for p in parts) for name, parts in self.excluded.items())


@lru_cache(maxsize=4)
def rules(path: Path = TABLE) -> tuple[Rule, ...]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for number, raw in enumerate(data["rules"], start=1):
        codes = tuple(raw.get("codes") or ())
        unknown = [c for c in codes if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"{path}, правило {number}: неизвестные коды {', '.join(unknown)}")
        fragments = {f: tuple(_fold(p) for p in raw[f]) for f in FIELDS if f in raw}
        excluded = {f: tuple(_fold(p) for p in raw[f + "_not"]) for f in FIELDS if f + "_not" in raw}
        if not fragments:
            raise ValueError(f"{path}, правило {number}: не задано ни одно поле "
                             "(category, subcategory, fact)")
        out.append(Rule(fragments, excluded, codes))
    return tuple(out)


def has_classification(extra: Mapping[str, Any] | None) -> bool:
    return bool(extra) and any(extra.get(f) for f in FIELDS)  # type: ignore[union-attr]


def codes_for(extra: Mapping[str, Any]) -> tuple[str, ...] | None:
    """Pain codes of a message by its ПОС classification; None when no rule covers it."""
    values = {f: _fold(extra.get(f)) for f in FIELDS}
    for rule in rules():
        if rule.matches(values):
            return rule.codes
    return None


def label(extra: Mapping[str, Any]) -> str:
    """«Категория / Подкатегория / Факт» as written in the export (for evidence and summaries)."""
    return " / ".join(str(extra.get(f) or "—") for f in FIELDS)
