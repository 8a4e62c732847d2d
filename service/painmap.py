"""The «карта болей» of a period for the pages, the API and the report: offices ×
categories against the previous comparable period, cut at the region's midnight."""

from __future__ import annotations

from sqlmodel import Session

from models.painmap import PainRow, pain_map
from service.region import timezone
from vocabulary.periods import Period


def pain_map_of(session: Session, period: Period, org: str | None = None,
                tz: str | None = None, channel: str | None = None) -> list[PainRow]:
    tz = tz or timezone()
    return pain_map(session, *period.utc_bounds(tz), previous=period.previous().utc_bounds(tz), org=org,
                    channel=channel)
