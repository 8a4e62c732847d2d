"""Scores for the API: the same figures as `painmap scores`, cached per data version.

Computing an organisation's scores aggregates its feedback; the result only changes when an
import finishes, practice data are stored or scores are recomputed, so responses are cached
(already serialised) under a cheap "data version". Fifty clients asking for the same period
cost one computation (single flight) and then a dictionary lookup each.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from models.tables import IngestRun, PracticeSummary, ScoreSnapshot
from service.region import min_sample, timezone
from service.scores import organisation_scores, scores_json
from vocabulary.periods import Period


class Cached:
    """One computed answer, kept as the dict (pages, exports) and as ready JSON bytes (API)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.json = json.dumps(data, ensure_ascii=False).encode("utf-8")


_CACHE: OrderedDict[tuple[Any, ...], Cached] = OrderedDict()
_LOCK = threading.Lock()
_FLIGHTS: dict[tuple[Any, ...], threading.Lock] = {}
_MAX = 256


VERSION_TTL = 1.0
_VERSION: dict[str, tuple[float, tuple[Any, ...]]] = {}


def _store_key() -> str:
    from models.db import database_url

    return database_url()


def current_version(session: Session) -> tuple[Any, ...]:
    """The data version (with the database it is of), read at most once a second: a data
    change shows within a second."""
    now = time.monotonic()
    url = _store_key()
    memo = _VERSION.get(url)
    if memo is not None and memo[0] > now:
        return memo[1]
    version = (url, *data_version(session))
    _VERSION[url] = (now + VERSION_TTL, version)
    return version


def data_version(session: Session) -> tuple[Any, ...]:
    """One round trip: the newest ingest run, practice import and score snapshot."""
    row = session.execute(select(
        select(func.max(IngestRun.id)).scalar_subquery(),
        select(func.max(IngestRun.finished_at)).scalar_subquery(),
        select(func.max(PracticeSummary.imported_at)).scalar_subquery(),
        select(func.count(col(PracticeSummary.id))).scalar_subquery(),
        select(func.max(ScoreSnapshot.computed_at)).scalar_subquery(),
    )).one()
    return tuple(row)


def cached_scores(session: Session, period: Period, org: str | None, tz: str | None = None) -> Cached:
    """The scores of `period` in the region's time zone (the configured one by default)."""
    tz = tz or timezone()
    key = (period.key, org, tz, current_version(session))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
        flight = _FLIGHTS.setdefault(key, threading.Lock())
    with flight:
        with _LOCK:
            if key in _CACHE:
                return _CACHE[key]
        answer = Cached(scores_json(period, organisation_scores(session, period, org, tz), min_sample()))
        with _LOCK:
            _CACHE[key] = answer
            _FLIGHTS.pop(key, None)
            while len(_CACHE) > _MAX:
                _CACHE.popitem(last=False)
    return answer


def peek(period: Period, org: str | None, tz: str | None = None) -> Cached | None:
    """The cached answer when the data version was read less than a second ago: no I/O, so
    the API answers from the event loop without a thread or a database round trip."""
    memo = _VERSION.get(_store_key())
    if memo is None or memo[0] <= time.monotonic():
        return None
    return _CACHE.get((period.key, org, tz or timezone(), memo[1]))


def compute(period: Period, org: str | None, tz: str | None = None) -> Cached:
    from sqlmodel import Session as _Session

    from models.db import get_engine

    with _Session(get_engine()) as session:
        return cached_scores(session, period, org, tz)


def scores_for(session: Session, period: Period, org: str | None, tz: str | None = None) -> dict[str, Any]:
    return cached_scores(session, period, org, tz).data


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
        _FLIGHTS.clear()
        _VERSION.clear()


def warm(years: int = 2) -> None:
    """Compute the scores of the latest years with data (and their quarters) ahead of the first
    request; run in a background thread by `painmap serve`."""
    from sqlmodel import Session as _Session

    from models.db import get_engine
    from models.queries import latest_published
    from vocabulary.periods import quarter, year

    with _Session(get_engine()) as session:
        latest = latest_published(session)
        if latest is None:
            return
        for y in range(latest.year, latest.year - years, -1):
            for period in (year(y), *(quarter(y, q) for q in range(1, 5))):
                cached_scores(session, period, None)
