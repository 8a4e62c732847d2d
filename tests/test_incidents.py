"""Incidents from the store: which signals a night raises, that the next night updates
instead of duplicating, that closed ones stay closed, and the status history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from models.config import AlertsConfig, AppConfig, OrganisationConfig
from models.db import session_scope
from models.repo import ensure_organisation, ensure_source
from models.tables import Classification, Feedback, Incident, IncidentEvent, IngestRun
from service.incidents import (
    IncidentFilter,
    change,
    gather,
    get_incident,
    list_incidents,
    open_counts,
    record,
)
from vocabulary.errors import UserError

NOW = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
CONFIG = AppConfig(organisations=[OrganisationConfig(code="zags", name="ЗАГС", responsible="Начальник ЗАГС")])


def add(org: str, kind: str, key: str, days_ago: float, rating: float | None = None,
        categories: tuple[str, ...] = (), text: str | None = "текст", reply: str | None = None,
        extra: dict[str, Any] | None = None) -> int:
    with session_scope() as session:
        office, _ = ensure_organisation(session, org, {"zags": "ЗАГС", "szn": "Соцзащита"}[org])
        source = ensure_source(session, office, kind)
        item = Feedback(source_id=source.id, external_id=key, published_at=NOW - timedelta(days=days_ago),  # type: ignore[arg-type]
                        rating=rating, text=text, text_masked=text, reply_text=reply, extra=extra or {},
                        content_hash=key)
        session.add(item)
        session.flush()
        for category in categories:
            session.add(Classification(feedback_id=item.id, category=category))  # type: ignore[arg-type]
        assert item.id is not None
        return item.id


def night(now: datetime = NOW, alerts: AlertsConfig | None = None) -> tuple[list[Any], Any]:
    config = CONFIG.model_copy(update={"alerts": alerts or AlertsConfig()})
    with session_scope() as session:
        found = gather(session, config.alerts, now, "Europe/Moscow")
        return found, record(session, found, config, now)


@pytest.fixture
def region(store: str) -> dict[str, int]:
    """One night's worth of everything the run must notice, and things it must not."""
    ids = {
        "plokho": add("zags", "terminal", "t1", 1, 1, text="Очередь два часа"),
        "old_plokho": add("zags", "terminal", "t0", 30, 1),  # before the look-back: history, not an incident
        "sredne": add("zags", "terminal", "t2", 1, 3),
        "two_stars": add("szn", "yandex", "y1", 2, 2, reply="Разберёмся"),
        "unanswered": add("szn", "yandex", "y2", 3, 3),
        "answered": add("szn", "yandex", "y3", 3, 3, reply="Спасибо за отзыв"),
        "fresh": add("szn", "yandex", "y4", 0.5, 3),  # not yet past the 24 h reply deadline
        "pos_marked": add("szn", "pos", "p1", 40, extra={"overdue": True}),
        "pos_planned": add("szn", "pos", "p2", 20, extra={"planned_at": "2026-12-01"}),
        "pos_done": add("szn", "pos", "p3", 20,
                        extra={"planned_at": "2026-12-01", "completed_at": "2026-11-30"}),
    }
    for i in range(6):  # queues: 6 this week against 1 in the 90 days before → a spike
        add("zags", "terminal", f"q{i}", 1 + i % 5, 5, categories=("queue",))
    add("zags", "terminal", "qb", 40, 5, categories=("queue",))
    add("zags", "terminal", "qh", 400, 5, categories=("phone",))  # phone seen long ago: not new
    for i in range(2):  # phone twice this week, seen a year ago: neither new nor a spike
        add("zags", "terminal", f"ph{i}", 2, 5, categories=("phone",))
    for i in range(2):  # premises never seen at szn before → a new pain
        add("szn", "survey", f"pr{i}", 2, 5, categories=("premises",))
    for i in range(30):  # rudeness every three days at szn: 2 this week is its usual rate
        add("szn", "survey", f"r{i}", i * 3 + 1, 5, categories=("rudeness",))
    with session_scope() as session:
        office, _ = ensure_organisation(session, "szn", "Соцзащита")
        source = ensure_source(session, office, "vashkontrol")
        source.status = "failed"
        for _ in range(3):
            session.add(IngestRun(source_id=source.id, kind="vashkontrol", status="failed"))
        ids["down"] = source.id  # type: ignore[assignment]
    return ids


def test_one_night_raises_what_needs_a_person(region: dict[str, int]) -> None:
    found, done = night()
    keys = {f.key: f.signal for f in found}
    assert keys == {
        f"item:{region['plokho']}": "bad_rating", f"item:{region['two_stars']}": "bad_rating",
        f"item:{region['unanswered']}": "unanswered",
        f"item:{region['pos_marked']}": "pos_overdue", f"item:{region['pos_planned']}": "pos_overdue",
        "pain:zags:queue": "spike", "pain:szn:premises": "new_pain",
        f"source:{region['down']}": "source_down",
    }
    assert len(done.new) == len(keys)
    urgent = [f.key for f in found if f.urgent]
    assert urgent == [f"item:{region['plokho']}"]  # «Плохо» goes out at once; 2 stars waits for the digest
    with session_scope() as session:
        total, rows = list_incidents(session, IncidentFilter(org="zags"), now=NOW)
    assert total == 2
    spike = next(r for r in rows if r["signal"] == "spike")
    assert spike["responsible"] == "Начальник ЗАГС"
    assert spike["facts"]["recent"] == 6 and spike["facts"]["baseline"] == 1
    assert "«Очереди и ожидание»: 6 за 7 дн." in spike["title"]
    assert datetime.fromisoformat(spike["deadline"]) == NOW + timedelta(hours=24)


