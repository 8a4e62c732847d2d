"""The demo's pool of hand-written feedback texts (`texts.jsonl`), and picking from it."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

POOL_FILE = Path(__file__).with_name("texts.jsonl")
FALLBACK_CHANNELS = {
    "yandex": ("yandex", "survey", "vashkontrol", "terminal"),
    "pos": ("pos", "yandex"),
    "survey": ("survey", "vashkontrol", "terminal", "yandex"),
    "terminal": ("terminal", "survey", "vashkontrol"),
    "vashkontrol": ("vashkontrol", "survey", "terminal"),
}


def load_pool(path: Path = POOL_FILE) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _polarity_fits(entry: dict[str, Any], rating: int | None) -> bool:
    """Without a rating (ПОС) any text fits; otherwise the text's tone must match it."""
    if rating is None:
        return True
    polarity = entry["polarity"]
    if rating >= 4:
        return polarity in ("positive", "neutral") or (rating == 4 and polarity == "mixed")
    if rating == 3:
        return polarity in ("mixed", "neutral", "negative")
    return polarity in ("negative", "mixed") if rating == 2 else polarity == "negative"


@dataclass
class TextPicker:
    """Picks texts for an office, channel and rating, using each text once before repeating."""

    pool: list[dict[str, Any]]
    rng: random.Random

    def __post_init__(self) -> None:
        self._used: set[str] = set()

    def pick(self, office: str, channel: str, rating: int | None) -> dict[str, Any] | None:
        for allowed in FALLBACK_CHANNELS[channel]:
            candidates = [
                e for e in self.pool
                if e["office"] == office and e["channel"] == allowed and _fits(e, rating)
            ]
            if not candidates:
                continue
            fresh = [e for e in candidates if e["id"] not in self._used]
            choice = self.rng.choice(fresh or candidates)
            self._used.add(choice["id"])
            return choice
        return None


def _fits(entry: dict[str, Any], rating: int | None) -> bool:
    if entry.get("rating") is not None and rating is not None and abs(entry["rating"] - rating) > 1:
        return False
    return _polarity_fits(entry, rating)
