"""Incidents: what the nightly run found that a person has to handle, with an owner, a status
and a deadline.

The contract:
- The run gathers signals (`gather`): the store is asked here, `scoring.signals` decides.
  Item signals look only at items published within the config's look-back, so that a
  backlog imported tonight does not open a year of incidents.
- `record` turns them into incidents: one per office × category for a spike or a new pain
  (`pain:<org>:<category>`), one per bad item (`item:<feedback id>`), one per source down
  (`source:<source id>`). A signal met again while its incident is open updates that
  incident (facts, nights, last seen) and never opens a second one: the unique `open_key`
  makes that hold even for two runs at once. A closed item incident stays closed; a closed
  pain or source incident is not reopened by the same signal within the spike window.
- The deadline is the creation time plus the signal's SLA (`[alerts] sla_hours`, 24 h by
  default); an incident still new or in work past it is overdue.
- Analysts move an incident new → in work → answered → closed (`change`) and comment; every
  change is a line of history with who and when. Texts in titles and facts are masked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlmodel import Session, col

from models.config import AlertsConfig, AppConfig
from models.labels import effective_categories
from models.queries import blocked_streak
from models.tables import Feedback, Incident, IncidentEvent, Organisation, Source
from scoring.signals import BAD_STARS, NEGATIVE_STARS, SpikeRule, bad_rating, new_pain, pos_overdue, spike
from scoring.signals import source_down as is_down
from scoring.signals import unanswered as is_unanswered
from vocabulary.categories import CATEGORY_NAMES
from vocabulary.channels import CHANNEL_NAMES
from vocabulary.errors import UserError
from vocabulary.incidents import OPEN_STATUSES, SIGNAL_NAMES, STATUS_NAMES, STATUSES
from vocabulary.numbers import number

RUN_AUTHOR = "ночной прогон"
TEXT_IN_FACTS = 400  # characters of the masked text kept with an item incident


@dataclass(frozen=True)
class Found:
    """One signal of tonight's run, ready to become (or update) an incident."""

    key: str
    signal: str
    org_id: int
    org: str
    title: str
    facts: dict[str, Any] = field(default_factory=dict)
    category: str | None = None
    feedback_id: int | None = None
    source_id: int | None = None
    urgent: bool = False  # a «Плохо»: the recipients hear of it at once


# --- gathering --------------------------------------------------------------------------------

def gather(session: Session, alerts: AlertsConfig, now: datetime, tz: str) -> list[Found]:
    """Every signal the store shows at `now`."""
    return [*bad_ratings(session, alerts, now), *pains(session, alerts, now),
            *unanswered_reviews(session, alerts, now), *overdue_pos(session, alerts, now, tz),
            *sources_down(session, alerts)]


def _items(since: datetime, now: datetime, *kinds: str) -> Any:
    """Feedback of these channels published in [since, now + 1 day) with office and source."""
    published = col(Feedback.published_at)
    return (select(col(Feedback.id), published, col(Feedback.rating), col(Feedback.text_masked),
                   col(Feedback.reply_text), col(Feedback.extra), col(Source.kind), col(Source.id),
                   col(Organisation.id), col(Organisation.code))
            .join(Source, col(Source.id) == col(Feedback.source_id))
            .join(Organisation, col(Organisation.id) == col(Source.org_id))
            .where(col(Source.kind).in_(kinds), published >= since, published < now + timedelta(days=1))
            .order_by(published))


def _item_facts(published: datetime, rating: float | None, text: str | None, kind: str) -> dict[str, Any]:
    return {"published_at": published.isoformat(), "rating": rating, "channel": kind,
            "text": (text or "")[:TEXT_IN_FACTS] or None}


