"""Score lists with an exact mean and the J-shaped spread of real ratings."""

from __future__ import annotations

import math
import random


def tilted_weights(mean: float, low: int = 1, high: int = 5) -> list[float]:
    """Weights w_k ∝ λ^k over low..high with the given mean (found by bisection on log λ)."""
    values = range(low, high + 1)

    def mean_for(log_l: float) -> float:
        w = [math.exp(log_l * k) for k in values]
        return sum(k * x for k, x in zip(values, w, strict=True)) / sum(w)

    lo, hi = -20.0, 20.0
    for _ in range(80):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if mean_for(mid) < mean else (lo, mid)
    w = [math.exp(lo * k) for k in values]
    total = sum(w)
    return [x / total for x in w]


def scores_with_mean(n: int, mean: float, rng: random.Random, low: int = 1, high: int = 5) -> list[int]:
    """n integer scores whose mean is exactly round(mean·n)/n."""
    if n <= 0:
        return []
    weights = tilted_weights(mean, low, high)
    scores = rng.choices(range(low, high + 1), weights=weights, k=n)
    target = round(mean * n)
    while sum(scores) != target:
        i = rng.randrange(n)
        if sum(scores) < target and scores[i] < high:
            scores[i] += 1
        elif sum(scores) > target and scores[i] > low:
            scores[i] -= 1
    return scores
