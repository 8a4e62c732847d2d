"""Efficiency (п. 4.1): Кэф = (Куд + Кпр) / 2.

The printed formula «(Куд(%) +Kпр(%)/2» misses a bracket; the mean of the two is what it
means (methodology.md §3).
"""

from __future__ import annotations

from scoring.levels import K_EF


def k_ef(k_ud: float | None, k_pr: float | None) -> float | None:
    """None unless both parts are known: Кэф of half the data would mislead."""
    if k_ud is None or k_pr is None:
        return None
    return (k_ud + k_pr) / 2


def k_ef_level(value: float | None) -> str:
    return K_EF.level(value)
