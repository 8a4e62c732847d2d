"""Scores for the API: the same figures as `painmap scores`, cached per data version.

Computing an organisation's scores aggregates its feedback; the result only changes when an
import finishes or practice data are stored, so responses are cached under a cheap
"data version" (latest ingest run and practice import). Fifty clients asking for the
same period then cost one computation.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from flows.scores import organisation_scores, scores_json
from models.tables import IngestRun, PracticeSummary, ScoreSnapshot
from scoring.periods import Period

_CACHE: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_LOCK = threading.Lock()
_MAX = 256


def data_version(session: Session) -> tuple[Any, ...]:
    runs = session.execute(select(func.max(IngestRun.id), func.max(IngestRun.finished_at))).one()
    practice = session.execute(select(func.max(PracticeSummary.imported_at),
                                      func.count(PracticeSummary.id))).one()
    snapshots = session.execute(select(func.max(ScoreSnapshot.computed_at))).one()
    return (*runs, *practice, *snapshots)


def scores_for(session: Session, period: Period, org: str | None,
               tz: str = "Europe/Moscow") -> dict[str, Any]:
    key = (period.key, org, tz, data_version(session))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    data = scores_json(period, organisation_scores(session, period, org, tz))
    with _LOCK:
        _CACHE[key] = data
        while len(_CACHE) > _MAX:
            _CACHE.popitem(last=False)
    return data


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()
