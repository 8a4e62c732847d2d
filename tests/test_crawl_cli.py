"""`painmap crawl yandex` as a user runs it (a real process, real exit codes) against the
loopback replay server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from crawl_fixtures import corrupt_state, replay, reviews, write_org
from sqlmodel import select

from crawlers.replay import ReplayServer
from models.db import session_scope
from models.tables import Feedback, Organisation, Source

__all__ = ["replay"]  # the shared fixture, imported for pytest

ORG = "1000000999"
REQUIRED = {"review_id", "org_id", "rating", "text", "published_at", "reply_text"}


def painmap(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "flows", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=300)


def _crawl(server: ReplayServer, *extra: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return painmap("crawl", "yandex", "--org-id", ORG, "--base-url", server.base_url, "--delay", "0.01",
                   *extra, cwd=cwd)


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_out_writes_json_lines_and_needs_no_database(replay: tuple[Path, ReplayServer], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root, server = replay
    write_org(root, ORG, reviews(120, ORG))
    db = tmp_path / "never.db"
    monkeypatch.setenv("PAINMAP_DATABASE_URL", f"sqlite:///{db}")
    out = tmp_path / "out" / "items.jsonl"
    proc = _crawl(server, "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    items = _lines(out)
    assert len(items) == 120 and all(set(i) >= REQUIRED for i in items)
    assert all(i["org_id"] == ORG for i in items)
    assert datetime.fromisoformat(str(items[0]["published_at"]).replace("Z", "+00:00")).tzinfo is not None
    assert "отзывов 120" in proc.stdout and not db.exists()


def test_out_with_captcha_keeps_page_one_and_exits_3(replay: tuple[Path, ReplayServer],
                                                     tmp_path: Path) -> None:
    root, server = replay
    write_org(root, ORG, reviews(150, ORG), scenario={"captcha_pages": [2]})
    out = tmp_path / "items.jsonl"
    proc = _crawl(server, "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert len(_lines(out)) == 50
    assert "заблокировали сбор (капча на странице 2)" in proc.stderr and "Сохранено отзывов" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_ingest_creates_an_organisation_with_a_warning(replay: tuple[Path, ReplayServer], tmp_path: Path,
                                                       sqlite_store: str) -> None:
    root, server = replay
    write_org(root, ORG, reviews(80, ORG))
    proc = _crawl(server, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "новых: 80, обновлено: 0, без изменений: 0, в карантине: 0" in proc.stdout
    assert "Внимание" in proc.stderr and f"yandex-{ORG}" in proc.stderr
    with session_scope() as session:
        source, org = session.exec(select(Source, Organisation).join(Organisation)).one()
        assert (org.code, source.kind, source.external_id) == (f"yandex-{ORG}", "yandex", ORG)
        assert source.status == "ok"
        assert len(session.exec(select(Feedback)).all()) == 80
    again = _crawl(server, "--incremental", cwd=tmp_path)
    assert again.returncode == 0 and "новых: 0, обновлено: 0, без изменений: 50" in again.stdout
    assert "дальше только уже сохранённые отзывы" in again.stdout


def test_ingest_with_captcha_exits_3_and_keeps_page_one(replay: tuple[Path, ReplayServer], tmp_path: Path,
                                                        store: str) -> None:
    root, server = replay
    write_org(root, ORG, reviews(150, ORG), scenario={"captcha_pages": [2]})
    proc = _crawl(server, "--org", "zags", cwd=tmp_path)
    assert proc.returncode == 3, proc.stderr
    assert "новых: 50" in proc.stdout and "капча на странице 2" in proc.stderr
    with session_scope() as session:
        assert len(session.exec(select(Feedback)).all()) == 50
        source = session.exec(select(Source)).one()
        assert source.status == "blocked"


def test_broken_page_exits_1_naming_it(replay: tuple[Path, ReplayServer], tmp_path: Path,
                                       sqlite_store: str) -> None:
    root, server = replay
    directory = write_org(root, ORG, reviews(150, ORG))
    corrupt_state(directory / "page-2.html")
    proc = _crawl(server, cwd=tmp_path)
    assert proc.returncode == 1
    assert "страница 2" in proc.stderr and "испорченный JSON состояния" in proc.stderr
    assert "Traceback" not in proc.stderr
    with session_scope() as session:
        assert {f.extra["page"] for f in session.exec(select(Feedback)).all()} == {1}


def test_configured_replay_source(tmp_path: Path, sqlite_store: str) -> None:
    """`base_url = "replay"` in the config: the pages come from [replay] dir on loopback, and
    the reviews land in the configured organisation's source."""
    write_org(tmp_path / "recorded", ORG, reviews(70, ORG))
    config = tmp_path / "painmap.toml"
    config.write_text(
        '[replay]\ndir = "recorded"\n\n[[organisations]]\ncode = "opeka"\nname = "Отдел опеки"\n\n'
        f'[[organisations.sources]]\nname = "yandex"\nkind = "yandex"\nexternal_id = "{ORG}"\n'
        'base_url = "replay"\nmax_pages = 1\nslug = "otdel_opeki"\n', "utf-8")
    proc = painmap("--config", str(config), "crawl", "yandex", "--org-id", ORG, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "opeka / yandex" in proc.stdout and "новых: 50" in proc.stdout  # max_pages = 1 from the config
    assert "Внимание" not in proc.stderr
    out = tmp_path / "file.jsonl"
    proc = painmap("--config", str(config), "crawl", "yandex", "--org-id", ORG, "--max-pages", "2",
                   "--out", str(out), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert len(_lines(out)) == 70


def test_bad_since_is_a_clear_error(tmp_path: Path) -> None:
    proc = painmap("crawl", "yandex", "--org-id", ORG, "--since", "вчера", "--out", "x.jsonl", cwd=tmp_path)
    assert proc.returncode == 1 and "--since" in proc.stderr and "ISO 8601" in proc.stderr