def bad_ratings(session: Session, alerts: AlertsConfig, now: datetime) -> list[Found]:
    """«Плохо» at a terminal, 1–2 stars in a review or for a ПОС answer."""
    query = _items(now - timedelta(days=alerts.lookback_days), now, "terminal", "yandex", "pos") \
        .where(col(Feedback.rating) <= BAD_STARS)
    found = []
    for item_id, published, rating, text, _, _, kind, source_id, org_id, org in session.execute(query):
        if not bad_rating(kind, rating):
            continue
        stars = number(rating, 0)
        title = {"terminal": "«Плохо» на терминале оценки",
                 "yandex": f"Оценка {stars} из 5 в отзыве Яндекс Карт",
                 "pos": f"Ответ на сообщение ПОС оценён на {stars} из 5"}[kind]
        found.append(Found(f"item:{item_id}", "bad_rating", org_id, org, title,
                           _item_facts(published, rating, text, kind), feedback_id=item_id,
                           source_id=source_id, urgent=kind == "terminal" or rating <= 1.0))
    return found


def pains(session: Session, alerts: AlertsConfig, now: datetime) -> list[Found]:
    """Spikes and new pains per office × category: the last `recent_days` against the
    `baseline_days` before them (and, for a new pain, against all history)."""
    rule = SpikeRule(alerts.recent_days, alerts.baseline_days, alerts.spike_min_count, alerts.spike_alpha)
    recent_start = now - timedelta(days=rule.recent_days)
    base_start = recent_start - timedelta(days=rule.baseline_days)
    labelled = effective_categories().subquery()
    published = col(Feedback.published_at)
    recent = func.sum(case((published >= recent_start, 1), else_=0))
    baseline = func.sum(case((published < recent_start, 1), else_=0))
    query = (select(col(Organisation.id), col(Organisation.code), labelled.c.category, recent, baseline)
             .select_from(labelled)
             .join(Feedback, col(Feedback.id) == labelled.c.feedback_id)
             .join(Source, col(Source.id) == col(Feedback.source_id))
             .join(Organisation, col(Organisation.id) == col(Source.org_id))
             .where(published >= base_start, published < now + timedelta(days=1))
             .group_by(col(Organisation.id), col(Organisation.code), labelled.c.category)
             .having(recent >= min(rule.min_count, alerts.new_pain_min_count)))
    found = []
    for org_id, org, category, n_recent, n_base in session.execute(query):
        n_recent, n_base = int(n_recent), int(n_base)
        name = CATEGORY_NAMES.get(category, category)
        facts = {"recent": n_recent, "baseline": n_base, "recent_days": rule.recent_days,
                 "baseline_days": rule.baseline_days}
        if new_pain(n_recent, n_base, alerts.new_pain_min_count) and \
                _never_before(session, org_id, category, base_start):
            found.append(Found(f"pain:{org}:{category}", "new_pain", org_id, org,
                               f"«{name}»: {n_recent} за {rule.recent_days} дн., "
                               "раньше у органа не встречалась", facts, category=category))
            continue
        p_value = spike(n_recent, n_base, rule)
        if p_value is None:
            continue
        expected = max(n_base, rule.floor_rate) * rule.recent_days / rule.baseline_days
        found.append(Found(f"pain:{org}:{category}", "spike", org_id, org,
                           f"«{name}»: {n_recent} за {rule.recent_days} дн., "
                           f"ожидалось {number(expected, 2)}", {**facts, "expected": round(expected, 2),
                                                                 "p_value": p_value}, category=category))
    return found


def _never_before(session: Session, org_id: int, category: str, before: datetime) -> bool:
    labelled = effective_categories().where(col(Feedback.published_at) < before).subquery()
    query = (select(func.count()).select_from(labelled)
             .join(Feedback, col(Feedback.id) == labelled.c.feedback_id)
             .join(Source, col(Source.id) == col(Feedback.source_id))
             .where(col(Source.org_id) == org_id, labelled.c.category == category))
    return not session.execute(query).scalar()


