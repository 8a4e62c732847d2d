"""File imports into the store, on SQLite and PostgreSQL: good rows land, bad rows go to
quarantine with a reason, a re-import stores nothing twice, a broken file stores nothing
and leaves a failed run; and the `painmap import …` commands that drive them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from flows.cli import app
from ingest.importers import import_file
from models.db import session_scope
from models.repo import ensure_organisation, ensure_service, ensure_source
from models.tables import Feedback, IngestRun, Quarantine, Service, Source
from tests.import_fixtures import (
    CHANNEL_FILES,
    GOSUSLUGI_SERVICES,
    ORG,
    gosuslugi_table,
    kaluga_rows,
    pos_export,
    terminal_rows,
    vk_rows,
    write_csv,
    write_xlsx,
)
from vocabulary.errors import UserError

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent

# kind, file builder, good rows, quarantined rows
CASES: list[tuple[str, Callable[[Path], Path], int, int]] = [
    ("pos", CHANNEL_FILES["pos"], 4, 5),
    ("gosuslugi", CHANNEL_FILES["gosuslugi"], 3, 3),
    ("survey", CHANNEL_FILES["survey"], 4, 4),
    ("terminal", CHANNEL_FILES["terminal"], 4, 4),
    ("vashkontrol", CHANNEL_FILES["vashkontrol"], 3, 4),
]


def make_source(kind: str, services: list[str] | None = None, name: str | None = None) -> int:
    with session_scope() as session:
        org, _ = ensure_organisation(session, "zags", ORG)
        for service in services or []:
            ensure_service(session, org, service)
        source = ensure_source(session, org, kind, name)
        assert source.id is not None
        return source.id


def counts(source_id: int) -> tuple[int, int]:
    with session_scope() as session:
        feedback = session.exec(select(Feedback).where(Feedback.source_id == source_id)).all()
        quarantine = session.exec(select(Quarantine).where(Quarantine.source_id == source_id)).all()
        return len(feedback), len(quarantine)


@pytest.mark.parametrize(("kind", "build", "good", "bad"), CASES)
def test_import_quarantines_bad_rows_and_reimport_stores_nothing_twice(
        store: str, tmp_path: Path, kind: str, build: Callable[[Path], Path], good: int, bad: int) -> None:
    source_id = make_source(kind, GOSUSLUGI_SERVICES)
    path = build(tmp_path)
    first = import_file(kind, path, source_id)
    assert (first.n_new, first.n_updated, first.n_unchanged, first.n_quarantined) == (good, 0, 0, bad)
    assert counts(source_id) == (good, bad)
    with session_scope() as session:
        rows = session.exec(select(Quarantine).where(Quarantine.source_id == source_id)).all()
        assert all(q.reason and q.location and q.location.startswith(path.name) for q in rows)
        assert all(q.payload for q in rows)
        assert len({q.location for q in rows}) == bad
    again = import_file(kind, path, source_id)
    assert (again.n_new, again.n_updated, again.n_unchanged) == (0, 0, good)
    assert counts(source_id) == (good, bad)
    with session_scope() as session:
        runs = session.exec(select(IngestRun).where(IngestRun.source_id == source_id)).all()
        assert [(r.status, r.n_new, r.n_quarantined) for r in runs] == [("ok", good, bad), ("ok", 0, bad)]
        assert {r.origin for r in runs} == {str(path)}


def test_stored_values_follow_the_record_contract(store: str, tmp_path: Path) -> None:
    pos_id = make_source("pos", GOSUSLUGI_SERVICES)
    gos_id = make_source("gosuslugi", name="gosuslugi")
    survey_id = make_source("survey", name="survey")
    import_file("pos", pos_export(tmp_path / "pos.xlsx"), pos_id)
    import_file("gosuslugi", gosuslugi_table(tmp_path / "gosuslugi_zags_2025.xlsx"), gos_id)
    import_file("survey", write_csv(tmp_path / "s.csv", kaluga_rows(), delimiter=","), survey_id)
    with session_scope() as session:
        pos = session.exec(select(Feedback).where(Feedback.external_id == "67250000041")).one()
        assert pos.rating == 5 and pos.extra["status"] == "Ответ направлен" and pos.text
        birth = session.exec(select(Feedback).where(Feedback.source_id == gos_id,
                                                    Feedback.rating == 4.8)).one()
        assert birth.extra == {"ratings_count": 200, "period": "2025"}
        assert birth.service_id is not None
        service = session.get(Service, birth.service_id)
        assert service is not None and service.name == "Государственная регистрация рождения"
        survey = session.exec(select(Feedback).where(Feedback.source_id == survey_id)).all()
        assert sorted(tuple(sorted(f.criteria)) for f in survey)[0] == ("information", "quality")


def test_unknown_services_are_accepted_when_the_organisation_declares_none(sqlite_store: str,
                                                                         tmp_path: Path) -> None:
    source_id = make_source("gosuslugi")
    result = import_file("gosuslugi", gosuslugi_table(tmp_path / "gosuslugi_2025.xlsx"), source_id)
    assert (result.n_new, result.n_quarantined) == (4, 2)


def test_an_edited_file_updates_in_place(sqlite_store: str, tmp_path: Path) -> None:
    source_id = make_source("vashkontrol")
    rows = vk_rows()[:3]
    import_file("vashkontrol", write_xlsx(tmp_path / "vk.xlsx", rows), source_id)
    rows[2] = [*rows[2][:9], "Ответили на все вопросы"]
    result = import_file("vashkontrol", write_xlsx(tmp_path / "vk.xlsx", rows), source_id)
    assert (result.n_new, result.n_updated, result.n_unchanged) == (0, 1, 1)
    assert counts(source_id) == (2, 0)


@pytest.mark.parametrize(("name", "make", "message"), [
    ("pos.csv", lambda p: pos_export(p), "по содержимому — книга Excel"),
    ("pos.xlsx", lambda p: p.write_bytes(b""), "файл пуст"),
    ("pos.xlsx", lambda p: p.write_bytes(bytes(range(256)) * 100), "по содержимому — нет"),
    ("pos.csv", lambda p: p.write_bytes(bytes(range(256)) * 100), "двоичный файл"),
    ("pos.xlsx", lambda p: write_xlsx(p, terminal_rows()), "не похоже на выгрузку сообщений ПОС"),
])
def test_a_broken_file_stores_nothing_and_leaves_a_failed_run(
        store: str, tmp_path: Path, name: str, make: Callable[[Path], Any], message: str) -> None:
    source_id = make_source("pos")
    path = tmp_path / name
    make(path)
    with pytest.raises(UserError, match=message):
        import_file("pos", path, source_id)
    assert counts(source_id) == (0, 0)
    with session_scope() as session:
        (run,) = session.exec(select(IngestRun).where(IngestRun.source_id == source_id)).all()
        assert run.status == "failed" and message in (run.error or "")
        source = session.get(Source, source_id)
        assert source is not None and source.status == "failed"


def test_importing_into_a_source_of_another_kind_is_refused(sqlite_store: str, tmp_path: Path) -> None:
    source_id = make_source("terminal")
    with pytest.raises(UserError, match="это terminal, а файл импортируется как pos"):
        import_file("pos", pos_export(tmp_path / "pos.xlsx"), source_id)


# --- CLI -------------------------------------------------------------------------------------

def test_cli_import_prints_the_run_counts(sqlite_store: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = pos_export(tmp_path / "pos_zags_2025.xlsx")
    result = runner.invoke(app, ["import", "pos", str(path), "--org", "zags"])
    assert result.exit_code == 0, result.output
    assert "ПОС: pos_zags_2025.xlsx → zags / pos" in result.stdout
    assert "новых: 4, обновлено: 0, без изменений: 0, в карантине: 5" in result.stdout
    assert "pos_zags_2025.xlsx, лист «Сообщения», строка 7: оценка ответа заявителем: оценка 7 вне шкалы" \
        in result.stdout.replace("\n", " ")
    again = runner.invoke(app, ["import", "pos", str(path), "--org", "zags"])
    assert "новых: 0, обновлено: 0, без изменений: 4, в карантине: 5" in again.stdout


def test_cli_terminal_with_scale_and_period(sqlite_store: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    rows = [*terminal_rows()[:5], ["10.04.2025", "09:00", "", "", "", "", "Хорошо", ""]]
    path = write_csv(tmp_path / "terminal.csv", rows)
    result = runner.invoke(app, ["import", "terminal", str(path), "--org", "zags", "--period", "2025-03",
                                 "--scale", "Хорошо=5, Средне=4, Плохо=2"])
    assert result.exit_code == 0, result.output
    assert "новых: 4" in result.stdout and "пропущено записей вне периода: 1" in result.stdout
    with session_scope() as session:
        assert sorted(f.rating for f in session.exec(select(Feedback))) == [2, 4, 5, 5]


def test_cli_uses_the_source_settings_of_the_config(sqlite_store: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A survey whose columns are mapped in painmap.toml, imported by name of its source."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "painmap.toml").write_text(
        '[[organisations]]\ncode = "lib"\nname = "Библиотека"\n\n[[organisations.sources]]\n'
        'name = "opros"\nkind = "survey"\n\n[organisations.sources.mapping]\ntimestamp = "Когда"\n'
        'quality = "Как обслужили?"\ntime = "Сколько ждали?"\n', encoding="utf-8")
    path = write_csv(tmp_path / "opros.csv", [["Когда", "Как обслужили?", "Сколько ждали?"],
                                              ["01.04.2025 10:00", "5", "3"], ["02.04.2025 10:00", "4", "9"]])
    result = runner.invoke(app, ["import", "survey", str(path), "--org", "lib"])
    assert result.exit_code == 0, result.output
    assert "Опрос: opros.csv → lib / opros" in result.stdout
    assert "новых: 1" in result.stdout and "в карантине: 1" in result.stdout
    with session_scope() as session:
        (item,) = session.exec(select(Feedback)).all()
        assert item.criteria == {"quality": 5, "time": 3}


@pytest.mark.parametrize(("args", "message"), [
    (["import", "pos", "{dir}/renamed.csv", "--org", "zags"], "по содержимому — книга Excel"),
    (["import", "survey", "{dir}/huge.csv", "--org", "zags"], "файл слишком большой (200 МБ)"),
    (["import", "gosuslugi", "{dir}/table.xlsx", "--org", "zags"], "период не указан"),
    (["import", "terminal", "{dir}/missing.csv", "--org", "zags"], "файл не найден"),
    (["import", "terminal", "{dir}/renamed.csv", "--org", "zags", "--scale", "Хорошо"], "--scale"),
])
def test_cli_errors_are_russian_without_traceback(tmp_path: Path, args: list[str], message: str) -> None:
    pos_export(tmp_path / "renamed.csv")
    gosuslugi_table(tmp_path / "table.xlsx")
    with (tmp_path / "huge.csv").open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    env = {"PAINMAP_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}", "PATH": "/usr/bin:/bin",
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "flows", *[a.format(dir=tmp_path) for a in args]],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert message in " ".join(proc.stderr.split())  # Rich wraps at 80 columns
    assert "Traceback" not in proc.stderr
