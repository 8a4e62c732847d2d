"""A Yandex review as the spider emits it, and as the ingest pipeline takes it.

`review_item` flattens one raw review object of the page state (field names as Yandex
sends them, see `../shared/formats.md`) into the item written by `painmap crawl yandex
--out` and streamed by the worker; `to_record` turns an item into a `FeedbackRecord`.
Both are pure, so they are tested on recorded reviews.

Personal data: the author's name is kept only in the item's `author` and the record's
`extra["author"]`; the author's public id and avatar are not kept at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from ingest.records import FeedbackRecord, Rejected


class ItemError(ValueError):
    """A review object we cannot use (no id, a rating off the scale, a broken date)."""


def parse_time(value: Any, what: str = "updatedTime") -> datetime:
    """Yandex's ISO 8601 UTC time (`2026-04-23T08:25:51.093Z`) as an aware datetime."""
    if not isinstance(value, str) or not value:
        raise ItemError(f"нет даты {what}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ItemError(f"дата {what} не в формате ISO 8601: {value!r}") from None
    if moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)  # Yandex sends UTC; a bare time is UTC too
    return moment.astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _rating(value: Any) -> int | None:
    """Stars 1–5; 0 or absent means a review without stars."""
    if value in (None, 0, "0", ""):
        return None
    try:
        stars = float(value)
    except (TypeError, ValueError):
        raise ItemError(f"оценка не число: {value!r}") from None
    if not stars.is_integer() or not 1 <= stars <= 5:
        raise ItemError(f"оценка вне шкалы 1–5: {value!r}")
    return int(stars)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _count(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def _obj(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key)
    return value if isinstance(value, dict) else {}


def review_item(raw: Any, org_id: str, page: int, position: int) -> dict[str, Any]:
    """One review object → the flat item; raises `ItemError` naming what is wrong."""
    if not isinstance(raw, dict):
        raise ItemError("отзыв не объект JSON")
    review_id = raw.get("reviewId")
    if not isinstance(review_id, str) or not review_id.strip():
        raise ItemError("нет идентификатора отзыва (reviewId)")
    author, reactions, comment = _obj(raw, "author"), _obj(raw, "reactions"), _obj(raw, "businessComment")
    reply_time = comment.get("updatedTime")
    return {
        "review_id": review_id.strip(),
        "org_id": org_id,
        "rating": _rating(raw.get("rating")),
        "text": _text(raw.get("text")),
        "published_at": iso(parse_time(raw.get("updatedTime"))),
        "reply_text": _text(comment.get("text")),
        "reply_at": iso(parse_time(reply_time, "businessComment.updatedTime")) if reply_time else None,
        "author": _text(author.get("name")),
        "author_level": _text(author.get("professionLevel")),
        "language": _text(raw.get("textLanguage")),
        "likes": _count(reactions.get("likes")),
        "dislikes": _count(reactions.get("dislikes")),
        "photos": len(raw.get("photos") or []),
        "videos": len(raw.get("videos") or []),
        "page": page,
        "position": position,
    }


EXTRA_KEYS = ("author", "author_level", "language", "likes", "dislikes", "photos", "videos", "reply_at",
              "page", "position")


def to_record(item: dict[str, Any]) -> FeedbackRecord | Rejected:
    """The item as the pipeline's record; an item that fails validation is quarantined."""
    where = f"страница {item.get('page')}, отзыв {item.get('position')}"
    try:
        return FeedbackRecord(
            external_id=item["review_id"],
            published_at=parse_time(item["published_at"], "published_at"),
            rating=item.get("rating"),
            rating_raw=None if item.get("rating") is None else str(item["rating"]),
            text=item.get("text"),
            reply_text=item.get("reply_text"),
            extra={key: item.get(key) for key in EXTRA_KEYS if item.get(key) is not None},
            location=where,
        )
    except (KeyError, ItemError, ValidationError) as exc:
        return Rejected(location=where, payload=item, reason=f"отзыв не прошёл проверку: {exc}")
