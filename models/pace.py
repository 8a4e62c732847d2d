"""Politeness across the fleet: at most one request per `interval` from one crawl identity
(an outgoing address or proxy) to one host, however many workers share that identity.

Each request books the next free slot of its `host@identity` key in one statement (an
upsert that returns how long to wait), so workers on any number of machines that share the
store take turns without talking to each other. Per-process delays (Scrapy's
DOWNLOAD_DELAY) cannot do this: two processes would each wait the delay and together
knock twice as often.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models.clock import db_now
from models.db import get_engine
from models.tables import HostPace


def pace_key(host: str, identity: str) -> str:
    return f"{host.lower()}@{identity}"


def book_slot(key: str, interval: float, url: str | None = None) -> float:
    """Book the next request slot of `key`; returns the seconds to wait before sending it
    (0 when the key has been idle for `interval` or longer)."""
    table = HostPace.__table__  # type: ignore[attr-defined]  # SQLModel's table attribute
    with get_engine(url).begin() as conn:
        now = db_now(conn)
        postgres = conn.dialect.name == "postgresql"
        insert = pg_insert(table) if postgres else sqlite_insert(table)
        later = func.greatest(table.c.next_at, now) if postgres else func.max(table.c.next_at, now)
        stmt = insert.values(key=key, next_at=now + interval).on_conflict_do_update(
            index_elements=[table.c.key], set_={"next_at": later + interval},
        ).returning(table.c.next_at - interval - now)
        wait = conn.execute(stmt).scalar_one()
    return max(0.0, float(wait))
