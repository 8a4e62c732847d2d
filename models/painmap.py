"""The «карта болей»: for each organisation and pain category, how many feedback items of a
period complain about it and what share of the items with text that is, with the change
against another period. Read by the API, the pages and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVarTuple

from sqlalchemy import Select, func, select
from sqlmodel import Session, col

from models.labels import effective_categories
from models.tables import Feedback, Organisation, Source
from vocabulary.categories import CATEGORIES

Ts = TypeVarTuple("Ts")


@dataclass
class PainCell:
    count: int
    share: float  # % of the organisation's items with text in the period
    previous_count: int | None = None
    previous_share: float | None = None

    @property
    def change(self) -> float | None:
        """Change of the share in percentage points (None without a previous period)."""
        return None if self.previous_share is None else self.share - self.previous_share


@dataclass
class PainRow:
    org: str
    org_name: str
    texts: int
    cells: dict[str, PainCell] = field(default_factory=dict)


def _counts(session: Session, start: datetime | None, end: datetime | None, org: str | None,
            channel: str | None = None) -> tuple[dict[str, tuple[str, int]], dict[tuple[str, str], int]]:
    def in_period(query: Select[*Ts]) -> Select[*Ts]:
        if start is not None:
            query = query.where(col(Feedback.published_at) >= start)
        if end is not None:
            query = query.where(col(Feedback.published_at) < end)
        if org:
            query = query.where(col(Organisation.code) == org)
        if channel:
            query = query.where(col(Source.kind) == channel)
        return query

    base = (select(col(Organisation.code), col(Organisation.name), func.count(col(Feedback.id)))
            .join(Source, col(Source.org_id) == col(Organisation.id))
            .join(Feedback, col(Feedback.source_id) == col(Source.id))
            .where(col(Feedback.text).is_not(None), col(Feedback.text) != "")
            .group_by(col(Organisation.code), col(Organisation.name)))
    texts = {code: (name, n) for code, name, n in session.execute(in_period(base))}
    labelled = effective_categories().subquery()
    per_cat = (select(col(Organisation.code), labelled.c.category, func.count())
               .select_from(labelled)
               .join(Feedback, col(Feedback.id) == labelled.c.feedback_id)
               .join(Source, col(Source.id) == col(Feedback.source_id))
               .join(Organisation, col(Organisation.id) == col(Source.org_id))
               .group_by(col(Organisation.code), labelled.c.category))
    counts = {(code, cat): n for code, cat, n in session.execute(in_period(per_cat))}
    return texts, counts


def pain_map(session: Session, start: datetime | None, end: datetime | None,
             previous: tuple[datetime, datetime] | None = None, org: str | None = None,
             channel: str | None = None) -> list[PainRow]:
    """Offices × categories of the items published in [start, end) (of one office, of one
    channel when given), against the `previous` bounds."""
    texts, counts = _counts(session, start, end, org, channel)
    prev_texts, prev_counts = _counts(session, *previous, org, channel) if previous else ({}, {})
    rows = []
    for code in sorted(texts):
        name, total = texts[code]
        row = PainRow(code, name, total)
        for cat in CATEGORIES:
            n = counts.get((code, cat), 0)
            cell = PainCell(n, 100.0 * n / total if total else 0.0)
            if previous:
                prev_total = prev_texts.get(code, ("", 0))[1]
                pn = prev_counts.get((code, cat), 0)
                cell.previous_count = pn
                cell.previous_share = 100.0 * pn / prev_total if prev_total else None
            row.cells[cat] = cell
        rows.append(row)
    return rows
