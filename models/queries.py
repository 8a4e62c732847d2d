"""What scoring reads from the store, as plain data.

Rating channels are summed in SQL (one row per channel kind); criteria channels and
Госуслуги come back as lists of small dicts because their shape (JSON criteria, the
period an item covers) is decided in Python, identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from models.tables import (
    Feedback,
    Organisation,
    PracticeRegulationRow,
    PracticeServiceRow,
    PracticeSummary,
    Source,
)

RATING_KINDS = ("yandex", "pos", "terminal")
CRITERIA_KINDS = ("survey", "vashkontrol")


@dataclass(frozen=True)
class PracticeRows:
    services: list[PracticeServiceRow]
    regulations: list[PracticeRegulationRow]
    summary: PracticeSummary | None


def organisations(session: Session, ref: str | None = None) -> list[Organisation]:
    """All organisations by code, or the one named by code or name."""
    query = select(Organisation).order_by(Organisation.code)
    if ref is not None:
        query = query.where((Organisation.code == ref) | (Organisation.name == ref))
    return list(session.exec(query).all())


def channel_kinds(session: Session, org_id: int) -> set[str]:
    """The kinds of the organisation's sources: the channels it is scored on."""
    return set(session.exec(select(Source.kind).where(Source.org_id == org_id).distinct()).all())


def rating_sums(session: Session, org_id: int, start: datetime,
                end: datetime) -> dict[str, tuple[float, int]]:
    """(Σ rating, number of rated items) per rating channel for items published in [start, end)."""
    query = (
        select(Source.kind, func.sum(Feedback.rating), func.count(col(Feedback.rating)))
        .join(Source, col(Source.id) == col(Feedback.source_id))
        .where(Source.org_id == org_id, col(Source.kind).in_(RATING_KINDS),
               col(Feedback.rating).is_not(None),
               col(Feedback.published_at) >= start, col(Feedback.published_at) < end)
        .group_by(Source.kind)
    )
    return {kind: (float(total or 0), int(n)) for kind, total, n in session.exec(query).all()}


def criteria_items(session: Session, org_id: int, start: datetime,
                   end: datetime) -> dict[str, list[dict[str, Any]]]:
    """The criteria dicts of survey and «Ваш контроль» items published in [start, end)."""
    query = (
        select(Source.kind, Feedback.criteria)
        .join(Source, col(Source.id) == col(Feedback.source_id))
        .where(Source.org_id == org_id, col(Source.kind).in_(CRITERIA_KINDS),
               col(Feedback.published_at) >= start, col(Feedback.published_at) < end)
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, criteria in session.exec(query).all():
        out.setdefault(kind, []).append(dict(criteria or {}))
    return out


def gosuslugi_items(session: Session, org_id: int) -> list[dict[str, Any]]:
    """Every Госуслуги item of the organisation: rating, weight, the period it covers and its
    date; the caller keeps those whose own period lies inside the requested one."""
    query = (
        select(Feedback.rating, Feedback.extra, Feedback.published_at)
        .join(Source, col(Source.id) == col(Feedback.source_id))
        .where(Source.org_id == org_id, Source.kind == "gosuslugi", col(Feedback.rating).is_not(None))
    )
    return [{"rating": rating, "ratings_count": (extra or {}).get("ratings_count"),
             "period": (extra or {}).get("period"), "published_at": published}
            for rating, extra, published in session.exec(query).all()]


def practice_rows(session: Session, org_id: int, period: str) -> PracticeRows | None:
    """The stored Таблицы 3, 3.1 and 5 of (organisation, year), or None when there are none."""
    services = session.exec(select(PracticeServiceRow).where(
        PracticeServiceRow.org_id == org_id, PracticeServiceRow.period == period)
        .order_by(col(PracticeServiceRow.id))).all()
    if not services:
        return None
    regulations = session.exec(select(PracticeRegulationRow).where(
        PracticeRegulationRow.org_id == org_id, PracticeRegulationRow.period == period)
        .order_by(col(PracticeRegulationRow.id))).all()
    summary = session.exec(select(PracticeSummary).where(
        PracticeSummary.org_id == org_id, PracticeSummary.period == period)).first()
    return PracticeRows(list(services), list(regulations), summary)
