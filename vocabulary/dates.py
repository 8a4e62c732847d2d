"""Which dates are plausible for feedback and periods.

Nothing the product measures happened before the Методика's channels existed, and nothing
happened after tomorrow: a row dated 01.01.2099 or 01.01.1900 is a typo or a broken
export, and once stored it would open the pain map on «2099 год» and stretch every period
list over a millennium. Ingest quarantines such rows; the period parser refuses such years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Moscow"
EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class DateWindow:
    """[earliest, tomorrow] in the region's calendar; `ahead_days` allows for clocks and
    time zones of the sources."""

    earliest: date = EARLIEST
    ahead_days: int = 1
    tz: str | ZoneInfo = DEFAULT_TIMEZONE

    @property
    def zone(self) -> ZoneInfo:
        return self.tz if isinstance(self.tz, ZoneInfo) else ZoneInfo(self.tz)

    def last(self, today: date | None = None) -> date:
        return (today or datetime.now(self.zone).date()) + timedelta(days=self.ahead_days)

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as UTC instants, for checking stored timestamps."""
        return (datetime.combine(self.earliest, time(), self.zone).astimezone(UTC),
                datetime.combine(self.last() + timedelta(days=1), time(), self.zone).astimezone(UTC))

    def describe(self) -> str:
        return f"{self.earliest:%d.%m.%Y}–{self.last():%d.%m.%Y}"

    def why_not(self, moment: datetime) -> str | None:
        """None for a plausible instant, else the Russian reason (for quarantine)."""
        start, end = self.utc_bounds()
        if start <= moment < end:
            return None
        local = moment.astimezone(self.zone)
        return f"неправдоподобная дата {local:%d.%m.%Y}: допустимы даты {self.describe()}"

    def years(self) -> range:
        return range(self.earliest.year, self.last().year + 1)


def local_minute(moment: str | datetime, tz: str | ZoneInfo) -> str:
    """A stored moment (ISO text or aware datetime) as the region reads it: «08.12.2026 14:05»."""
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value.astimezone(tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)).strftime("%d.%m.%Y %H:%M")
