"""Engines and sessions. One engine per URL per process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

from models.settings import get_settings, normalise_url


def database_url(url: str | None = None) -> str:
    return normalise_url(url) if url else get_settings().resolved_database_url()


_ENGINES: dict[str, Engine] = {}
BUSY_SECONDS = 60  # how long a SQLite connection waits for another writer to finish


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for an in-memory database or another store."""
    if not url.startswith("sqlite"):
        return None
    path = url.split("sqlite:///", 1)[-1] if "sqlite:///" in url else ""
    return Path(path) if path and path != ":memory:" else None


def _engine(url: str) -> Engine:
    if url not in _ENGINES:
        _ENGINES[url] = _create(url)
    return _ENGINES[url]


def _create(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sqlite_path(url)
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
        # A reader per API worker thread: SQLite in WAL mode serves concurrent readers.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_SECONDS},
                               pool_size=20, max_overflow=40)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """WAL lets the API read while the nightly job writes; foreign keys are off by default."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
    # SQLite's lower() folds ASCII only: a search for «очередь» would miss «Очередь».
    dbapi_conn.create_function("lower", 1, _lower, deterministic=True)  # type: ignore[attr-defined]


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def get_engine(url: str | None = None) -> Engine:
    return _engine(database_url(url))


def dispose_engines() -> None:
    """Close and forget every engine (tests switch databases; forks must not share pools)."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error: imports are atomic."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
