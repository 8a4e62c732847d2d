"""Store-wide locks between processes: one nightly run at a time per store.

Two nightly runs started together (a cron and a hand-started one, two workers) would each
classify the same unclassified items and recompute the same scores. The lock lives where
the store is, so it holds across machines that share it, and it dies with its holder (a
killed run never leaves a stale lock): a PostgreSQL advisory lock on a connection kept for
the run, or an exclusive `flock` on a file beside the SQLite database.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from models.db import get_engine, sqlite_path
from vocabulary.errors import UserError


class Busy(UserError):
    """Another process holds the lock."""

    exit_code = 4


@contextmanager
def held(name: str, what: str, url: str | None = None) -> Iterator[None]:
    """Hold the store's lock `name` for the block; `Busy` (naming `what`) at once if another
    process holds it."""
    engine = get_engine(url)
    busy = Busy(f"{what} уже выполняется в другом процессе для этой базы данных; "
                "дождитесь его окончания и запустите снова.")
    if engine.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar()
            conn.commit()  # a session lock: no transaction kept open for the run
            if not got:
                raise busy
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()
        return
    path = sqlite_path(engine.url.render_as_string())
    if path is None:  # an in-memory database lives in one process
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{path}.{name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
