"""Which periods have data: the selectors of the pages and the default period of the pages
and the API (the latest year with feedback) when a user names none."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlmodel import Session, col

from models.tables import Feedback
from vocabulary.periods import PLAUSIBLE, Period, parse_period


def available_periods(session: Session) -> list[str]:
    """Years and quarters that have feedback, newest first. Only plausible dates count: a
    stray 1900 or 2099 stored before the ingest checked dates must not list a millennium."""
    this_year = [str(datetime.now(UTC).year)]
    low, high = PLAUSIBLE.utc_bounds()
    published = col(Feedback.published_at)
    first, last = session.execute(select(func.min(published), func.max(published))
                                  .where(published >= low, published < high)).one()
    if first is None:
        return this_year
    out = []
    for year in range(last.year, first.year - 1, -1):
        out.append(str(year))
        out += [f"{year}-Q{q}" for q in range(4, 0, -1)]
    return out


def latest_period(session: Session) -> Period:
    """The latest year with feedback (this year in an empty store)."""
    return parse_period(available_periods(session)[0])
