"""`painmap practice WORKBOOK [--json]` and `painmap import practice … --org --period`."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from practice_fixtures import JSON_KEYS, SERVICES, Reg, Svc, template_workbook
from sqlmodel import func, select
from typer.testing import CliRunner

from flows.cli import app
from flows.commands.import_practice import register_practice
from ingest.practice.cells import normalise
from ingest.practice.tables import _TOTAL as TOTAL_ROW
from models.db import session_scope
from models.tables import Organisation, PracticeRegulationRow, PracticeServiceRow, PracticeSummary
from vocabulary.errors import UserError

runner = CliRunner()


def practice_json(*paths: Path) -> dict:  # type: ignore[type-arg]
    result = runner.invoke(app, ["practice", *map(str, paths), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # exactly one JSON object, nothing else on stdout


def test_json_of_the_hand_computed_example(tmp_path: Path) -> None:
    data = practice_json(template_workbook(tmp_path / "p.xlsx"))
    assert list(data) == JSON_KEYS
    assert data["status"] == "monitored"
    assert (data["d_u"], data["d_pz"], data["d_ar"], data["k_kach"], data["boost"], data["k_pr"]) == (
        50.0,
        50.0,
        75.0,
        56.25,
        1.03,
        68.14,
    )
    assert set(data["levels"]) == {"k_mnk", "u_s", "u_ar", "k_pr"}


@pytest.mark.parametrize(
    ("name", "status", "boost"),
    [
        ("practice_szn_2025.xlsx", "monitored", 1.05),  # 14 650 requests
        ("practice_zags_2025.xlsx", "monitored", 1.03),  # 9 150 requests
        ("practice_opeka_2025.xlsx", "monitored", 1.0),  # 1 240 requests
        ("practice_archive_2025.xlsx", "not_monitored", None),  # 38 requests (п. 4.4)
    ],
)
def test_demo_workbooks(demo_dir: Path, name: str, status: str, boost: float | None) -> None:
    data = practice_json(demo_dir / "practice" / name)
    assert data["status"] == status
    if boost is None:
        assert "k_pr" not in data and data["k_z"] < 50
    else:
        assert data["boost"] == boost
        assert all(0 <= data[k] <= 100 for k in JSON_KEYS[1:-1] if k != "boost" and data[k] is not None)


def test_warnings_go_to_stderr_not_into_the_json(tmp_path: Path) -> None:
    path = template_workbook(tmp_path / "p.xlsx", totals={"requests": 1})
    result = runner.invoke(app, ["practice", str(path), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "monitored"
    assert "Итого" in result.stderr


def test_readable_table4(tmp_path: Path) -> None:
    result = runner.invoke(app, ["practice", str(template_workbook(tmp_path / "p.xlsx"))])
    assert result.exit_code == 0, result.output
    out = " ".join(result.stdout.split())
    for fragment in (
        "Таблица 4.",
        "Показатель качества",
        "Индикаторы",
        "Значение",
        "50,00 %",
        "68,14 %",
        "Итоговое значение",
        "Повышающий коэффициент",
        "1,03",
        "Средний уровень качества и доступности",
    ):
        assert fragment in out, fragment


def test_not_monitored_prints_reference_information(demo_dir: Path) -> None:
    result = runner.invoke(app, ["practice", str(demo_dir / "practice" / "practice_archive_2025.xlsx")])
    assert result.exit_code == 0
    assert "Мониторинг не проводится" in result.stdout and "Справочная информация" in result.stdout


def test_malformed_workbook_is_a_clear_error_without_traceback(tmp_path: Path) -> None:
    path = template_workbook(tmp_path / "p.xlsx")
    wb = load_workbook(path)
    wb["Таблица 3"]["D8"] = "много"
    wb.save(path)
    proc = subprocess.run(
        [sys.executable, "-m", "flows", "practice", str(path), "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "Ошибка:" in proc.stderr and "Traceback" not in proc.stderr
    assert "лист «Таблица 3», строка 8, столбец D" in " ".join(proc.stderr.split())


# --- import ----------------------------------------------------------------------------------


def import_app() -> typer.Typer:
    """The `import` group as flows/commands/imports.py will wire it, on a root of its own."""
    root = typer.Typer()

    @root.callback()
    def _root() -> None:
        pass

    group = typer.Typer()
    register_practice(group)
    root.add_typer(group, name="import")
    return root


def run_import(*args: str) -> str:
    result = runner.invoke(import_app(), ["import", "practice", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def counts(org: str = "arch", period: str = "2025") -> tuple[int, int, int]:
    with session_scope() as session:
        org_id = session.exec(select(Organisation.id).where(Organisation.code == org)).one()
        return tuple(  # type: ignore[return-value]
            session.exec(
                select(func.count()).select_from(t).where(t.org_id == org_id, t.period == period)
            ).one()
            for t in (PracticeServiceRow, PracticeRegulationRow, PracticeSummary)
        )


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_import_twice_then_replace(store: str, cwd: Path) -> None:
    path = template_workbook(cwd / "p.xlsx")
    assert "Сохранены данные о практике «arch» за 2025 год: 4 услуг" in run_import(
        str(path), "--org", "arch", "--period", "2025"
    )
    assert counts() == (4, 4, 1)
    assert "не изменились" in run_import(str(path), "--org", "arch", "--period", "2025")
    assert counts() == (4, 4, 1)
    changed = [*SERVICES[:3], Svc("Новая услуга", 1, 70, 70, 0, 0, True, 0, False, 0, False, 0)]
    regs = [Reg(s.name, 1, 1, 1) for s in changed]
    path2 = template_workbook(cwd / "p2.xlsx", services=changed, regulations=regs)
    assert "заменены" in run_import(str(path2), "--org", "arch", "--period", "2025")
    assert counts() == (4, 4, 1)
    with session_scope() as session:
        names = set(session.exec(select(PracticeServiceRow.service)).all())
        summary = session.exec(select(PracticeSummary)).one()
    assert names == {s.name for s in changed}
    assert summary.requests == sum(s.requests for s in changed) and summary.regulations == 3
    assert summary.origin is not None and summary.origin.endswith("p2.xlsx")


def test_years_are_kept_apart_and_a_broken_file_changes_nothing(store: str, cwd: Path) -> None:
    path = template_workbook(cwd / "p.xlsx")
    run_import(str(path), "--org", "arch", "--period", "2025")
    out = run_import(str(path), "--org", "arch", "--period", "2024")
    assert counts("arch", "2024") == counts("arch", "2025") == (4, 4, 1)
    assert "в заголовках книги указан 2025 год" in out
    wb = load_workbook(path)
    wb["Таблица 5"]["D6"] = "иногда"
    wb.save(path)
    with pytest.raises(UserError, match="Таблица 5"):
        run_import(str(path), "--org", "arch", "--period", "2025")
    assert counts() == (4, 4, 1)


@pytest.mark.parametrize("period", ["2025-Q3", "2025-07", "прошлый", "1900", "0001", "2099"])
def test_practice_period_is_a_year(store: str, cwd: Path, period: str) -> None:
    with pytest.raises(UserError, match="данные о практике задаются за год"):
        run_import(str(template_workbook(cwd / "p.xlsx")), "--org", "arch", "--period", period)


names = st.lists(
    # «Итого…»/«Всего…» opens the totals row of a table, not a service (ingest.practice.tables)
    st.text("абвгдежзиклмнопрстуф ", min_size=3, max_size=30).map(str.strip)
    .filter(lambda s: bool(s) and not TOTAL_ROW.match(normalise(s))),
    min_size=1,
    max_size=8,
    unique_by=lambda s: " ".join(s.lower().split()),
)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names, st.integers(50, 20_000))
def test_importing_the_same_workbook_twice_stores_it_once(
    store: str, service_names: list[str], requests: int
) -> None:
    services = [
        Svc(n, 1, requests, requests, 0, 0, True, 0, True, requests // 2, False, 0) for n in service_names
    ]
    regs = [Reg(n, 1, 1, 1) for n in service_names]
    with tempfile.TemporaryDirectory() as tmp:
        path = template_workbook(
            Path(tmp) / "p.xlsx", services=services, regulations=regs, approved=len(services)
        )
        org = f"prop-{uuid.uuid4().hex[:8]}"  # the store outlives one example: each gets its own office
        first = run_import(str(path), "--org", org, "--period", "2025")
        before = counts(org)
        second = run_import(str(path), "--org", org, "--period", "2025")
    assert before == counts(org) == (len(services), len(services), 1)
    assert "не изменились" in second and "не изменились" not in first.split("Сохранены")[0]
