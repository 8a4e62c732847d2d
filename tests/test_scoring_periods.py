"""Reporting periods and their previous comparable periods (п. 5.2.5)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from vocabulary.periods import affected, covering, days, parse_period


@pytest.mark.parametrize(
    ("text", "key", "start", "end", "label"),
    [
        ("2025", "2025", date(2025, 1, 1), date(2026, 1, 1), "2025 год"),
        ("2025-Q3", "2025-Q3", date(2025, 7, 1), date(2025, 10, 1), "III квартал 2025 года"),
        ("2025q4", "2025-Q4", date(2025, 10, 1), date(2026, 1, 1), "IV квартал 2025 года"),
        ("2025-07", "2025-07", date(2025, 7, 1), date(2025, 8, 1), "июль 2025 года"),
        ("2025-12", "2025-12", date(2025, 12, 1), date(2026, 1, 1), "декабрь 2025 года"),
        (
            "2025-03-01..2025-05-31",
            "2025-03-01..2025-05-31",
            date(2025, 3, 1),
            date(2025, 6, 1),
            "01.03.2025 – 31.05.2025",
        ),
        (
            "01.03.2025..31.05.2025",
            "2025-03-01..2025-05-31",
            date(2025, 3, 1),
            date(2025, 6, 1),
            "01.03.2025 – 31.05.2025",
        ),
    ],
)
def test_parse(text: str, key: str, start: date, end: date, label: str) -> None:
    period = parse_period(text)
    assert (period.key, period.start, period.end, period.label) == (key, start, end, label)
    assert parse_period(period.key) == period


@pytest.mark.parametrize(
    ("text", "previous"),
    [
        ("2025", "2024"),
        ("2025-Q3", "2025-Q2"),
        ("2025-Q1", "2024-Q4"),
        ("2025-07", "2025-06"),
        ("2025-01", "2024-12"),
        ("2025-03-01..2025-05-31", "2024-11-29..2025-02-28"),  # 92 days immediately before
        ("2025-01-10..2025-01-10", "2025-01-09..2025-01-09"),
    ],
)
def test_previous_comparable_period(text: str, previous: str) -> None:
    current = parse_period(text)
    before = current.previous()
    assert before.key == previous
    assert before.days == current.days or current.kind != "range"
    assert before.end <= current.start


@pytest.mark.parametrize(
    "text", ["25", "2025-Q5", "2025-13", "прошлый год", "2025-05-01..2025-04-01", "2025-02-30..2025-03-01"]
)
def test_bad_periods_are_explained_in_russian(text: str) -> None:
    with pytest.raises(ValueError) as err:
        parse_period(text)
    assert any(word in str(err.value) for word in ("период", "дата", "раньше"))


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2025", 2025),
        ("2025-Q3", 2025),
        ("2025-07", 2025),
        ("2025-03-01..2025-05-31", 2025),
        ("2024-12-01..2025-01-31", None),
    ],
)
def test_practice_year_of_a_period(text: str, year: int | None) -> None:
    assert parse_period(text).year == year


def test_contains() -> None:
    assert parse_period("2025").contains(parse_period("2025-Q3"))
    assert parse_period("2025").contains(parse_period("2025"))
    assert not parse_period("2025-Q3").contains(parse_period("2025"))
    assert not parse_period("2025-Q3").contains(parse_period("2025-10"))


def test_utc_bounds_follow_the_region_clock() -> None:
    start, end = parse_period("2025").utc_bounds("Europe/Moscow")
    assert start == datetime(2024, 12, 31, 21, tzinfo=UTC)
    assert end == datetime(2025, 12, 31, 21, tzinfo=UTC)
    start, _ = parse_period("2025-07").utc_bounds("Asia/Yekaterinburg")
    assert start == datetime(2025, 6, 30, 19, tzinfo=UTC)


def test_covering_and_days() -> None:
    assert [p.key for p in covering(date(2025, 8, 15))] == ["2025", "2025-Q3", "2025-08"]
    assert days(date(2025, 1, 1), date(2025, 1, 31)).days == 31


def test_affected_periods_of_changed_days() -> None:
    changed = [date(2025, 8, 15), date(2025, 8, 1), date(2025, 2, 3)]
    assert [p.key for p in affected(changed)] == ["2025", "2025-Q1", "2025-02", "2025-Q3", "2025-08"]
    assert affected([]) == []
