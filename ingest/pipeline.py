"""The one ingest pipeline every channel goes through.

    records → validate → normalise (UTC, 1–5, clean text) → content hash
            → bulk upsert keyed by (source, external id) → quarantine → ingest-run record

Usage (an importer, a crawler, the nightly flow)::

    result = ingest_records(source.id, parse_file(path), kind="pos", origin=str(path))
    result.n_new, result.n_updated, result.n_unchanged, result.n_quarantined, result.changed_ids

Guarantees:

- One transaction for the whole import: on any exception (a parser raising mid-file, a
  database error) nothing of it is stored, except a `failed` `IngestRun` row with the error,
  written in a separate transaction; the exception is re-raised.
- Idempotent: importing the same records again changes nothing but `last_seen` (and
  counts them as unchanged). Quarantine rows are unique per (source, payload hash).
- An edit (same external id, different text/rating/criteria/reply/date/service) updates
  the row in place; the previous values go to `feedback_versions`. `classified_hash` is
  left alone, so NLP re-classifies exactly the items whose `content_hash` differs from it.
- `Rejected` records and records failing the pipeline's own checks (rating outside 1–5,
  a naive date, a date outside the plausible window — before `PAINMAP_EARLIEST_DATE`,
  default 01.01.2000, or after tomorrow —, an empty id, the same external id twice in one
  import with different content) are quarantined with the reason and their location.
- Service names are resolved to the source organisation's services; unknown ones are created.
- The source's health (`status`, `status_detail`, `last_run_at`) is set from the run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from sqlmodel import Session

from ingest.normalise import RecordError, jsonable, normalise, payload_of
from ingest.records import FeedbackRecord, Rejected
from ingest.runs import RUN_STATUSES, STATUS_OK, record_failed_run
from ingest.store import ChunkOutcome, FeedbackWriter, QuarantineItem
from models.db import session_scope
from models.settings import get_settings
from models.tables import IngestRun, Source, utcnow
from vocabulary.dates import DateWindow
from vocabulary.errors import UserError

log = logging.getLogger(__name__)
T = TypeVar("T")
CHUNK_SIZE = 5000
REASONS_KEPT = 20


class SourceNotFound(UserError):
    """The import names a source id that is not in the store."""


@dataclass
class IngestResult:
    """Counts of one import. `changed_ids` are the feedback ids inserted or edited, i.e.
    what NLP has to (re)classify."""

    run_id: int
    n_new: int = 0
    n_updated: int = 0
    n_unchanged: int = 0
    n_quarantined: int = 0
    n_duplicates: int = 0  # the same item twice in one import, identical: stored once
    n_refreshed: int = 0  # unchanged content whose `extra` was refreshed
    changed_ids: list[int] = field(default_factory=list)
    status: str = STATUS_OK
    reasons: list[str] = field(default_factory=list)  # the first quarantine reasons, with location

    @property
    def n_total(self) -> int:
        return self.n_new + self.n_updated + self.n_unchanged + self.n_quarantined + self.n_duplicates


def ingest_records(
    source_id: int,
    records: Iterable[FeedbackRecord | Rejected],
    *,
    kind: str,
    origin: str | None = None,
    url: str | None = None,
    progress: Callable[[int], None] | None = None,
    status: str = STATUS_OK,
    note: str | None = None,
    chunk_size: int = CHUNK_SIZE,
    dates: DateWindow | None = None,
) -> IngestResult:
    """Import `records` into source `source_id` in one transaction (see the module doc).

    `kind` names the channel or importer (stored on the run), `origin` the file or URL,
    `url` the database (default: the configured one). `progress` is called after each chunk
    with the number of input records consumed by that chunk (an increment, as Rich's
    `advance` takes). `status`/`note` let a crawler record a partial result: e.g.
    `status="blocked", note="капча на странице 3"` stores what was fetched and marks the
    run and the source as blocked. `dates` is the plausible window (default: from
    `PAINMAP_EARLIEST_DATE` to tomorrow in Moscow time).
    """
    if status not in RUN_STATUSES:
        raise ValueError(f"unknown run status {status!r}")
    started = utcnow()
    try:
        with session_scope(url) as session:
            return _ingest(session, source_id, records, kind=kind, origin=origin, progress=progress,
                           status=status, note=note, chunk_size=chunk_size, started=started,
                           dates=dates or DateWindow(earliest=get_settings().earliest_date))
    except BaseException as exc:
        _record_failure(source_id, kind, origin, url, started, exc)
        raise


def _ingest(session: Session, source_id: int, records: Iterable[FeedbackRecord | Rejected], *,
            kind: str, origin: str | None, progress: Callable[[int], None] | None, status: str,
            note: str | None, chunk_size: int, started: datetime, dates: DateWindow) -> IngestResult:
    source = session.get(Source, source_id)
    if source is None:
        raise SourceNotFound(f"источник с идентификатором {source_id} не найден в базе")
    run = IngestRun(source_id=source_id, kind=kind[:30], origin=(origin or "")[:1000] or None,
                    started_at=started, status="running")
    session.add(run)
    session.flush()
    assert run.id is not None and source.id is not None
    writer = FeedbackWriter(session.connection(), source.id, source.org_id, run.id, utcnow())
    result = IngestResult(run_id=run.id, status=status)
    seen: dict[str, str] = {}
    for chunk in _batches(records, chunk_size):
        rows, rejected = _prepare(chunk, seen, result, dates)
        _add(result, writer.write(rows))
        writer.quarantine(rejected)
        result.n_quarantined += len(rejected)
        result.reasons.extend(f"{q.location or '—'}: {q.reason}"
                              for q in rejected[: max(0, REASONS_KEPT - len(result.reasons))])
        if progress is not None:
            progress(len(chunk))
    finished = utcnow()
    run.finished_at, run.status, run.error = finished, status, note
    run.n_new, run.n_updated, run.n_unchanged = result.n_new, result.n_updated, result.n_unchanged
    run.n_quarantined = result.n_quarantined
    run.summary = {"duplicates": result.n_duplicates, "refreshed": result.n_refreshed,
                   "reasons": result.reasons}
    session.add(run)
    source.status, source.status_detail, source.last_run_at = status, note, finished
    session.add(source)
    log.info("ingest %s source=%s: new=%d updated=%d unchanged=%d quarantined=%d", kind, source_id,
             result.n_new, result.n_updated, result.n_unchanged, result.n_quarantined)
    return result


def _prepare(chunk: list[FeedbackRecord | Rejected], seen: dict[str, str], result: IngestResult,
             dates: DateWindow) -> tuple[list[Any], list[QuarantineItem]]:
    """Split a chunk into rows to write and items to quarantine; `seen` (external id → hash)
    spans the whole import so a repeated id is caught across chunks."""
    earliest, end = dates.utc_bounds()
    rows = []
    rejected: list[QuarantineItem] = []
    for record in chunk:
        if type(record) is not FeedbackRecord:  # the common case decided with one check
            if isinstance(record, Rejected):
                rejected.append(QuarantineItem(record.location, jsonable(record.payload), record.reason))
                continue
            if not isinstance(record, FeedbackRecord):
                raise TypeError(f"expected FeedbackRecord or Rejected, not {type(record).__name__}")
        try:
            row = normalise(record)
        except RecordError as exc:
            rejected.append(QuarantineItem(_where(record), payload_of(record), str(exc)))
            continue
        if row.published_at is not None and not earliest <= row.published_at < end:
            reason = dates.why_not(row.published_at) or ""
            rejected.append(QuarantineItem(_where(record), payload_of(record), reason))
            continue
        previous = seen.get(row.external_id)
        if previous is None:
            seen[row.external_id] = row.content_hash
            rows.append(row)
        elif previous == row.content_hash:
            result.n_duplicates += 1
        else:
            rejected.append(QuarantineItem(
                _where(record), payload_of(record),
                f"идентификатор {row.external_id} повторяется в одном импорте с другим содержанием",
            ))
    return rows, rejected


def _where(record: FeedbackRecord) -> str:
    """The record's location as the parser gave it, else its id: a quarantine row must say
    which item it was."""
    return record.location or f"external_id={getattr(record, 'external_id', None)}"


def _add(result: IngestResult, outcome: ChunkOutcome) -> None:
    result.n_new += len(outcome.new_ids)
    result.n_updated += len(outcome.updated_ids)
    result.n_unchanged += outcome.unchanged
    result.n_refreshed += outcome.refreshed
    result.changed_ids.extend(outcome.new_ids)
    result.changed_ids.extend(outcome.updated_ids)


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _record_failure(source_id: int, kind: str, origin: str | None, url: str | None,
                    started: datetime, exc: BaseException) -> None:
    """Leave a trace of the failed import; never mask the original exception."""
    if isinstance(exc, UserError):
        message = str(exc)
    elif isinstance(exc, KeyboardInterrupt):
        message = "прервано пользователем"
    else:
        message = f"{type(exc).__name__}: {exc}"
    try:
        record_failed_run(None if isinstance(exc, SourceNotFound) else source_id, kind=kind[:30],
                          error=message, origin=origin, url=url, started_at=started)
    except Exception:  # the store itself may be what failed
        log.exception("could not record the failed ingest run of source %s", source_id)
