"""Incidents on top of the seeded API store: a «Плохо», a spike and a source down, as the
nightly run would have recorded them two days ago (so the 24-hour ones are overdue)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from models.config import AppConfig, OrganisationConfig
from models.db import session_scope
from models.tables import Organisation
from service.incidents import Found, record
from tests.api_fixtures import Seeded

CONFIG = AppConfig(organisations=[
    OrganisationConfig(code="szn", name="Соцзащита", responsible="Начальник УСЗН")])


def seed_incidents(seeded: Seeded) -> dict[str, int]:
    """Incident ids by name: `bad` (zags, «Плохо»), `spike` (szn queues), `down` (szn)."""
    created = datetime.now(UTC) - timedelta(days=2)
    with session_scope() as session:
        org = dict(session.execute(select(Organisation.code, Organisation.id)).all())  # type: ignore[call-overload]
        found = [
            Found(f"item:{seeded.ids['z2']}", "bad_rating", org["zags"], "zags",
                  "«Плохо» на терминале оценки",
                  {"text": "перерыв 2 часа", "channel": "terminal", "published_at": created.isoformat()},
                  feedback_id=seeded.ids["z2"], urgent=True),
            Found("pain:szn:queue", "spike", org["szn"], "szn",
                  "«Очереди и ожидание»: 6 за 7 дн., ожидалось 0,04",
                  {"recent": 6, "baseline": 0}, category="queue"),
            Found("source:99", "source_down", org["szn"], "szn", "=HYPERLINK(1) (ПОС): 3 запуск(а) подряд",
                  {"runs": 3}),
        ]
        done = record(session, found, CONFIG, created)
    return dict(zip(("bad", "spike", "down"), done.new, strict=True))
