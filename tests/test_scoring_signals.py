"""The signal rules, as tables: what wakes a person up and what does not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scoring.signals import (
    SpikeRule,
    bad_rating,
    new_pain,
    poisson_tail,
    pos_overdue,
    source_down,
    spike,
    unanswered,
)

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(("k", "rate", "expected"), [
    (0, 3.0, 1.0), (1, 0.0, 0.0), (1, 1.0, 1 - 0.36787944), (3, 0.5, 0.01438768), (10, 10.0, 0.54207029),
])
def test_poisson_tail(k: int, rate: float, expected: float) -> None:
    assert poisson_tail(k, rate) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(("recent", "baseline", "is_spike"), [
    (2, 0, False),    # below the minimum count, however unexpected
    (3, 0, True),     # 3 in a week where ~0.04 were expected
    (6, 13, True),    # 13 in 90 days is ~1 a week: 6 is far above
    (3, 13, False),   # 3 against ~1 a week happens
    (30, 325, False),  # a busy office at its usual rate (~25 a week)
    (60, 325, True),  # the same office at twice its rate
])
def test_spike(recent: int, baseline: int, is_spike: bool) -> None:
    assert (spike(recent, baseline) is not None) is is_spike


def test_the_spike_threshold_is_a_setting() -> None:
    assert spike(3, 13) is None and spike(3, 13, SpikeRule(alpha=0.2)) is not None


@pytest.mark.parametrize(("recent", "baseline", "expected"), [(2, 0, True), (1, 0, False), (5, 1, False)])
def test_new_pain(recent: int, baseline: int, expected: bool) -> None:
    assert new_pain(recent, baseline) is expected


@pytest.mark.parametrize(("channel", "rating", "expected"), [
    ("terminal", 1.0, True), ("terminal", 3.0, False), ("yandex", 2.0, True), ("yandex", 3.0, False),
    ("pos", 1.0, True), ("gosuslugi", 1.0, False), ("survey", 1.0, False), ("yandex", None, False),
])
def test_bad_rating(channel: str, rating: float | None, expected: bool) -> None:
    assert bad_rating(channel, rating) is expected


@pytest.mark.parametrize(("rating", "replied", "hours_ago", "expected"), [
    (1.0, False, 30, True), (3.0, False, 30, True), (4.0, False, 30, False),
    (1.0, True, 30, False), (1.0, False, 20, False), (None, False, 30, False),
])
def test_unanswered(rating: float | None, replied: bool, hours_ago: int, expected: bool) -> None:
    assert unanswered(rating, replied, NOW - timedelta(hours=hours_ago), NOW) is expected


@pytest.mark.parametrize(("marked", "planned_days", "completed", "expected"), [
    (True, None, False, True), (False, -1, False, True), (False, -1, True, False),
    (False, 2, False, False), (None, None, False, False),
])
def test_pos_overdue(marked: bool | None, planned_days: int | None, completed: bool, expected: bool) -> None:
    planned = NOW + timedelta(days=planned_days) if planned_days is not None else None
    assert pos_overdue(marked, planned, NOW if completed else None, NOW) is expected


@pytest.mark.parametrize(("streak", "expected"), [(0, False), (2, False), (3, True), (9, True)])
def test_source_down(streak: int, expected: bool) -> None:
    assert source_down(streak) is expected
