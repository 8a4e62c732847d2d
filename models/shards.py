"""One night's work shared by a fleet of workers: tasks taken under leases.

The night's coordinator plans the work as tasks (`plan`); every worker, the coordinator
included, takes the next free one (`take`), renews its lease while it works (`Lease`) and
reports it done (`finish`). A task whose holder stopped renewing — the worker was killed,
its machine lost — is free again once its lease has run out, and the next worker to look
takes it over; `holders` keeps who had it. Only the current holder can finish a task, so a
worker that was merely slow cannot overwrite the one that took over.

Every comparison of times is made on the database's clock (`models.clock`). Taking a task
is a guarded update (the row must still be free and unchanged since it was read), so two
workers never both get it — on PostgreSQL with `SKIP LOCKED` to spare them the wait, on
SQLite through its single writer.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.engine import Connection

from models.clock import db_now
from models.db import get_engine
from models.tables import NightTask, utcnow

PENDING, RUNNING, DONE = "pending", "running", "done"


@dataclass(frozen=True)
class Taken:
    """A task a worker holds: what to do, and whose it was before (a takeover)."""

    id: int
    seq: int
    kind: str
    payload: dict[str, Any]
    attempts: int
    holders: list[str]

    @property
    def taken_over_from(self) -> str | None:
        """The previous holder, when it was another worker (one that gave the task back
        after an error and took it again took nothing over)."""
        previous = self.holders[-2] if len(self.holders) > 1 else None
        return previous if previous != self.holders[-1] else None


def _table() -> Any:
    return NightTask.__table__  # type: ignore[attr-defined]  # SQLModel's table attribute


def plan(night: str, tasks: Sequence[tuple[str, dict[str, Any]]], url: str | None = None,
         status: str = PENDING) -> list[int]:
    """Add the night's tasks (kind, payload) after those already planned; returns their ids."""
    t = _table()
    with get_engine(url).begin() as conn:
        last = select(func.coalesce(func.max(t.c.seq), 0)).where(t.c.night == night)
        first = conn.execute(last).scalar_one()
        ids = []
        for offset, (kind, payload) in enumerate(tasks, start=1):
            row = NightTask(night=night, seq=first + offset, kind=kind, payload=payload, status=status)
            values = {c.name: getattr(row, c.name) for c in t.columns if c.name != "id"}
            ids.append(conn.execute(t.insert().values(**values).returning(t.c.id)).scalar_one())
    return ids


def _free(conn: Connection, night: str, kind: str | None) -> Any:
    t = _table()
    free = and_(t.c.night == night, or_(t.c.status == PENDING,
                                         and_(t.c.status == RUNNING, t.c.lease_until < db_now(conn))))
    return and_(free, t.c.kind == kind) if kind else free


def take(night: str, holder: str, lease: float, kind: str | None = None, url: str | None = None,
         tries: int = 20) -> Taken | None:
    """The next free task of the night (in plan order), now held by `holder` for `lease`
    seconds; None when every task is done or held under a live lease."""
    t = _table()
    engine = get_engine(url)
    for _ in range(tries):
        with engine.begin() as conn:
            row = conn.execute(select(t).where(_free(conn, night, kind)).order_by(t.c.seq).limit(1)
                               .with_for_update(skip_locked=True)).mappings().first()
            if row is None:
                return None
            holders = [*row["holders"], holder]
            done = conn.execute(
                update(t).where(t.c.id == row["id"], t.c.attempts == row["attempts"],
                                _free(conn, night, kind))
                .values(status=RUNNING, holder=holder, lease_until=db_now(conn) + lease,
                        attempts=row["attempts"] + 1, holders=holders))
            if done.rowcount == 1:
                return Taken(row["id"], row["seq"], row["kind"], dict(row["payload"]), row["attempts"] + 1,
                             holders)
    return None


def renew(task_id: int, holder: str, lease: float, url: str | None = None) -> bool:
    """Extend the lease; False when the task is no longer this holder's."""
    t = _table()
    with get_engine(url).begin() as conn:
        done = conn.execute(update(t).where(t.c.id == task_id, t.c.holder == holder, t.c.status == RUNNING)
                            .values(lease_until=db_now(conn) + lease))
        return done.rowcount == 1


def finish(task_id: int, holder: str, result: dict[str, Any], url: str | None = None) -> bool:
    """Mark the task done with its result; False (and nothing written) when another worker
    has taken it over meanwhile."""
    t = _table()
    with get_engine(url).begin() as conn:
        done = conn.execute(update(t).where(t.c.id == task_id, t.c.holder == holder, t.c.status == RUNNING)
                            .values(status=DONE, result=result, finished_at=utcnow(), lease_until=None))
        return done.rowcount == 1


def release(task_id: int, holder: str, url: str | None = None) -> bool:
    """Give a task back untouched (its work failed here): the next worker to look takes it,
    and its `attempts` keep counting."""
    t = _table()
    with get_engine(url).begin() as conn:
        done = conn.execute(update(t).where(t.c.id == task_id, t.c.holder == holder, t.c.status == RUNNING)
                            .values(status=PENDING, holder=None, lease_until=None))
        return done.rowcount == 1


def prune(days: int, url: str | None = None) -> int:
    """Delete the tasks of nights older than `days` (the night's summary keeps what they
    did); returns how many rows went."""
    from datetime import timedelta

    t = _table()
    with get_engine(url).begin() as conn:
        return int(conn.execute(t.delete().where(t.c.created_at < utcnow() - timedelta(days=days))).rowcount)


def unfinished(night: str, kind: str | None = None, url: str | None = None) -> int:
    t = _table()
    with get_engine(url).connect() as conn:
        where = and_(t.c.night == night, t.c.status != DONE)
        if kind:
            where = and_(where, t.c.kind == kind)
        return int(conn.execute(select(func.count()).select_from(t).where(where)).scalar_one())


def tasks(night: str, kind: str | None = None, url: str | None = None) -> list[NightTask]:
    """The night's tasks in plan order, as stored."""
    t = _table()
    with get_engine(url).connect() as conn:
        where = and_(t.c.night == night, t.c.kind == kind) if kind else t.c.night == night
        return [NightTask(**row) for row in conn.execute(select(t).where(where).order_by(t.c.seq)).mappings()]


class Lease:
    """Keep a taken task's lease alive from a background thread while the block runs.

        with Lease(task.id, me, 30):
            do_the_work()

    Renewed every third of the lease, so a lost worker's task is free again within one
    lease. `lost` turns true when a renewal finds the task taken over (this worker was
    presumed dead): its work is then done twice, harmlessly, since storing is idempotent."""

    def __init__(self, task_id: int, holder: str, seconds: float, url: str | None = None) -> None:
        self.task_id, self.holder, self.seconds, self.url = task_id, holder, seconds, url
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{task_id}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                if not renew(self.task_id, self.holder, self.seconds, self.url):
                    self.lost = True
                    return
            except Exception:  # a database hiccup: try again at the next beat
                continue

    def __enter__(self) -> Lease:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()


CLOSED = "closed"


def close(night: str, url: str | None = None) -> None:
    """Tell the night's helpers there is nothing more to come (a done task of kind `closed`)."""
    if not is_closed(night, url):
        plan(night, [(CLOSED, {})], url, status=DONE)


def is_closed(night: str, url: str | None = None) -> bool:
    t = _table()
    with get_engine(url).connect() as conn:
        return conn.execute(select(t.c.id).where(t.c.night == night, t.c.kind == CLOSED)).first() is not None
