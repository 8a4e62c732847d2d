"""What should reach a person the morning after: the signals the nightly run looks for.

Pure decisions over plain numbers and dates, tested with tables, so that the run, the pages
and the notifications all judge the same way:

- a bad rating: «Плохо» at a terminal (stored as 1) or 1–2 stars in a review or a ПОС answer;
- a pain spike: an office × category whose count in the last days is far above its own
  baseline — a one-sided Poisson test against the baseline's rate, with a minimum count, so
  that 3 complaints where 0.2 were expected is a spike and 30 where 25 were expected is not;
- a new pain: a category the office has not had in the whole baseline, now met repeatedly;
- an unanswered negative review older than the reply deadline;
- a ПОС message marked «Просрочено» or past its planned completion date, still open;
- a source blocked or failing several runs in a row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

BAD_STARS = 2.0  # a review or ПОС answer rated this or lower
NEGATIVE_STARS = 3.0  # a review that deserves an answer


@dataclass(frozen=True)
class SpikeRule:
    """When a count is a spike: at least `min_count`, and so unlikely under the baseline rate
    that it happens by chance less than once in 1/`alpha` windows."""

    recent_days: int = 7
    baseline_days: int = 90
    min_count: int = 3
    alpha: float = 0.001
    floor_rate: float = 0.5  # per baseline window: a quiet office is not «infinitely» surprised


def poisson_tail(k: int, rate: float) -> float:
    """P(X ≥ k) for X ~ Poisson(rate)."""
    if k <= 0:
        return 1.0
    if rate <= 0:
        return 0.0
    term = math.exp(-rate)  # P(X = 0)
    below = term
    for i in range(1, k):
        term *= rate / i
        below += term
    return max(0.0, 1.0 - below)


def spike(recent: int, baseline: int, rule: SpikeRule = SpikeRule()) -> float | None:
    """The p-value of `recent` complaints in the last `recent_days` against `baseline` in
    the `baseline_days` before them, when that is a spike; None otherwise."""
    if recent < rule.min_count:
        return None
    expected = max(baseline, rule.floor_rate) * rule.recent_days / rule.baseline_days
    p = poisson_tail(recent, expected)
    return p if p < rule.alpha else None


def new_pain(recent: int, baseline: int, min_count: int = 2) -> bool:
    """A category the office never had in the baseline, met `min_count` times now."""
    return baseline == 0 and recent >= min_count


def bad_rating(channel: str, rating: float | None) -> bool:
    """«Плохо» at a terminal, or 1–2 stars in a review or an answer to a ПОС message."""
    if rating is None:
        return False
    if channel == "terminal":
        return rating <= 1.0
    return channel in ("yandex", "pos") and rating <= BAD_STARS


def unanswered(rating: float | None, replied: bool, published: datetime, now: datetime,
               deadline: timedelta = timedelta(hours=24)) -> bool:
    """A negative review (1–3 stars) still without the office's answer past the deadline."""
    return rating is not None and rating <= NEGATIVE_STARS and not replied and now - published > deadline


def pos_overdue(marked_overdue: bool | None, planned: datetime | None, completed: datetime | None,
                now: datetime) -> bool:
    """ПОС says «Просрочено», or the planned completion date has passed with the message open."""
    if marked_overdue:
        return True
    return planned is not None and completed is None and now > planned


def source_down(runs_in_a_row: int, nights: int = 3) -> bool:
    """A source blocked or failing `nights` runs in a row needs a person, not another retry."""
    return runs_in_a_row >= nights
