"""The schema comes from Alembic migrations, upgrades from empty, is a no-op when current,
and matches the SQLModel tables exactly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from models.db import get_engine
from models.migrate import current_revision, head_revision, upgrade

EXPECTED_TABLES = {
    "organisations", "services", "sources", "feedback", "feedback_versions", "classifications",
    "employee_mentions", "practice_services", "practice_summaries", "practice_regulations",
    "score_snapshots", "ingest_runs", "quarantine", "api_tokens", "nlp_models", "alembic_version",
}


def test_upgrade_from_empty_then_noop(db_url: str) -> None:
    assert current_revision(db_url) is None
    before, after = upgrade(db_url)
    assert (before, after) == (None, head_revision())
    assert set(inspect(get_engine(db_url)).get_table_names()) >= EXPECTED_TABLES
    assert upgrade(db_url) == (head_revision(), head_revision())


def test_migrations_match_models(db_url: str) -> None:
    upgrade(db_url)
    with get_engine(db_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