def unanswered_reviews(session: Session, alerts: AlertsConfig, now: datetime) -> list[Found]:
    """Negative Yandex reviews the office has not answered within `reply_hours`."""
    deadline = timedelta(hours=alerts.reply_hours)
    query = _items(now - timedelta(days=alerts.lookback_days), now, "yandex") \
        .where(col(Feedback.rating) <= NEGATIVE_STARS)
    found = []
    for item_id, published, rating, text, reply, _, kind, source_id, org_id, org in session.execute(query):
        if not is_unanswered(rating, bool(reply and reply.strip()), published, now, deadline):
            continue
        hours = int((now - published).total_seconds() // 3600)
        found.append(Found(f"item:{item_id}", "unanswered", org_id, org,
                           f"отзыв в Яндекс Картах с оценкой {number(rating, 0)} из 5 без ответа {hours} ч",
                           {**_item_facts(published, rating, text, kind), "hours": hours},
                           feedback_id=item_id, source_id=source_id))
    return found


def overdue_pos(session: Session, alerts: AlertsConfig, now: datetime, tz: str) -> list[Found]:
    """ПОС messages marked «Просрочено», or past the planned completion date and not done."""
    query = _items(now - timedelta(days=alerts.pos_lookback_days), now, "pos")
    found = []
    for item_id, published, rating, text, _, extra, kind, source_id, org_id, org in session.execute(query):
        extra = extra or {}
        planned, completed = _day_end(extra.get("planned_at"), tz), _day_end(extra.get("completed_at"), tz)
        if not pos_overdue(extra.get("overdue"), planned, completed, now):
            continue
        planned_on = extra.get("planned_at")
        until = f", плановый срок {_day(planned_on)}" if isinstance(planned_on, str) else ""
        found.append(Found(f"item:{item_id}", "pos_overdue", org_id, org,
                           f"сообщение от {published.astimezone(ZoneInfo(tz)):%d.%m.%Y}{until}",
                           {**_item_facts(published, rating, text, kind),
                            "planned_at": extra.get("planned_at"), "status": extra.get("status")},
                           feedback_id=item_id, source_id=source_id))
    return found


def _day(value: str) -> str:
    try:
        return date.fromisoformat(value[:10]).strftime("%d.%m.%Y")
    except ValueError:
        return value


def _day_end(value: Any, tz: str) -> datetime | None:
    """The end of a stored ISO date in the region's time zone (a deadline lasts the whole day)."""
    if not isinstance(value, str):
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)) + timedelta(days=1)


def sources_down(session: Session, alerts: AlertsConfig) -> list[Found]:
    """Sources blocked or failing `source_down_runs` runs in a row."""
    rows = session.execute(select(col(Source.id), col(Source.name), col(Source.kind),
                                  col(Source.status_detail), col(Organisation.id), col(Organisation.code))
                           .join(Organisation, col(Organisation.id) == col(Source.org_id))
                           .where(col(Source.status).in_(("blocked", "failed"))))
    found = []
    for source_id, name, kind, detail, org_id, org in rows:
        runs = blocked_streak(session, source_id, statuses=("blocked", "failed"))
        if is_down(runs, alerts.source_down_runs):
            found.append(Found(f"source:{source_id}", "source_down", org_id, org,
                               f"«{name}» ({CHANNEL_NAMES.get(kind, kind)}): {runs} запуск(а) подряд "
                               "с ошибкой или блокировкой", {"runs": runs, "detail": detail},
                               source_id=source_id))
    return found


# --- recording --------------------------------------------------------------------------------

@dataclass
class Recorded:
    new: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    urgent: list[int] = field(default_factory=list)  # the new ones to send at once


def record(session: Session, found: list[Found], config: AppConfig, now: datetime) -> Recorded:
    """Open or update an incident per signal (see the module's contract)."""
    done = Recorded()
    responsible = {o.code: o.responsible for o in config.organisations if o.responsible}
    for signal in found:
        current = session.execute(select(Incident).where(col(Incident.open_key) == signal.key)).scalar()
        if current is not None:
            _seen_again(current, signal, now, config.region.timezone)
            done.updated.append(current.id or 0)
            continue
        if _suppressed(session, signal, config.alerts, now):
            continue
        incident = Incident(key=signal.key, open_key=signal.key, signal=signal.signal, org_id=signal.org_id,
                            category=signal.category, feedback_id=signal.feedback_id,
                            source_id=signal.source_id, title=signal.title,
                            facts={**signal.facts, "urgent": signal.urgent},
                            responsible=responsible.get(signal.org, config.alerts.default_responsible),
                            deadline=now + timedelta(hours=config.alerts.sla(signal.signal)),
                            created_at=now, updated_at=now, last_seen_at=now)
        session.add(incident)
        session.flush()
        assert incident.id is not None
        session.add(IncidentEvent(incident_id=incident.id, at=now, author=RUN_AUTHOR, action="created",
                                  to_status="new"))
        done.new.append(incident.id)
        if signal.urgent:
            done.urgent.append(incident.id)
    return done


