"""`painmap report` end to end on SQLite and PostgreSQL: the documents, the printed paths,
`--org`, other periods, errors naming what is wrong, and (when LibreOffice is installed)
a conversion of the DOCX to PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from report_fixtures import (
    ORGS,
    RAW_NAME,
    RAW_PHONE,
    REGION,
    RUDE_MASKED,
    archive_strings,
    docx_text,
    expected,
    headings,
    populate,
    section,
)
from typer.testing import CliRunner

from flows.cli import app
from models.db import session_scope
from reports.text import number, percent
from vocabulary.errors import UserError

runner = CliRunner()


def config(tmp_path: Path) -> Path:
    path = tmp_path / "painmap.toml"
    path.write_text(f'[region]\nname = "{REGION.replace(chr(34), "")}"\ntimezone = "Europe/Moscow"\n',
                    encoding="utf-8")
    return path


def report(tmp_path: Path, *args: str) -> tuple[str, Path, Path]:
    docx, xlsx = tmp_path / "out" / "report.docx", tmp_path / "out" / "report.xlsx"
    result = runner.invoke(app, ["--config", str(config(tmp_path)), "report", "--out", str(docx),
                                 "--xlsx", str(xlsx), *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.output, docx, xlsx


def test_report_command_on_both_back_ends(store: str, tmp_path: Path) -> None:
    with session_scope() as session:
        populate(session, tmp_path)
    output, docx, xlsx = report(tmp_path, "--period", "2025")
    assert f"DOCX: {docx}\n" in output and f"XLSX: {xlsx}\n" in output
    assert "органов — 3 (мониторинг проведен — 2)" in " ".join(output.split())
    doc = Document(str(docx))
    text = docx_text(doc)
    assert REGION in text
    scores, pains = expected()
    zags = scores["zags"].current
    assert f"Куд = {percent(zags.k_ud)}" in text
    assert f"Кэф = {percent(zags.k_ef)}" in text
    assert f"{number(pains['zags'].cells['queue'].share)} ({pains['zags'].cells['queue'].count})" in text
    assert f"«{RUDE_MASKED}»" in text
    for path in (docx, xlsx):
        assert RAW_NAME not in archive_strings(path) and RAW_PHONE not in archive_strings(path)
    sheet = load_workbook(xlsx)["Показатели"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == ORGS["zags"])
    assert row[2] == pytest.approx(round(zags.k_ud, 2))


def test_one_organisation(sqlite_store: str, tmp_path: Path) -> None:
    with session_scope() as session:
        populate(session, tmp_path)
    output, docx, _ = report(tmp_path, "--period", "2025", "--org", "szn")
    text = docx_text(Document(str(docx)))
    assert ORGS["szn"] in text and ORGS["zags"] not in text and ORGS["arch"] not in text
    assert "органов — 1" in " ".join(output.split())
    assert "Повысить доступность телефонного информирования" in section(text, "6. Рекомендации", None)


def test_a_period_without_a_previous_one(sqlite_store: str, tmp_path: Path) -> None:
    with session_scope() as session:
        populate(session, tmp_path)
    _, docx, _ = report(tmp_path, "--period", "2024")
    doc = Document(str(docx))
    assert len(headings(doc)) == 6  # nobody is below 50 requests in 2024: no reference section
    text = docx_text(doc)
    assert "Данные мониторинга за 2023 год отсутствуют" in section(text, "5. Сравнение", "6. Рекомендации")
    assert "Куд = 68,00%" in text  # ЗАГС, Yandex 2024: 3.4 → 68 %


def test_a_quarter_uses_the_practice_data_of_its_year(sqlite_store: str, tmp_path: Path) -> None:
    with session_scope() as session:
        populate(session, tmp_path)
    _, docx, _ = report(tmp_path, "--period", "2025-Q3")
    text = docx_text(Document(str(docx)))
    assert "за III квартал 2025 года" in text
    assert "Кпр — по данным о практике за 2025 год (данные о практике годовые)" in text
    assert "68,14" in text


def test_a_period_without_any_data(sqlite_store: str, tmp_path: Path) -> None:
    with session_scope() as session:
        populate(session, tmp_path)
    output, docx, xlsx = report(tmp_path, "--period", "2020")
    doc = Document(str(docx))
    assert len(headings(doc)) == 6 and not doc.inline_shapes  # no numbers, no diagrams
    text = docx_text(doc)
    assert "оценок граждан по каналам обратной связи не получено" in text
    assert "Мониторинг проведен в отношении" not in text
    assert "ни оценок граждан, ни данных о практике" in text
    assert "рекомендации не формируются" in section(text, "6. Рекомендации", None)
    assert "рекомендаций — 0" in " ".join(output.split())
    assert load_workbook(xlsx)["Таблица 3"]["A1"].value == "Таблица 3: нет данных о практике."


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "2025", "--out", "report.pdf"], "ожидается расширение .docx"),
    (["--period", "2025", "--out", "r.docx", "--xlsx", "r.csv"], "ожидается расширение .xlsx"),
    (["--period", "20x5", "--out", "r.docx"], "непонятный период «20x5»"),
    (["--out", "r.docx"], "Укажите период"),
    (["--period", "2025", "--out", "r.docx", "--org", "nope"], "Организация «nope» не найдена"),
])
def test_errors_name_what_is_wrong(sqlite_store: str, tmp_path: Path, args: list[str], message: str) -> None:
    with session_scope() as session:
        populate(session, tmp_path)
    paths = [str(tmp_path / a) if a.endswith((".docx", ".pdf", ".csv", ".xlsx")) else a for a in args]
    result = runner.invoke(app, ["--config", str(config(tmp_path)), "report", *paths])
    assert isinstance(result.exception, UserError)
    assert message in str(result.exception)
    assert not (tmp_path / "r.docx").exists()


def test_an_empty_store_is_an_error(sqlite_store: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["--config", str(config(tmp_path)), "report", "--period", "2025",
                                 "--out", str(tmp_path / "r.docx")])
    assert isinstance(result.exception, UserError)
    assert "В базе нет организаций" in str(result.exception)


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.slow
@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_the_report_to_pdf(sqlite_store: str, tmp_path: Path) -> None:
    with session_scope() as session:
        populate(session, tmp_path)
    _, docx, _ = report(tmp_path, "--period", "2025")
    assert SOFFICE is not None
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--convert-to",
                    "pdf", "--outdir", str(tmp_path / "pdf"), str(docx)], check=True, timeout=300,
                   capture_output=True)
    pdf = (tmp_path / "pdf" / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages >= 8  # title, six sections with tables and 15 diagrams, the reference section
    if shutil.which("pdftotext") is None:
        return
    text = subprocess.run(["pdftotext", str(tmp_path / "pdf" / "report.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    numbers = [int(n) for n in re.findall(r"Таблица (\d+)\.", text)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 10  # as printed, in order
    shots = Path(".ci/artifacts/report-pages")
    shots.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / "pdf" / "report.pdf"),
                    str(shots / "page")], check=False, timeout=120)  # to look at; kept out of the repository


def test_a_config_without_the_region_name_is_warned_about(sqlite_store: str, tmp_path: Path) -> None:
    with session_scope() as session:
        populate(session, tmp_path)
    bare = tmp_path / "bare.toml"
    bare.write_text('[region]\ntimezone = "Europe/Moscow"\n', "utf-8")
    result = runner.invoke(app, ["--config", str(bare), "report", "--out", str(tmp_path / "r.docx"),
                                 "--period", "2025"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "не задано наименование муниципального образования — ключ «region.name»" in text
    assert "«Муниципальное образование»" in text
    named = runner.invoke(app, ["--config", str(config(tmp_path)), "report",
                                "--out", str(tmp_path / "n.docx"), "--period", "2025"])
    assert "region.name" not in named.output