def test_the_next_night_updates_instead_of_duplicating(region: dict[str, int]) -> None:
    _, first = night()
    _, again = night(NOW + timedelta(minutes=30))  # a second run the same night
    assert again.new == [] and sorted(again.updated) == sorted(first.new)
    _, next_night = night(NOW + timedelta(days=1))
    with session_scope() as session:  # only what is new by then: the fresh review is now late
        assert [session.get(Incident, i).key for i in next_night.new] == [f"item:{region['fresh']}"]  # type: ignore[union-attr]
        assert session.execute(select(func.count()).select_from(Incident)).scalar() == len(first.new) + 1
        spike = session.execute(select(Incident).where(Incident.key == "pain:zags:queue")).scalar_one()
        assert spike.nights == 2  # the same night twice counts once
        events = session.execute(select(func.count()).select_from(IncidentEvent)).scalar()
        assert events == len(first.new) + 1  # only the creations: a repeat is not history


def test_closed_incidents_stay_closed(region: dict[str, int]) -> None:
    night()
    with session_scope() as session:
        for key in (f"item:{region['plokho']}", "pain:zags:queue"):
            incident = session.execute(select(Incident).where(Incident.key == key)).scalar_one()
            change(session, incident.id, "аналитик", "closed", "разобрались", now=NOW)  # type: ignore[arg-type]
    _, later = night(NOW + timedelta(days=1))
    with session_scope() as session:  # neither the item nor (within the spike window) the pain comes back
        assert [session.get(Incident, i).key for i in later.new] == [f"item:{region['fresh']}"]  # type: ignore[union-attr]
    for i in range(6):  # a week later queues spike again: past the window, that is a new case
        add("zags", "terminal", f"q-again{i}", -7 + i * 0.1, 5, categories=("queue",))
    _, week_on = night(NOW + timedelta(days=8))
    with session_scope() as session:
        reopened = [session.get(Incident, i) for i in week_on.new]
        assert [i.key for i in reopened if i is not None] == ["pain:zags:queue"]
        assert session.execute(select(func.count()).select_from(Incident)
                               .where(Incident.key == "pain:zags:queue")).scalar() == 2


def test_status_changes_are_history_and_overdue_stands_out(region: dict[str, int]) -> None:
    _, done = night()
    incident_id = done.new[0]
    late = NOW + timedelta(hours=30)
    with session_scope() as session:
        assert open_counts(session, late)["overdue"] == len(done.new)
        change(session, incident_id, "Петрова", "in_work", "позвонили заявителю", now=late)
        change(session, incident_id, "Петрова", comment="ждём ответа отдела", now=late)
        change(session, incident_id, "Петрова", "answered", now=late)
    with session_scope() as session:
        item = get_incident(session, incident_id, now=late)
        assert item is not None and item["status_name"] == "ответ дан" and not item["overdue"]
        assert item["comment"] == "ждём ответа отдела"
        assert [(e["action"], e["to_status"], e["author"]) for e in item["history"]] == [
            ("created", "new", "ночной прогон"), ("status", "in_work", "Петрова"),
            ("comment", None, "Петрова"), ("status", "answered", "Петрова")]
        total, _ = list_incidents(session, IncidentFilter(overdue=True), now=late)
        assert total == len(done.new) - 1
        with pytest.raises(UserError, match="неизвестный статус"):
            change(session, incident_id, "Петрова", "done")


def test_a_closed_incident_reopens_only_when_no_other_is_open(region: dict[str, int]) -> None:
    night()
    with session_scope() as session:
        spike = session.execute(select(Incident).where(Incident.key == "pain:zags:queue")).scalar_one()
        change(session, spike.id, "аналитик", "closed", now=NOW)  # type: ignore[arg-type]
        change(session, spike.id, "аналитик", "in_work", "закрыли по ошибке", now=NOW)  # type: ignore[arg-type]
        assert spike.open_key == "pain:zags:queue" and spike.closed_at is None
        session.add(Incident(key="pain:zags:phone", open_key=None, signal="spike", org_id=spike.org_id,
                             title="старый", deadline=NOW, status="closed"))
        session.add(Incident(key="pain:zags:phone", open_key="pain:zags:phone", signal="spike",
                             org_id=spike.org_id, title="новый", deadline=NOW))
        session.flush()
        old = session.execute(select(Incident).where(Incident.title == "старый")).scalar_one()
        with pytest.raises(UserError, match="уже открыт инцидент"):
            change(session, old.id, "аналитик", "in_work")  # type: ignore[arg-type]


@pytest.mark.parametrize(("alerts", "expected"), [
    (AlertsConfig(spike_min_count=7), {"spike": 0}),  # 6 complaints do not reach a minimum of 7
    (AlertsConfig(spike_alpha=1e-11), {"spike": 0}),  # 6 against 0.078 expected: p ≈ 3e-10
    (AlertsConfig(new_pain_min_count=3), {"new_pain": 0}),
    (AlertsConfig(lookback_days=60), {"bad_rating": 3}),  # the month-old «Плохо» is in reach
    (AlertsConfig(source_down_runs=4), {"source_down": 0}),
    (AlertsConfig(reply_hours=1), {"unanswered": 2}),  # the 12-hour-old review is late too
])
def test_thresholds_come_from_the_config(region: dict[str, int], alerts: AlertsConfig,
                                         expected: dict[str, int]) -> None:
    with session_scope() as session:
        found = gather(session, alerts, NOW, "Europe/Moscow")
    for signal, n in expected.items():
        assert sum(f.signal == signal for f in found) == n
