"""The unique keys that make every import idempotent hold on both back ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models.db import get_engine, session_scope
from models.repo import ensure_organisation, ensure_service, ensure_source
from models.tables import (
    Classification,
    EmployeeMention,
    Feedback,
    Organisation,
    PracticeRegulationRow,
    PracticeServiceRow,
    PracticeSummary,
    Quarantine,
    ScoreSnapshot,
    Service,
    Source,
)


def _base(session: Session) -> tuple[int, int, int]:
    org = Organisation(code="zags", name="ЗАГС")
    session.add(org)
    session.flush()
    src = Source(org_id=org.id, name="yandex", kind="yandex")
    session.add(src)
    session.flush()
    fb = Feedback(source_id=src.id, external_id="r1", content_hash="h")
    session.add(fb)
    session.flush()
    return org.id, src.id, fb.id  # type: ignore[return-value]


DUPLICATES: list[tuple[str, Callable[[int, int, int], Any]]] = [
    ("organisation code", lambda o, s, f: Organisation(code="zags", name="другое")),
    ("service per org", lambda o, s, f: Service(org_id=o, name="A")),
    ("source per org", lambda o, s, f: Source(org_id=o, name="yandex", kind="pos")),
    ("feedback per source", lambda o, s, f: Feedback(source_id=s, external_id="r1", content_hash="x")),
    ("classification", lambda o, s, f: Classification(feedback_id=f, category="queue", origin="model")),
    ("mention", lambda o, s, f: EmployeeMention(feedback_id=f, name="Иванова", polarity="positive")),
    ("practice service", lambda o, s, f: PracticeServiceRow(org_id=o, period="2025", service="A")),
    ("practice summary", lambda o, s, f: PracticeSummary(org_id=o, period="2025")),
    ("practice regulation", lambda o, s, f: PracticeRegulationRow(org_id=o, period="2025", service="A")),
    ("score snapshot", lambda o, s, f: ScoreSnapshot(org_id=o, channel="yandex", period="2025")),
    ("quarantine payload", lambda o, s, f: Quarantine(source_id=s, payload_hash="p", reason="r")),
]


ALREADY_IN_BASE = {"organisation code", "source per org", "feedback per source"}


@pytest.mark.parametrize(("what", "make"), DUPLICATES, ids=[d[0] for d in DUPLICATES])
def test_duplicate_is_rejected(store: str, what: str, make: Callable[[int, int, int], Any]) -> None:
    with Session(get_engine()) as session:
        ids = _base(session)
        if what not in ALREADY_IN_BASE:
            session.add(make(*ids))
            session.flush()
        session.add(make(*ids))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_ensure_helpers_are_idempotent(store: str) -> None:
    for _ in range(2):
        with session_scope() as session:
            org, _created = ensure_organisation(session, "szn", "Соцзащита")
            ensure_service(session, org, "Пособие")
            ensure_source(session, org, "pos", "pos-main", settings={"path": "x"})
    with session_scope() as session:
        assert len(session.exec(select(Organisation)).all()) == 1
        assert len(session.exec(select(Service)).all()) == 1
        assert len(session.exec(select(Source)).all()) == 1


def test_source_kind_cannot_change(store: str) -> None:
    with session_scope() as session:
        org, _ = ensure_organisation(session, "szn")
        ensure_source(session, org, "pos", "main")
        with pytest.raises(ValueError, match="уже существует"):
            ensure_source(session, org, "survey", "main")