def _seen_again(incident: Incident, signal: Found, now: datetime, tz: str) -> None:
    zone = ZoneInfo(tz)
    if incident.last_seen_at.astimezone(zone).date() != now.astimezone(zone).date():
        incident.nights += 1
    incident.title, incident.last_seen_at = signal.title, now
    incident.facts = {**signal.facts, "urgent": incident.facts.get("urgent", signal.urgent)}


def _suppressed(session: Session, signal: Found, alerts: AlertsConfig, now: datetime) -> bool:
    """A closed incident about an item stays closed; a closed pain or source incident is not
    reopened by the same signal within the spike window."""
    query = select(func.count()).select_from(Incident).where(col(Incident.key) == signal.key)
    if not signal.key.startswith("item:"):
        query = query.where(col(Incident.closed_at) >= now - timedelta(days=alerts.recent_days))
    return bool(session.execute(query).scalar())


# --- handling ---------------------------------------------------------------------------------

def change(session: Session, incident_id: int, author: str, status: str | None = None,
           comment: str | None = None, now: datetime | None = None) -> Incident | None:
    """An analyst's status change and/or comment, kept in the history; None if no incident."""
    now = now or datetime.now(UTC)
    incident = session.get(Incident, incident_id)
    if incident is None:
        return None
    if status is not None and status not in STATUSES:
        raise UserError(f"неизвестный статус «{status}»; допустимы: " + ", ".join(STATUS_NAMES.values()))
    comment = (comment or "").strip() or None
    if status is not None and status != incident.status:
        _reopen_check(session, incident, status)
        session.add(IncidentEvent(incident_id=incident_id, at=now, author=author, action="status",
                                  from_status=incident.status, to_status=status, comment=comment))
        incident.status = status
        incident.closed_at = now if status == "closed" else None
        incident.open_key = None if status == "closed" else incident.key
    elif comment:
        session.add(IncidentEvent(incident_id=incident_id, at=now, author=author, action="comment",
                                  comment=comment))
    if comment:
        incident.comment = comment
    incident.updated_at = now
    session.flush()
    return incident


def _reopen_check(session: Session, incident: Incident, status: str) -> None:
    if incident.status != "closed" or status == "closed":
        return
    other = session.execute(select(col(Incident.id)).where(col(Incident.open_key) == incident.key)).scalar()
    if other is not None:
        raise UserError(f"по этому же поводу уже открыт инцидент № {other}: откройте его")


@dataclass
class IncidentFilter:
    org: str | None = None
    status: str | None = None
    signal: str | None = None
    overdue: bool | None = None
    q: str | None = None


def _filtered(flt: IncidentFilter, now: datetime) -> Any:
    query = select(Incident, col(Organisation.code), col(Organisation.name)) \
        .join(Organisation, col(Organisation.id) == col(Incident.org_id))
    if flt.org:
        query = query.where(col(Organisation.code) == flt.org)
    if flt.status:
        query = query.where(col(Incident.status) == flt.status)
    if flt.signal:
        query = query.where(col(Incident.signal) == flt.signal)
    late = and_(col(Incident.status).in_(OPEN_STATUSES), col(Incident.deadline) < now)
    if flt.overdue is True:
        query = query.where(late)
    elif flt.overdue is False:
        query = query.where(~late)
    if flt.q:  # as the feedback search: «%» and «_» are characters, Cyrillic case folded
        needle = flt.q.lower()
        query = query.where(or_(func.lower(col(Incident.title)).contains(needle, autoescape=True),
                                func.lower(col(Incident.comment)).contains(needle, autoescape=True)))
    return query


