"""What scoring reads from the store, as plain data.

Rating channels are summed in SQL (one row per channel kind); criteria channels and
Госуслуги come back as lists of small dicts because their shape (JSON criteria, the
period an item covers) is decided in Python, identically on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from models.tables import (
    EmployeeMention,
    Feedback,
    IngestRun,
    Organisation,
    PracticeRegulationRow,
    PracticeServiceRow,
    PracticeSummary,
    ScoreSnapshot,
    Source,
)

RATING_KINDS = ("yandex", "pos", "terminal")


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


def channel_kinds(session: Session, org_id: int | None = None) -> dict[int, set[str]]:
    """The kinds of each organisation's sources: the channels it is scored on."""
    query = select(Source.org_id, Source.kind).distinct()
    if org_id is not None:
        query = query.where(Source.org_id == org_id)
    out: dict[int, set[str]] = {}
    for org, kind in session.exec(query).all():
        out.setdefault(org, set()).add(kind)
    return out


def _in_period(query: Any, start: datetime, end: datetime, org_id: int | None) -> Any:
    query = query.where(col(Feedback.published_at) >= start, col(Feedback.published_at) < end)
    return query if org_id is None else query.where(Source.org_id == org_id)


def rating_sums(session: Session, start: datetime, end: datetime,
                org_id: int | None = None) -> dict[tuple[int, str], tuple[float, int]]:
    """(Σ rating, number of rated items) per (organisation, rating channel) for items
    published in [start, end): one grouped query for every organisation at once."""
    query = (
        select(Source.org_id, Source.kind, func.sum(Feedback.rating), func.count(col(Feedback.rating)))
        .join(Source, col(Source.id) == col(Feedback.source_id))
        .where(col(Source.kind).in_(RATING_KINDS), col(Feedback.rating).is_not(None))
        .group_by(col(Source.org_id), col(Source.kind))
    )
    return {(org, kind): (float(total or 0), int(n))
            for org, kind, total, n in session.exec(_in_period(query, start, end, org_id)).all()}


CriteriaSums = dict[tuple[int, str], tuple[dict[str, tuple[float, int]], int]]


def criteria_sums(session: Session, start: datetime, end: datetime, criteria: Mapping[str, Sequence[str]],
                  org_id: int | None = None) -> CriteriaSums:
    """Per (organisation, criteria channel): (Σ score, count) of each criterion and the number
    of items scoring at least one of them — summed in SQL from the JSON criteria (json_extract
    on SQLite, ->> on PostgreSQL), so a million survey answers never come to Python."""
    out: CriteriaSums = {}
    for kind, keys in criteria.items():
        values = [Feedback.criteria[key].as_float() for key in keys]
        scored = case((or_(*[v.is_not(None) for v in values]), 1))
        query = (
            select(Source.org_id, func.count(scored),
                   *[x for v in values for x in (func.sum(v), func.count(v))])
            .join(Source, col(Source.id) == col(Feedback.source_id))
            .where(Source.kind == kind)
            .group_by(col(Source.org_id))
        )
        for org, n, *sums in session.exec(_in_period(query, start, end, org_id)).all():
            tallies = {key: (float(sums[2 * i] or 0), int(sums[2 * i + 1]))
                       for i, key in enumerate(keys) if sums[2 * i + 1]}
            out[(org, kind)] = (tallies, int(n))
    return out


def gosuslugi_items(session: Session, org_id: int | None = None) -> dict[int, list[dict[str, Any]]]:
    """Every Госуслуги item per organisation: rating, weight, the period it covers and its
    date; the caller keeps those whose own period lies inside the requested one."""
    query = (
        select(Source.org_id, Feedback.rating, Feedback.extra, Feedback.published_at)
        .join(Source, col(Source.id) == col(Feedback.source_id))
        .where(Source.kind == "gosuslugi", col(Feedback.rating).is_not(None))
    )
    if org_id is not None:
        query = query.where(Source.org_id == org_id)
    out: dict[int, list[dict[str, Any]]] = {}
    for org, rating, extra, published in session.exec(query).all():
        out.setdefault(org, []).append({"rating": rating, "ratings_count": (extra or {}).get("ratings_count"),
                                        "period": (extra or {}).get("period"), "published_at": published})
    return out


