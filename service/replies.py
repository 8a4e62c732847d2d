"""How offices answer their Yandex reviews: the share answered, how fast (the owner's reply,
`businessComment`, kept by the crawler as the reply text and `extra.reply_at`), and the
negative reviews (1–3 stars) still without an answer, oldest first."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from statistics import median
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from models.tables import Feedback, Organisation, Source

NEGATIVE_MAX = 3.0  # stars: a review rated this or lower deserves an answer first


@dataclass(frozen=True)
class Unanswered:
    id: int
    published_at: datetime
    rating: float | None
    age_days: int
    text: str | None  # masked


@dataclass
class ReplyStats:
    org: str
    org_name: str
    reviews: int = 0
    replied: int = 0
    hours: list[float] = field(default_factory=list)
    unanswered: list[Unanswered] = field(default_factory=list)

    @property
    def reply_rate(self) -> float | None:
        """Per cent of the reviews with an answer of the office."""
        return round(100.0 * self.replied / self.reviews, 2) if self.reviews else None

    @property
    def median_hours(self) -> float | None:
        return round(median(self.hours), 1) if self.hours else None

    def as_json(self) -> dict[str, Any]:
        return {"org": self.org, "org_name": self.org_name, "reviews": self.reviews, "replied": self.replied,
                "reply_rate": self.reply_rate, "median_hours_to_reply": self.median_hours,
                "unanswered_negative": [{**asdict(u), "published_at": u.published_at.isoformat()}
                                        for u in self.unanswered]}


def reply_stats(session: Session, start: datetime, end: datetime, org: str | None = None,
                now: datetime | None = None) -> list[ReplyStats]:
    """Per office, the Yandex reviews published in [start, end)."""
    now = now or datetime.now(UTC)
    columns = (col(Organisation.code), col(Organisation.name), col(Feedback.id), col(Feedback.published_at),
               col(Feedback.rating), col(Feedback.reply_text), col(Feedback.extra), col(Feedback.text_masked))
    query = (select(*columns)
             .join(Source, col(Source.id) == col(Feedback.source_id))
             .join(Organisation, col(Organisation.id) == col(Source.org_id))
             .where(col(Source.kind) == "yandex", col(Feedback.published_at) >= start,
                    col(Feedback.published_at) < end)
             .order_by(col(Organisation.code), col(Feedback.published_at)))
    if org is not None:
        query = query.where(col(Organisation.code) == org)
    stats: dict[str, ReplyStats] = {}
    for code, name, item_id, published, rating, reply, extra, text in session.execute(query):
        office = stats.setdefault(code, ReplyStats(code, name))
        office.reviews += 1
        if reply and reply.strip():
            office.replied += 1
            answered = _moment((extra or {}).get("reply_at"))
            if answered is not None and published is not None and answered >= published:
                office.hours.append((answered - published).total_seconds() / 3600)
        elif rating is not None and rating <= NEGATIVE_MAX and published is not None:
            office.unanswered.append(Unanswered(item_id, published, rating, (now - published).days, text))
    return list(stats.values())


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
