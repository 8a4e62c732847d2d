"""Set-based writes of one chunk of normalised records: the part of the pipeline that
decides the speed.

Per chunk: one UPDATE … RETURNING that sets `last_seen` of the chunk's stored items and
gives back their (external id → id, hash) pairs, one multi-row INSERT of the new rows
(then one SELECT of their ids), and one executemany UPDATE of the edited rows after copying
their previous values into `feedback_versions`. Never a statement per row, never an ORM
object per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    JSON,
    Connection,
    Table,
    Text,
    any_,
    bindparam,
    cast,
    insert,
    literal_column,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

from ingest.normalise import NormalRecord, payload_hash
from models.tables import Feedback, FeedbackVersion, Quarantine, Service

FEEDBACK: Table = Feedback.__table__  # type: ignore[attr-defined]
VERSIONS: Table = FeedbackVersion.__table__  # type: ignore[attr-defined]
QUARANTINE: Table = Quarantine.__table__  # type: ignore[attr-defined]
SERVICES: Table = Service.__table__  # type: ignore[attr-defined]
LOCATION_MAX = 1000
CHUNK_HINT = 5000


@dataclass
class QuarantineItem:
    location: str | None
    payload: dict[str, Any]
    reason: str


@dataclass
class ChunkOutcome:
    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    unchanged: int = 0
    refreshed: int = 0  # unchanged content, but `extra` (likes, status…) refreshed


class _Existing(NamedTuple):
    id: int
    content_hash: str
    extra_json: str
    rating_raw: str | None


class FeedbackWriter:
    """Writes chunks of one source's records inside the caller's transaction."""

    def __init__(self, conn: Connection, source_id: int, org_id: int, run_id: int, now: datetime) -> None:
        self.conn, self.source_id, self.org_id, self.run_id, self.now = conn, source_id, org_id, run_id, now
        rows = conn.execute(select(SERVICES.c.name, SERVICES.c.id).where(SERVICES.c.org_id == org_id))
        self.services: dict[str, int] = {name: id_ for name, id_ in rows}
        self.postgres = conn.dialect.name == "postgresql"
        self._known_rows = self._estimated_rows() if self.postgres else 0
        self._inserted = 0

    def _in(self, column: ColumnElement[Any], values: list[Any]) -> ColumnElement[bool]:
        """`column IN (…)`; on PostgreSQL `= ANY(array)`: one parameter instead of thousands,
        so the driver neither re-parses a huge statement nor sends thousands of values."""
        if self.postgres:
            return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
        return column.in_(values)

    def _json(self, name: str) -> ColumnElement[Any]:
        """A JSON column's value passed as ready-made JSON text (serialised once, in normalise)."""
        param = bindparam(name, type_=Text)
        return cast(param, JSON) if self.postgres else param

    # --- feedback ---------------------------------------------------------------------------

    def write(self, rows: list[NormalRecord]) -> ChunkOutcome:
        outcome = ChunkOutcome()
        if not rows:
            return outcome
        existing = self._seen([r.external_id for r in rows])
        new: list[NormalRecord] = []
        changed: list[tuple[NormalRecord, _Existing]] = []
        unchanged = 0
        refresh: list[dict[str, Any]] = []
        for row in rows:
            old = existing.get(row.external_id)
            if old is None:
                new.append(row)
            elif old.content_hash != row.content_hash:
                changed.append((row, old))
            else:
                unchanged += 1
                if old.extra_json != row.extra_json or old.rating_raw != row.rating_raw:
                    refresh.append({"b_id": old.id, "b_extra": row.extra_json, "rating_raw": row.rating_raw})
        outcome.new_ids = self._insert(new)
        outcome.updated_ids = self._update(changed)
        outcome.unchanged, outcome.refreshed = unchanged, len(refresh)
        if refresh:
            self.conn.execute(update(FEEDBACK).where(FEEDBACK.c.id == bindparam("b_id"))
                              .values(extra=self._json("b_extra")), refresh)
        return outcome

    def _seen(self, external_ids: list[str]) -> dict[str, _Existing]:
        """Mark the chunk's stored items as seen now (`last_seen`) and return their stored
        (id, hash, extra as JSON text, raw rating) — one UPDATE … RETURNING, so that the
        lookup and the bulk `last_seen` update cost one pass over the index. Edited items get
        their `last_seen` again with the edit. `extra` is compared as text: cheaper than
        decoding it, and a spurious difference (key order) only costs a harmless refresh."""
        t = FEEDBACK
        if self.postgres:
            rows = self.conn.execute(
                update(t).where(t.c.source_id == self.source_id, self._in(t.c.external_id, external_ids))
                .values(last_seen=self.now)
                .returning(t.c.external_id, t.c.id, t.c.content_hash, cast(t.c.extra, Text), t.c.rating_raw)
            ).all()
        else:  # the hottest statement of a re-ingest: plain driver SQL halves its cost on SQLite
            stamp = t.c.last_seen.type.bind_processor(self.conn.dialect)  # the value as SQLAlchemy stores it
            rows = self.conn.exec_driver_sql(
                f"UPDATE feedback SET last_seen = ? WHERE source_id = ? AND external_id IN "
                f"({','.join('?' * len(external_ids))}) "
                "RETURNING external_id, id, content_hash, CAST(extra AS TEXT), rating_raw",
                (stamp(self.now) if stamp else self.now, self.source_id, *external_ids),
            ).fetchall()
        return {row[0]: _Existing(*row[1:]) for row in rows}

    def _insert(self, rows: list[NormalRecord]) -> list[int]:
        if not rows:
            return []
        params = [{
            "source_id": self.source_id, "external_id": r.external_id, "service_id": self._service(r.service),
            "published_at": r.published_at, "rating_raw": r.rating_raw, "rating": r.rating,
            "criteria": r.criteria, "text": r.text, "text_masked": None, "reply_text": r.reply_text,
            "b_extra": r.extra_json, "content_hash": r.content_hash, "first_seen": self.now,
            "last_seen": self.now, "ingest_run_id": self.run_id,
        } for r in rows]
        # No RETURNING: SQLite would then insert row by row; one SELECT for the ids is cheaper.
        self.conn.execute(insert(FEEDBACK).values(extra=self._json("b_extra"), scores=literal_column("'{}'")),
                          params)
        t = FEEDBACK
        ids = dict(self.conn.execute(
            select(t.c.external_id, t.c.id).where(t.c.source_id == self.source_id,
                                                  self._in(t.c.external_id, [r.external_id for r in rows]))
        ).all())
        self._inserted += len(rows)
        self._refresh_statistics()
        return [ids[r.external_id] for r in rows]

    def _estimated_rows(self) -> int:
        return int(self.conn.execute(
            text("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE relname = 'feedback'")
        ).scalar_one_or_none() or 0)

    def _refresh_statistics(self) -> None:
        """PostgreSQL plans the per-chunk lookups from table statistics; a first big import
        into a young table outgrows them within the transaction and the lookups turn into
        sequential scans (quadratic time). Re-ANALYZE each time the table has doubled
        since the planner last looked: a few cheap ANALYZEs per import."""
        if self.postgres and self._inserted > max(2 * self._known_rows, 4 * CHUNK_HINT):
            self.conn.execute(text("ANALYZE feedback"))
            self._known_rows = self._estimated_rows()
            self._inserted = 0

    def _update(self, changed: list[tuple[NormalRecord, _Existing]]) -> list[int]:
        """Keep the previous version, then edit in place. `classified_hash` stays: NLP finds
        edited items by comparing it with the new `content_hash`. The masked text of the old
        version no longer describes the item, so it is cleared for NLP to redo."""
        if not changed:
            return []
        ids = [old.id for _, old in changed]
        t = FEEDBACK
        previous = self.conn.execute(
            select(t.c.id, t.c.content_hash, t.c.rating, t.c.text, t.c.reply_text, t.c.criteria,
                   t.c.published_at).where(self._in(t.c.id, ids))
        ).all()
        self.conn.execute(insert(VERSIONS), [{
            "feedback_id": p.id, "content_hash": p.content_hash, "rating": p.rating, "text": p.text,
            "reply_text": p.reply_text, "criteria": p.criteria or {}, "published_at": p.published_at,
            "replaced_at": self.now, "ingest_run_id": self.run_id,
        } for p in previous])
        self.conn.execute(update(t).where(t.c.id == bindparam("b_id")).values(extra=self._json("b_extra")), [{
            "b_id": old.id, "service_id": self._service(r.service), "published_at": r.published_at,
            "rating_raw": r.rating_raw, "rating": r.rating, "criteria": r.criteria, "text": r.text,
            "text_masked": None, "reply_text": r.reply_text, "b_extra": r.extra_json,
            "content_hash": r.content_hash, "last_seen": self.now, "ingest_run_id": self.run_id,
        } for r, old in changed])
        return ids

    def _service(self, name: str | None) -> int | None:
        """Services are named by the channel; unknown names become (undeclared) services of
        the source's organisation (rare, so one INSERT each is fine)."""
        if name is None:
            return None
        if name not in self.services:
            self.services[name] = self.conn.execute(
                insert(SERVICES).values(org_id=self.org_id, name=name[:1000], declared=False)
                .returning(SERVICES.c.id)
            ).scalar_one()
        return self.services[name]

    # --- quarantine -------------------------------------------------------------------------

    def quarantine(self, items: list[QuarantineItem]) -> int:
        """Store rejected records once per (source, payload): re-running the same file does
        not duplicate them. Returns how many were stored for the first time."""
        if not items:
            return 0
        fresh: dict[str, QuarantineItem] = {}
        for item in items:
            fresh.setdefault(payload_hash(item.payload), item)
        known = set(self.conn.execute(
            select(QUARANTINE.c.payload_hash).where(QUARANTINE.c.source_id == self.source_id,
                                                    self._in(QUARANTINE.c.payload_hash, list(fresh)))
        ).scalars())
        rows = [{
            "source_id": self.source_id, "ingest_run_id": self.run_id,
            "location": (item.location or "")[:LOCATION_MAX] or None, "payload": item.payload,
            "payload_hash": digest, "reason": item.reason, "created_at": self.now,
        } for digest, item in fresh.items() if digest not in known]
        if rows:
            self.conn.execute(insert(QUARANTINE), rows)
        return len(rows)
