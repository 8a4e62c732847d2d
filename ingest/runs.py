"""Ingest-run records and source health, apart from the pipeline itself.

The nightly flow and the API's source-health view need to know, per source, when it last
ran and whether it worked, was blocked (captcha) or failed, even when nothing was ingested.
A failed run is written in its own transaction because the import it describes was rolled
back.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from models.db import session_scope
from models.queries import latest_published
from models.tables import IngestRun, Source, utcnow

STATUS_OK = "ok"
STATUS_PARTIAL = "partial"  # some of the source was fetched, then an error stopped it
STATUS_BLOCKED = "blocked"  # the source refused us (captcha); what came before is kept
STATUS_FAILED = "failed"  # nothing of this run was stored
RUN_STATUSES = (STATUS_OK, STATUS_PARTIAL, STATUS_BLOCKED, STATUS_FAILED)

DETAIL_MAX = 4000


def record_failed_run(
    source_id: int | None,
    *,
    kind: str,
    error: str,
    status: str = STATUS_FAILED,
    origin: str | None = None,
    url: str | None = None,
    started_at: datetime | None = None,
) -> int:
    """Store a run that stored nothing (an exception, a captcha on the first page) and mark
    the source with the same status; return the run id."""
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown run status {status!r}")
    now = utcnow()
    with session_scope(url) as session:
        run = IngestRun(source_id=source_id, kind=kind, origin=origin, started_at=started_at or now,
                        finished_at=now, status=status, error=error[:DETAIL_MAX])
        session.add(run)
        session.flush()
        if source_id is not None:
            _mark(session, source_id, status, error, now)
        assert run.id is not None
        return run.id


def mark_source(source_id: int, status: str, detail: str | None = None, *, url: str | None = None) -> None:
    """Set a source's health (`ok`, `partial`, `blocked`, `failed`) and last run time."""
    with session_scope(url) as session:
        _mark(session, source_id, status, detail, utcnow())


def _mark(session: Session, source_id: int, status: str, detail: str | None, when: datetime) -> None:
    session.execute(
        update(Source)
        .where(Source.id == source_id)  # type: ignore[arg-type]
        .values(status=status, status_detail=detail[:DETAIL_MAX] if detail else None, last_run_at=when)
    )


def latest_published_at(source_id: int, *, url: str | None = None) -> datetime | None:
    """The newest stored item's date: incremental crawls stop at pages older than this."""
    with session_scope(url) as session:
        return latest_published(session, source_id)


def record_nightly(summary: dict[str, Any], status: str) -> int:
    """The nightly run's own journal entry (its summary, counts summed over sources)."""
    sources = summary["sources"]
    with session_scope() as session:
        run = IngestRun(kind="nightly", status=status, finished_at=utcnow(), summary=summary,
                        n_new=sum(s["n_new"] for s in sources),
                        n_updated=sum(s["n_updated"] for s in sources),
                        n_unchanged=sum(s["n_unchanged"] for s in sources),
                        n_quarantined=sum(s["n_quarantined"] for s in sources))
        session.add(run)
        session.flush()
        return int(run.id)  # type: ignore[arg-type]


def source_id_of(org_code: str, name: str, *, url: str | None = None) -> int:
    """The store's id of a source named in the config (office code and source name)."""
    from models.queries import source_id

    with session_scope(url) as session:
        return source_id(session, org_code, name)


def changed_days(feedback_ids: list[int], tz: str, *, url: str | None = None) -> set[date]:
    """The region's calendar days the items an import changed were published on: the
    periods whose scores have to be recomputed."""
    from models.queries import local_days

    with session_scope(url) as session:
        return local_days(session, feedback_ids, tz)


def blocked_nights(source_id: int, *, url: str | None = None) -> int:
    """The source's latest runs blocked in a row (0 when the last one was not blocked)."""
    from models.queries import blocked_streak

    with session_scope(url) as session:
        return blocked_streak(session, source_id)


def resting(source_id: int, now: datetime | None = None, *, url: str | None = None) -> str | None:
    """Why not to crawl a source tonight, or None. A site that blocked us two runs or more in
    a row is left alone for a while that doubles with each further block (2, 4, then 7 days
    after the last attempt): asking again every night only keeps the block alive."""
    from models.queries import blocked_streak

    now = now or utcnow()
    with session_scope(url) as session:
        streak = blocked_streak(session, source_id)
        source = session.get(Source, source_id)
        last = source.last_run_at if source is not None else None
    if streak < 2 or last is None:
        return None
    pause = timedelta(days=min(7, 2 ** (streak - 1)))
    if now - last >= pause:
        return None
    return (f"заблокирован {streak} запуска подряд: пауза до {(last + pause):%d.%m.%Y}, "
            "чтобы блокировка снялась")