def latest_published(session: Session, source_id: int | None = None) -> datetime | None:
    """The newest stored item's date (of one source, or of all): the latest year to show, the
    page where an incremental crawl stops. Timezone-aware UTC on every back end."""
    query = select(func.max(Feedback.published_at))
    if source_id is not None:
        query = query.where(Feedback.source_id == source_id)
    value: Any = session.exec(query).one()
    if value is None:
        return None
    if isinstance(value, str):  # MAX() bypasses the UTCDateTime type on SQLite
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.utcoffset() is None else value.astimezone(UTC)


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


def source_id(session: Session, org_code: str, name: str) -> int:
    """The id of an organisation's source named in the config."""
    found = session.execute(
        sa_select(col(Source.id)).join(Organisation, col(Organisation.id) == col(Source.org_id))
        .where(col(Organisation.code) == org_code, col(Source.name) == name)
    ).scalar_one()
    return int(found)


def local_days(session: Session, feedback_ids: Sequence[int], tz: str) -> set[date]:
    """The region's calendar days the given items were published on."""
    zone = ZoneInfo(tz)
    days: set[date] = set()
    for start in range(0, len(feedback_ids), 900):
        chunk = list(feedback_ids[start:start + 900])
        for (published,) in session.execute(sa_select(col(Feedback.published_at))
                                            .where(col(Feedback.id).in_(chunk))):
            if published is not None:
                days.add(published.astimezone(zone).date())
    return days


def snapshot_values(session: Session, periods: Sequence[str]) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    """(office, channel, period) → (Куд, Кпр, Кэф) of the stored score snapshots, rounded as shown."""
    rows = session.execute(
        sa_select(col(Organisation.code), col(ScoreSnapshot.channel), col(ScoreSnapshot.period),
               col(ScoreSnapshot.k_ud), col(ScoreSnapshot.k_pr), col(ScoreSnapshot.k_ef))
        .join(Organisation, col(Organisation.id) == col(ScoreSnapshot.org_id))
        .where(col(ScoreSnapshot.period).in_(list(periods)))
    ).all()
    return {(code, channel, period): tuple(None if v is None else round(v, 2) for v in values)
            for code, channel, period, *values in rows}


def count_published(session: Session, start: datetime, end: datetime) -> int:
    """Items published in [start, end)."""
    query = select(func.count()).select_from(Feedback).where(
        col(Feedback.published_at) >= start, col(Feedback.published_at) < end)
    return int(session.exec(query).one())


def blocked_streak(session: Session, source_id: int, lookback: int = 60,
                   statuses: tuple[str, ...] = ("blocked",)) -> int:
    """How many of the source's latest runs in a row were blocked (a captcha every night
    means the crawl identity is burnt, not that the site had a bad night), or had one of
    `statuses`."""
    latest = session.execute(
        sa_select(col(IngestRun.status)).where(col(IngestRun.source_id) == source_id)
        .order_by(col(IngestRun.id).desc()).limit(lookback)).scalars()
    streak = 0
    for status in latest:
        if status not in statuses:
            break
        streak += 1
    return streak


def staff_thanks(session: Session, org_id: int, start: datetime, end: datetime) -> list[tuple[str, int]]:
    """Staff named in a positive sentence of the office's feedback published in [start, end),
    with how many items thank each, most thanked first. Personal data: for the admin edition."""
    name = col(EmployeeMention.name)
    rows = session.execute(
        sa_select(name, func.count(func.distinct(col(EmployeeMention.feedback_id))))
        .join(Feedback, col(Feedback.id) == col(EmployeeMention.feedback_id))
        .join(Source, col(Source.id) == col(Feedback.source_id))
        .where(col(Source.org_id) == org_id, col(EmployeeMention.polarity) == "positive",
               col(Feedback.published_at) >= start, col(Feedback.published_at) < end)
        .group_by(name).order_by(func.count(func.distinct(col(EmployeeMention.feedback_id))).desc(), name))
    return [(n, int(c)) for n, c in rows]
