"""The CLI's foundation commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from models.db import session_scope
from models.tables import Organisation, Source

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("painmap ")


def test_init_creates_then_is_noop(db_url: str, monkeypatch: pytest.MonkeyPatch,
                                   tmp_path: Path) -> None:
    from models.db import dispose_engines
    from models.settings import get_settings

    monkeypatch.setenv("PAINMAP_DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    dispose_engines()
    first = runner.invoke(app, ["init"])
    assert first.exit_code == 0, first.output
    assert "создана" in first.stdout
    second = runner.invoke(app, ["init"])
    assert second.exit_code == 0
    assert "уже актуальна" in second.stdout


def test_init_registers_config(sqlite_store: str, demo_dir: Path) -> None:
    result = runner.invoke(app, ["--config", str(demo_dir / "painmap.toml"), "init"])
    assert result.exit_code == 0, result.output
    with session_scope() as session:
        from sqlmodel import select

        assert {o.code for o in session.exec(select(Organisation))} >= {"zags", "szn", "opeka"}
        assert len(session.exec(select(Source)).all()) >= 18


def test_broken_config_is_a_clear_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    bad = tmp_path / "painmap.toml"
    bad.write_text("[[organisations]]\ncode = 5\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "flows", "--config", str(bad), "init"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 1
    assert "строка 2" in proc.stderr and "organisations[1].code" in proc.stderr
    assert "Traceback" not in proc.stderr
