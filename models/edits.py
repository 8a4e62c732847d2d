"""Analysts' label edits are never lost, even while an import holds the store.

SQLite lets one writer in at a time, and an import is one transaction (all of a file or
none of it), so a 400k-row import keeps the write lock for minutes. A label save that
cannot get the lock within `WAIT_SECONDS` is appended to a journal beside the database
file (`<db>.edits.jsonl`, flushed to disk) and the analyst is told it will be written once
the import ends; the journal is applied, oldest edit first, before the next save and by
the API's background applier every few seconds. PostgreSQL has no store-wide write lock:
there, every save is written at once.

    stored = save_labels(session, LabelEdit(feedback_id, ["queue"], "negative", "Иванова"))
    # True: written now; False: journalled, applied when the store is free
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from models.db import BUSY_SECONDS, sqlite_path
from models.labels import check_labels, set_analyst_labels
from models.tables import Feedback, utcnow
from vocabulary.errors import UserError

log = logging.getLogger(__name__)
WAIT_SECONDS = 5.0  # how long a save waits for the write lock before it is journalled
QUEUED = ("Идёт загрузка данных: правка разметки сохранена и будет записана, "
          "как только загрузка закончится.")


@dataclass(frozen=True)
class LabelEdit:
    feedback_id: int
    categories: list[str]
    polarity: str | None
    author: str | None = None
    at: str = field(default_factory=lambda: utcnow().isoformat())


def journal_path(session: Session) -> Path | None:
    """Where the edits wait: beside the SQLite file; None for other stores."""
    path = sqlite_path(session.get_bind().engine.url.render_as_string())
    return Path(f"{path}.edits.jsonl") if path else None


def save_labels(session: Session, edit: LabelEdit) -> bool:
    """Write the analyst's labels; True if stored now, False if journalled (the store was
    locked by an import), never lost. Bad labels or an unknown item raise `UserError`."""
    check_labels(edit.categories, edit.polarity)
    if session.get(Feedback, edit.feedback_id) is None:
        raise UserError(f"отзыв №{edit.feedback_id} не найден")
    session.rollback()  # end the read, so that the write below starts from a fresh snapshot
    journal = journal_path(session)
    if journal is None:
        _apply(session, edit)
        session.commit()
        return True
    with _locked(journal) as pending:
        try:
            with _short_wait(session):
                for older in pending:
                    _apply(session, older)
                _apply(session, edit)
                session.commit()
        except OperationalError as exc:
            session.rollback()
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            pending.append(edit)
            log.warning("store locked: label edit of item %s journalled", edit.feedback_id)
            return False
        pending.clear()
    return True


def apply_journal(session: Session) -> int:
    """Write the journalled edits if the store takes writes now; how many were written."""
    journal = journal_path(session)
    if journal is None or not journal.exists() or journal.stat().st_size == 0:
        return 0
    with _locked(journal) as pending:
        try:
            with _short_wait(session):
                for edit in pending:
                    _apply(session, edit)
                session.commit()
        except OperationalError:
            session.rollback()
            return 0
        written = len(pending)
        pending.clear()
    log.info("%s journalled label edits written", written)
    return written


def pending_for(session: Session, feedback_id: int) -> LabelEdit | None:
    """The latest journalled edit of an item (to show the analyst what is coming)."""
    journal = journal_path(session)
    if journal is None or not journal.exists():
        return None
    edits = [e for e in _read(journal) if e.feedback_id == feedback_id]
    return edits[-1] if edits else None


def _apply(session: Session, edit: LabelEdit) -> None:
    if session.get(Feedback, edit.feedback_id) is None:
        log.warning("journalled edit of item %s dropped: the item is gone", edit.feedback_id)
        return
    set_analyst_labels(session, edit.feedback_id, list(edit.categories), edit.polarity,
                       author=edit.author, at=datetime.fromisoformat(edit.at))


def _read(journal: Path) -> list[LabelEdit]:
    lines = journal.read_text(encoding="utf-8").splitlines() if journal.exists() else []
    return [LabelEdit(**json.loads(line)) for line in lines if line.strip()]


@contextmanager
def _locked(journal: Path) -> Iterator[list[LabelEdit]]:
    """The journal's edits under an exclusive file lock (API threads and processes);
    the list as left by the caller is written back, durably."""
    journal.parent.mkdir(parents=True, exist_ok=True)
    with open(journal, "a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            edits = _read(journal)
            before = list(edits)
            yield edits
            if edits != before:
                handle.seek(0)
                handle.truncate()
                handle.writelines(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in edits)
                handle.flush()
                os.fsync(handle.fileno())
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def _short_wait(session: Session) -> Iterator[None]:
    """Wait at most `WAIT_SECONDS` for SQLite's write lock (the engine's connections wait
    `BUSY_SECONDS`), then give the pooled connection its usual patience back."""
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    raw.execute(f"PRAGMA busy_timeout = {int(WAIT_SECONDS * 1000)}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(BUSY_SECONDS * 1000)}")
