"""The public Yandex rating of each office over time, as the crawls read it (the Kaluga
report gives the Yandex rating per office, seed 000)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from models.tables import Organisation, RatingSnapshot, Source
from service.replies import reply_stats


@dataclass(frozen=True)
class RatingPoint:
    org: str
    org_name: str
    source: str
    taken_at: datetime
    rating_value: float | None
    rating_count: int | None
    review_count: int | None
    reviews_stored: int | None
    aspects: list[dict[str, Any]] = field(default_factory=list)

    @property
    def coverage(self) -> float | None:
        """Share of the card's reviews the store holds."""
        if not self.review_count or self.reviews_stored is None:
            return None
        return round(min(1.0, self.reviews_stored / self.review_count), 3)

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "taken_at": self.taken_at.isoformat(), "coverage": self.coverage}


def rating_history(session: Session, org: str | None = None, start: datetime | None = None,
                   end: datetime | None = None) -> list[RatingPoint]:
    """Every snapshot, per office and source in time order (within [start, end) if given)."""
    query = (select(RatingSnapshot, col(Source.name), col(Organisation.code), col(Organisation.name))
             .join(Source, col(Source.id) == col(RatingSnapshot.source_id))
             .join(Organisation, col(Organisation.id) == col(Source.org_id))
             .order_by(col(Organisation.code), col(Source.name), col(RatingSnapshot.taken_at)))
    if org is not None:
        query = query.where(col(Organisation.code) == org)
    if start is not None:
        query = query.where(col(RatingSnapshot.taken_at) >= start)
    if end is not None:
        query = query.where(col(RatingSnapshot.taken_at) < end)
    return [RatingPoint(code, name, source, snap.taken_at, snap.rating_value, snap.rating_count,
                        snap.review_count, snap.reviews_stored, list(snap.aspects or []))
            for snap, source, code, name in session.execute(query)]


@dataclass(frozen=True)
class YandexOverview:
    """One office on the dashboard: its public rating (last crawl of the period, change from
    the first), the card's reviews and the share collected, how it answered them."""

    org: str
    name: str
    rating: float | None = None
    change: float | None = None
    reviews: int | None = None
    coverage: float | None = None  # per cent
    reply_rate: float | None = None
    median_hours: float | None = None
    unanswered: int = 0
    oldest_id: int | None = None  # the longest-unanswered negative review


def yandex_overview(session: Session, start: datetime, end: datetime) -> list[YandexOverview]:
    points: dict[str, list[RatingPoint]] = {}
    for point in rating_history(session, start=start, end=end):
        points.setdefault(point.org, []).append(point)
    replies = {r.org: r for r in reply_stats(session, start, end)}
    names = {code: p[0].org_name for code, p in points.items()}
    names |= {r.org: r.org_name for r in replies.values()}
    rows = []
    for code in sorted(names):
        first, last = (points[code][0], points[code][-1]) if code in points else (None, None)
        reply = replies.get(code)
        oldest = min(reply.unanswered, key=lambda u: u.published_at) if reply and reply.unanswered else None
        rows.append(YandexOverview(
            code, names[code],
            rating=last.rating_value if last else None,
            change=_change(first, last),
            reviews=last.review_count if last else None,
            coverage=100 * last.coverage if last and last.coverage is not None else None,
            reply_rate=reply.reply_rate if reply else None,
            median_hours=reply.median_hours if reply else None,
            unanswered=len(reply.unanswered) if reply else 0,
            oldest_id=oldest.id if oldest else None))
    return rows


def _change(first: RatingPoint | None, last: RatingPoint | None) -> float | None:
    if first is None or last is None or first is last:  # one crawl: no change to speak of
        return None
    if first.rating_value is None or last.rating_value is None:
        return None
    return round(last.rating_value - first.rating_value, 2)
