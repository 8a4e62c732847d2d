"""Normalisation and hashing shared by every channel.

The pipeline trusts parsers to hand over `FeedbackRecord`s, but it re-checks the few things
that would corrupt the store or the scores if a record slipped through unvalidated (a
parser may build records with `model_construct` for speed): the 1–5 scale, timezone-aware
dates, a usable external id. Texts are cleaned so that invisible differences (NBSP, CRLF,
zero-width spaces) never count as an edit.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from ingest.records import FeedbackRecord

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_TRAILING = re.compile(r" *\n *")
_BLANK_LINES = re.compile(r"\n{3,}")
EXTERNAL_ID_MAX = 200
# Hash fields are joined with a control character that cleaned texts cannot contain
# (clean_text replaces every control character but the line break), so the join is unambiguous.
_SEP, _NONE = "\x1f", "\x00"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


try:  # a dependency of Prefect; several times faster than json for the per-row `extra`
    import orjson

    def _dumps(value: Any) -> str:
        return orjson.dumps(value).decode()
except ImportError:  # pragma: no cover
    def _dumps(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class RecordError(ValueError):
    """A record the pipeline refuses; the message (Russian) becomes the quarantine reason."""


def clean_text(value: str | None) -> str | None:
    """Unicode NFC, one kind of line break and space, no invisible characters; empty → None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"текст должен быть строкой, получено {type(value).__name__}")
    if is_clean(value):
        return value
    return full_clean(value)


def full_clean(value: str) -> str | None:
    """The cleaning itself, for texts the fast check did not pass."""
    text = unicodedata.normalize("NFC", value).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text)
    text = _TRAILING.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text).strip()
    return text or None


def is_clean(value: str) -> bool:
    """Most texts need no cleaning: a few C-speed scans decide it instead of seven passes."""
    # isprintable() is False for every character clean_text replaces or drops (controls,
    # NBSP and the other odd spaces, zero-width and format characters) — and for "\n".
    return (
        bool(value) and not value[0].isspace() and not value[-1].isspace() and "  " not in value
        and (value.isprintable() or (
            " \n" not in value and "\n " not in value and "\n\n\n" not in value
            and value.replace("\n", "").isprintable()))
        and unicodedata.is_normalized("NFC", value)
    )


@lru_cache(maxsize=4096)
def _label(value: str) -> str | None:
    text = clean_text(value)
    return " ".join(text.split()) if text else None


def clean_label(value: str | None) -> str | None:
    """A one-line name (service): inner whitespace collapsed. Cached: a channel repeats a
    handful of service names over thousands of rows."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"название должно быть строкой, получено {type(value).__name__}")
    return _label(value)


def to_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if type(value) is datetime and value.tzinfo is UTC:
        return value
    if not isinstance(value, datetime):
        raise RecordError(f"дата должна быть датой и временем, получено {value!r}")
    if value.utcoffset() is None:
        raise RecordError("дата без часового пояса")
    return value.astimezone(UTC)


def check_score(value: Any, what: str) -> float | None:
    """A 1–5 score as float; anything else is refused with the field named."""
    if value is None:
        return None
    if type(value) is int and 1 <= value <= 5:  # the common case, without the float checks
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RecordError(f"{what}: ожидается число, получено {value!r}")
    score = float(value)
    if math.isnan(score) or not 1 <= score <= 5:
        raise RecordError(f"{what} вне шкалы 1–5: {value}")
    return score


def jsonable(value: Any) -> Any:
    """What a JSON column will give back, so that comparisons with stored values are exact."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class NormalRecord:
    """A record ready to be written: cleaned values plus the content hash."""

    external_id: str
    published_at: datetime | None
    rating_raw: str | None
    rating: float | None
    criteria: dict[str, float]
    text: str | None
    reply_text: str | None
    service: str | None
    extra_json: str  # stored as is, and compared as text with the stored value
    content_hash: str
    location: str | None


def content_hash(text: str | None, rating: float | None, criteria: dict[str, float],
                 reply_text: str | None, published_at: datetime | None, service: str | None) -> str:
    """What makes an edit: text, rating, criteria, reply, date and service — not `extra`
    (likes and the like change every night without the citizen saying anything new)."""
    crit = ";".join(f"{k}={v!r}" for k, v in sorted(criteria.items())) if criteria else ""
    stamp = str((published_at - _EPOCH) // _MICROSECOND) if published_at is not None else _NONE
    parts = (text or _NONE, repr(rating), crit, reply_text or _NONE, stamp, service or _NONE)
    return sha256(_SEP.join(parts))


def _criteria(value: Any) -> dict[str, float]:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise RecordError("criteria должен быть словарём «критерий → оценка»")
    out: dict[str, float] = {}
    for key, score in value.items():
        checked = check_score(score, f"оценка по критерию {key}")
        if checked is None:
            raise RecordError(f"оценка по критерию {key} отсутствует")
        out[str(key)] = checked
    return out


def dumps(value: Any) -> str:
    """Compact JSON text: what the pipeline stores in `extra` and compares with."""
    return _dumps(value)


def _extra(value: Any) -> str:
    """`extra` as the JSON text to store, serialised once per record (it is both written
    and compared as text). Values JSON cannot hold (decimals, odd keys) become their text."""
    if not value:
        return "{}"
    if not isinstance(value, dict):
        raise RecordError("extra должен быть словарём")
    try:
        return _dumps(value)
    except (TypeError, ValueError, OverflowError):
        return _dumps(jsonable(value))


def normalise(record: FeedbackRecord) -> NormalRecord:
    """Clean one record and compute its hash; raise `RecordError` naming the field."""
    external_id = record.external_id.strip() if isinstance(record.external_id, str) else ""
    if not external_id:
        raise RecordError("пустой внешний идентификатор (external_id)")
    if len(external_id) > EXTERNAL_ID_MAX:
        raise RecordError(f"внешний идентификатор длиннее {EXTERNAL_ID_MAX} символов")
    rating = check_score(record.rating, "оценка")
    criteria = _criteria(record.criteria)
    published_at = to_utc(record.published_at)
    text = clean_text(record.text)
    reply = clean_text(record.reply_text)
    service = clean_label(record.service)
    extra_json = _extra(record.extra)
    rating_raw = None if record.rating_raw is None else str(record.rating_raw)[:100]
    return NormalRecord(
        external_id, published_at, rating_raw, rating, criteria, text, reply, service, extra_json,
        content_hash(text, rating, criteria, reply, published_at, service), record.location,
    )


def payload_of(record: FeedbackRecord) -> dict[str, Any]:
    """A record as a JSON payload for quarantine, without validating it again."""
    data = {name: getattr(record, name, None) for name in FeedbackRecord.model_fields if name != "location"}
    return jsonable(data)


def payload_hash(payload: dict[str, Any]) -> str:
    return sha256(canonical_json(payload))
