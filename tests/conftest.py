"""Shared fixtures: a fresh store per test on SQLite, and on PostgreSQL when
PAINMAP_TEST_POSTGRES_URL is set (CI sets it and PAINMAP_REQUIRE_POSTGRES=1, which turns a
missing server into a failure instead of a skip)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

PG_ENV = "PAINMAP_TEST_POSTGRES_URL"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The heavy tests first: a six-minute test started last would keep one worker busy long
    after the other has finished (`make test` runs on two workers)."""
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


def _reset_store_caches() -> None:
    from models.db import dispose_engines
    from models.settings import get_settings

    dispose_engines()
    get_settings.cache_clear()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'painmap.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("PAINMAP_REQUIRE_POSTGRES"):
            pytest.fail(f"{PG_ENV} is not set but PostgreSQL tests are required")
        pytest.skip(f"{PG_ENV} not set")
    import psycopg

    name = f"painmap_t_{uuid.uuid4().hex[:10]}"
    admin = base.replace("postgresql+psycopg://", "postgresql://")
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        if os.environ.get("PAINMAP_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    url = admin.rsplit("/", 1)[0] + "/" + name
    yield url
    _reset_store_caches()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run the test on both back ends."""
    return request.getfixturevalue(f"{request.param}_url")


def _use(url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    from models.migrate import upgrade

    monkeypatch.setenv("PAINMAP_DATABASE_URL", url)
    _reset_store_caches()
    upgrade()
    return url


@pytest.fixture
def store(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty, migrated store on each back end, made the default for the code under test."""
    yield _use(db_url, monkeypatch)
    _reset_store_caches()


@pytest.fixture
def sqlite_store(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty, migrated SQLite store (for tests whose logic does not depend on the back end)."""
    yield _use(sqlite_url, monkeypatch)
    _reset_store_caches()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo region's files, built once per test session."""
    from ingest.demo import build_demo

    root = tmp_path_factory.mktemp("demo")
    build_demo(root)
    return root


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """Prefect's test harness (a temporary local API and database), started once per session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
