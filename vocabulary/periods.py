"""Reporting periods: a year (`2025`), a quarter (`2025-Q3`), a month (`2025-07`) or any
range of days (`2025-03-01..2025-05-31`), each with its previous comparable period
(п. 5.2.5: the dynamics compare like with like).

Periods are calendar dates of the region; `utc_bounds` turns them into instants for
querying timestamps stored in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from vocabulary.dates import DEFAULT_TIMEZONE, DateWindow

YEAR, QUARTER, MONTH, RANGE = "year", "quarter", "month", "range"
_ROMAN = ("I", "II", "III", "IV")
_MONTHS = ("январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                    "сентябрь", "октябрь", "ноябрь", "декабрь")
_PATTERNS = (
    (re.compile(r"^(\d{4})$"), YEAR),
    (re.compile(r"^(\d{4})-?[QqКк]([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), MONTH),
)
PERIOD_HELP = "Период: 2025, 2025-Q3, 2025-07 или диапазон дат."
PLAUSIBLE = DateWindow()


@dataclass(frozen=True)
class Period:
    """Half-open [start, end) of calendar days."""

    kind: str
    start: date
    end: date

    @property
    def key(self) -> str:
        """How the period is written in the store and in the JSON."""
        if self.kind == YEAR:
            return f"{self.start.year}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == MONTH:
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.isoformat()}..{self.last_day.isoformat()}"

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def label(self) -> str:
        """Russian, for tables and reports."""
        if self.kind == YEAR:
            return f"{self.start.year} год"
        if self.kind == QUARTER:
            return f"{_ROMAN[(self.start.month - 1) // 3]} квартал {self.start.year} года"
        if self.kind == MONTH:
            return f"{_MONTHS[self.start.month - 1]} {self.start.year} года"
        return f"{self.start:%d.%m.%Y} – {self.last_day:%d.%m.%Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def year(self) -> int | None:
        """The calendar year the period lies in, or None when it spans several: practice
        data are yearly, so only such periods have a Кпр."""
        return self.start.year if self.start.year == self.last_day.year else None

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def previous(self) -> Period:
        """2025 → 2024, 2025-Q3 → 2025-Q2, 2025-07 → 2025-06, a range → the same number of
        days immediately before."""
        if self.kind == YEAR:
            return year(self.start.year - 1)
        if self.kind == QUARTER:
            return quarter(*_step_months(self.start, -3, quarterly=True))
        if self.kind == MONTH:
            return month(*_step_months(self.start, -1))
        return days(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def utc_bounds(self, tz: str | ZoneInfo = DEFAULT_TIMEZONE) -> tuple[datetime, datetime]:
        """[start, end) as UTC instants, the days being the region's local days."""
        zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        return (datetime.combine(self.start, time(), zone).astimezone(UTC),
                datetime.combine(self.end, time(), zone).astimezone(UTC))


def year(value: int) -> Period:
    return Period(YEAR, date(value, 1, 1), date(value + 1, 1, 1))


def quarter(value: int, number: int) -> Period:
    first = 3 * (number - 1) + 1
    end = date(value + 1, 1, 1) if number == 4 else date(value, first + 3, 1)
    return Period(QUARTER, date(value, first, 1), end)


def month(value: int, number: int) -> Period:
    end = date(value + 1, 1, 1) if number == 12 else date(value, number + 1, 1)
    return Period(MONTH, date(value, number, 1), end)


def days(first: date, last: date) -> Period:
    """From `first` to `last`, both inclusive."""
    if last < first:
        raise ValueError(f"конец периода ({last:%d.%m.%Y}) раньше начала ({first:%d.%m.%Y})")
    return Period(RANGE, first, last + timedelta(days=1))


def parse_period(text: str, window: DateWindow = PLAUSIBLE) -> Period:
    """`2025`, `2025-Q3`, `2025-07`, or `FROM..TO` with ISO or DD.MM.YYYY dates, inside the
    plausible `window` (years 2000 to tomorrow's by default): `0001` or `9999-12-30..` is a
    typo, answered in Russian before any date arithmetic can overflow."""
    value = text.strip()
    if ".." in value:
        first, last = value.split("..", 1)
        start, end = parse_date(first), parse_date(last)
        _plausible(start.year, window, text)
        _plausible(end.year, window, text)
        return days(start, end)
    for pattern, kind in _PATTERNS:
        match = pattern.match(value)
        if not match:
            continue
        numbers = [int(g) for g in match.groups()]
        _plausible(numbers[0], window, text)
        if kind == YEAR:
            return year(numbers[0])
        if kind == QUARTER:
            return quarter(numbers[0], numbers[1])
        if 1 <= numbers[1] <= 12:
            return month(numbers[0], numbers[1])
    raise ValueError(f"непонятный период «{text}». {PERIOD_HELP}")


def _plausible(value: int, window: DateWindow, text: str) -> None:
    years = window.years()
    if value not in years:
        raise ValueError(f"период «{text.strip()}» вне допустимых лет {years.start}–{years.stop - 1}")


def parse_date(text: str) -> date:
    value = text.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"непонятная дата «{text}»: ожидается ГГГГ-ММ-ДД или ДД.ММ.ГГГГ")


def covering(day: date) -> list[Period]:
    """The year, quarter and month a day falls in: the periods a change on that day affects."""
    return [year(day.year), quarter(day.year, (day.month - 1) // 3 + 1), month(day.year, day.month)]


def affected(days_changed: Iterable[date]) -> list[Period]:
    """Every year, quarter and month some changed day falls in, each once: what the nightly
    run recomputes after an import."""
    seen: dict[str, Period] = {}
    for day in days_changed:
        for period in covering(day):
            seen.setdefault(period.key, period)
    return sorted(seen.values(), key=lambda p: (p.start, -p.days))


def _step_months(start: date, step: int, quarterly: bool = False) -> tuple[int, int]:
    index = start.year * 12 + start.month - 1 + step
    y, m = divmod(index, 12)
    return (y, m // 3 + 1) if quarterly else (y, m + 1)