def list_incidents(session: Session, flt: IncidentFilter, limit: int = 50, offset: int = 0,
                   now: datetime | None = None) -> tuple[int, list[dict[str, Any]]]:
    """Open ones first, the nearest deadline first."""
    now = now or datetime.now(UTC)
    query = _filtered(flt, now)
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar() or 0
    status = col(Incident.status)
    order = case((status.in_(OPEN_STATUSES), 0), (status == "answered", 1), else_=2)
    rows = session.execute(query.order_by(order, col(Incident.deadline), col(Incident.id))
                           .limit(limit).offset(offset)).all()
    return total, [as_row(incident, code, name, now) for incident, code, name in rows]


def as_row(incident: Incident, org: str, org_name: str, now: datetime) -> dict[str, Any]:
    return {
        "id": incident.id, "signal": incident.signal, "signal_name": SIGNAL_NAMES[incident.signal],
        "org": org, "org_name": org_name, "category": incident.category,
        "category_name": CATEGORY_NAMES.get(incident.category or ""), "title": incident.title,
        "status": incident.status, "status_name": STATUS_NAMES[incident.status],
        "responsible": incident.responsible, "deadline": incident.deadline.isoformat(),
        "overdue": is_overdue(incident, now), "created_at": incident.created_at.isoformat(),
        "last_seen_at": incident.last_seen_at.isoformat(), "nights": incident.nights,
        "comment": incident.comment, "feedback_id": incident.feedback_id, "facts": incident.facts,
    }


def incident_rows(session: Session, now: datetime, ids: list[int] | None = None) -> list[dict[str, Any]]:
    """Exactly these incidents, or (no ids given) every one still waiting, as rows."""
    query = select(Incident, col(Organisation.code), col(Organisation.name)) \
        .join(Organisation, col(Organisation.id) == col(Incident.org_id)).order_by(col(Incident.id))
    if ids is not None:
        if not ids:
            return []
        query = query.where(col(Incident.id).in_(ids))
    else:
        query = query.where(col(Incident.status).in_(OPEN_STATUSES))
    return [as_row(i, code, name, now) for i, code, name in session.execute(query).all()]


def is_overdue(incident: Incident, now: datetime) -> bool:
    return incident.status in OPEN_STATUSES and incident.deadline < now


def get_incident(session: Session, incident_id: int, now: datetime | None = None) -> dict[str, Any] | None:
    """One incident with its history, oldest line first."""
    found = incident_rows(session, now or datetime.now(UTC), [incident_id])
    if not found:
        return None
    events = session.execute(select(IncidentEvent).where(col(IncidentEvent.incident_id) == incident_id)
                             .order_by(col(IncidentEvent.at), col(IncidentEvent.id))).scalars()
    history = [{"at": e.at.isoformat(), "author": e.author, "action": e.action,
                "from_status": e.from_status, "to_status": e.to_status, "comment": e.comment} for e in events]
    return {**found[0], "history": history}


def open_counts(session: Session, now: datetime) -> dict[str, int]:
    """How many incidents are open and how many of them overdue."""
    waiting = select(func.count()).select_from(Incident).where(col(Incident.status).in_(OPEN_STATUSES))
    total = session.execute(waiting).scalar() or 0
    late = session.execute(waiting.where(col(Incident.deadline) < now)).scalar() or 0
    return {"open": int(total), "overdue": int(late)}


def raise_incidents(config: AppConfig, now: datetime | None = None) -> dict[str, Any]:
    """The nightly step: gather tonight's signals, record them, and say what changed — the
    new incidents as rows, how many were updated, how many are open and overdue."""
    from models.db import session_scope

    now = now or datetime.now(UTC)
    with session_scope() as session:
        found = gather(session, config.alerts, now, config.region.timezone)
        done = record(session, found, config, now)
        new_rows = incident_rows(session, now, done.new)
        counts = open_counts(session, now)
    return {"signals": len(found), "new": len(done.new), "updated": len(done.updated), **counts,
            "new_ids": done.new, "urgent_ids": done.urgent,
            "items": [{k: r[k] for k in ("id", "org_name", "signal_name", "title", "deadline", "responsible")}
                      for r in new_rows]}
