"""The author's overall attitude: negative / positive / mixed / neutral.

The polarity model (multinomial, over the same features as the categories plus the star
rating, emoji and exclamation marks) decides alone. Forcing agreement with the predicted
categories («a complaint is never positive») was tried and dropped: category mistakes then
spill into polarity, and cross-author accuracy fell from 0.919 to 0.888 (0.914 even when only
categories above 0.95 were trusted). A text with nothing Russian in it is neutral.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

POLARITIES = ("negative", "positive", "mixed", "neutral")
NEUTRAL = "neutral"


def decide(proba: np.ndarray, labels: Sequence[str]) -> str:
    return labels[int(np.argmax(proba))]
