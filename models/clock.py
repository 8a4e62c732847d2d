"""The database's clock as a SQL expression: workers on several machines compare leases and
book request slots against one clock, not against their own (which may drift apart)."""

from __future__ import annotations

from sqlalchemy import Float, cast, func, literal_column
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement


def db_now(conn: Connection) -> ColumnElement[float]:
    """Seconds since the epoch, with sub-second precision, read when the statement runs."""
    if conn.dialect.name == "postgresql":
        return cast(func.extract("epoch", func.clock_timestamp()), Float)
    return cast(literal_column("(julianday('now') - 2440587.5) * 86400.0"), Float)
