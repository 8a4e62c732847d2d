"""The author's overall attitude: negative / positive / mixed / neutral.

The polarity model gives class probabilities from the text (and the star rating when there
is one); the pain categories found in the same text keep the answer consistent with the
taxonomy: a text with a complaint is never plain `positive` (clear praise plus a complaint
is `mixed`), and a complaint is never `neutral`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

POLARITIES = ("negative", "positive", "mixed", "neutral")
NEUTRAL = "neutral"


def decide(proba: np.ndarray, labels: Sequence[str], categories: Sequence[str]) -> str:
    order = [labels[i] for i in np.argsort(-proba)]
    best = order[0]
    if categories:
        if best == "positive":
            return "mixed"
        if best == NEUTRAL:
            return "negative"
    return best
