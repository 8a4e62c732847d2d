"""Numbers as a Russian reader expects them: a decimal comma, «—» for nothing, thousands
split by a non-breaking space. The one formatter of the pages, the CLI and the reports."""

from __future__ import annotations

DASH = "—"
NBSP = "\u00a0"


def number(value: float | None, decimals: int = 2) -> str:
    """89.3214 → «89,32»; None → «—»."""
    if value is None:
        return DASH
    return f"{value:.{decimals}f}".replace(".", ",")


def percent(value: float | None, decimals: int = 2) -> str:
    """89.3214 → «89,32%» (written without a space, as in the 2022 report)."""
    return DASH if value is None else number(value, decimals) + "%"


def integer(value: int | float | None) -> str:
    """14650 → «14 650» with a non-breaking space between thousands."""
    if value is None:
        return DASH
    return f"{round(value):,}".replace(",", NBSP)


def signed(delta: float | None, decimals: int = 2) -> str:
    """«+4,00», «−1,25», «0,00»: a change with its sign (a true minus), zero when it would
    show as zero."""
    if delta is None:
        return DASH
    if abs(delta) < 0.5 * 10 ** -decimals:
        return number(0.0, decimals)
    return ("+" if delta > 0 else "−") + number(abs(delta), decimals)


def short(value: float | None) -> str:
    """A rating as people write it: «4», «3,67» (at most two decimals, no trailing zeros)."""
    if value is None:
        return DASH
    return number(value, 2).rstrip("0").rstrip(",")
