"""The public Yandex rating of each office over time, as the crawls read it (the Kaluga
report gives the Yandex rating per office, seed 000)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from models.tables import Organisation, RatingSnapshot, Source


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
