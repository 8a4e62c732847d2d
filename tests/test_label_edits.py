"""An analyst's label edit is never lost while an import holds SQLite's write lock: it is
journalled beside the store and written as soon as the store is free."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from models import edits
from models.db import get_engine, session_scope, sqlite_path
from models.edits import LabelEdit, apply_journal, pending_for, save_labels
from models.labels import categories_of
from models.repo import ensure_organisation, ensure_source
from tests.api_fixtures import Seeded, seed


@pytest.fixture
def site(sqlite_store: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, Seeded, Path]]:
    monkeypatch.setattr(edits, "WAIT_SECONDS", 0.3)
    seeded = seed()
    path = sqlite_path(sqlite_store)
    assert path is not None
    with TestClient(create_app(), headers={"Origin": "http://testserver"}) as client:
        yield client, seeded, path


def _categories(feedback_id: int) -> list[str]:
    with session_scope() as session:
        return categories_of(session, [feedback_id])[feedback_id]


class WriteLock:
    """Another process's write transaction, as an import holds it."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)

    def __enter__(self) -> WriteLock:
        self.conn.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *_: object) -> None:
        self.conn.execute("ROLLBACK")
        self.conn.close()


def test_a_locked_store_journals_the_edit_then_writes_it(site: tuple[TestClient, Seeded, Path]) -> None:
    client, seeded, path = site
    item = seeded.ids["q2"]
    headers = {"Authorization": f"Bearer {seeded.tokens['analyst']}"}
    with WriteLock(path):
        started = time.monotonic()
        resp = client.put(f"/api/v1/feedback/{item}/labels", headers=headers,
                          json={"categories": ["queue"], "polarity": "negative"})
        assert resp.status_code == 202, resp.text
        assert time.monotonic() - started < 10
        assert resp.json()["pending"]["categories"] == ["queue"] and "загрузка" in resp.json()["detail"]
        resp = client.put(f"/api/v1/feedback/{item}/labels", headers=headers,
                          json={"categories": ["queue", "schedule"], "polarity": "negative"})
        assert resp.status_code == 202
        assert _categories(item) == ["phone"]  # not yet: the store is locked
    # The app's applier writes the journal once the store is free; the last edit wins.
    deadline = time.monotonic() + 20
    while _categories(item) != ["queue", "schedule"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _categories(item) == ["queue", "schedule"]
    assert not Path(f"{path}.edits.jsonl").read_text()


def test_the_page_says_the_edit_is_kept(site: tuple[TestClient, Seeded, Path]) -> None:
    client, seeded, path = site
    client.post("/login", data={"token": seeded.tokens["analyst"], "next": "/painmap"})
    item = seeded.ids["z2"]
    with WriteLock(path):
        resp = client.post(f"/feedback/{item}", data={"categories": ["premises"]}, follow_redirects=False)
        assert resp.status_code == 303 and "queued=1" in resp.headers["location"]
        assert "будет записана" in client.get(resp.headers["location"]).text
        resp = client.post(f"/labelling/{item}", follow_redirects=False,
                           data={"categories": ["premises", "schedule"], "period": "2025"})
        assert "queued=1" in resp.headers["location"]
    with Session(get_engine()) as session:
        pending = pending_for(session, item)
        assert pending is not None and pending.categories == ["premises", "schedule"]
        # The next save writes the journal first, then itself.
        assert save_labels(session, LabelEdit(seeded.ids["q2"], ["online"], None, "test"))
    assert _categories(item) == ["schedule", "premises"]
    assert _categories(seeded.ids["q2"]) == ["online"]


def test_an_unlocked_store_writes_at_once(site: tuple[TestClient, Seeded, Path]) -> None:
    _, seeded, path = site
    with Session(get_engine()) as session:
        assert save_labels(session, LabelEdit(seeded.ids["q1"], ["rudeness"], "negative", "test"))
        assert apply_journal(session) == 0
    assert _categories(seeded.ids["q1"]) == ["rudeness"]
    assert not Path(f"{path}.edits.jsonl").exists() or not Path(f"{path}.edits.jsonl").read_text()


@pytest.mark.slow
def test_a_label_save_during_a_400k_row_import_succeeds(site: tuple[TestClient, Seeded, Path]) -> None:
    from ingest.pipeline import ingest_records
    from ingest.records import FeedbackRecord

    client, seeded, path = site
    with session_scope() as session:
        org, _ = ensure_organisation(session, "big", "Большой МФЦ")
        source_id = ensure_source(session, org, "pos").id
    start = datetime(2025, 1, 1, tzinfo=UTC)
    records = (FeedbackRecord(external_id=f"big-{i}", published_at=start + timedelta(minutes=i % 500_000),
                              rating=1 + i % 5, text=f"Обращение номер {i}: очередь и духота")
               for i in range(400_000))
    done: dict[str, object] = {}
    importer = threading.Thread(target=lambda: done.update(
        result=ingest_records(source_id, records, kind="pos", origin="400k.csv")))  # type: ignore[arg-type]
    importer.start()
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until the import holds the write lock
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            time.sleep(0.1)
        except sqlite3.OperationalError:
            break
    probe.close()
    assert importer.is_alive(), "the import ended before the save could meet it"
    item = seeded.ids["q2"]
    resp = client.put(f"/api/v1/feedback/{item}/labels", json={"categories": ["booking"]},
                      headers={"Authorization": f"Bearer {seeded.tokens['analyst']}"})
    assert resp.status_code in (200, 202), resp.text
    importer.join()
    assert done["result"].n_new == 400_000  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while _categories(item) != ["booking"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _categories(item) == ["booking"]
