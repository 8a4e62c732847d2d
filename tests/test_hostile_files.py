"""Files built to break the importers: broken sheet XML, a megabyte in one cell, a zip
bomb of a workbook, a binary as a practice workbook. Each ends in the project's Russian
error naming the file (and a failed run), or in quarantine for the one bad row — never in
a traceback, never losing the good rows."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from ingest.importers import import_file
from ingest.practice import read_practice
from models.db import session_scope
from models.repo import ensure_organisation, ensure_source
from models.tables import Feedback, IngestRun, Quarantine
from tests.import_fixtures import (
    ORG,
    POS_HEADER,
    gosuslugi_table,
    kaluga_rows,
    pos_export,
    pos_row,
    terminal_rows,
    vk_rows,
    write_csv,
    write_xlsx,
)
from tests.practice_fixtures import template_workbook
from vocabulary.errors import UserError

MEGABYTE_TEXT = "Очередь. " * 120_000  # ~1 MB in one cell


def make_source(kind: str) -> int:
    with session_scope() as session:
        org, _ = ensure_organisation(session, "zags", ORG)
        source = ensure_source(session, org, kind)
        assert source.id is not None
        return source.id


def break_sheet(path: Path, keep: float = 0.6) -> Path:
    """Cut the first worksheet's XML short, as a crashed writer or a hand edit leaves it."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = next(n for n in sorted(parts) if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet][: int(len(parts[sheet]) * keep)]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


WORKBOOKS: dict[str, Callable[[Path], Path]] = {
    "pos": lambda d: pos_export(d / "pos.xlsx"),
    "gosuslugi": lambda d: gosuslugi_table(d / "gosuslugi_zags_2025.xlsx"),
    "survey": lambda d: write_xlsx(d / "survey_2025.xlsx", kaluga_rows()),
    "terminal": lambda d: write_xlsx(d / "terminal_2025.xlsx", terminal_rows()),
    "vashkontrol": lambda d: write_xlsx(d / "vashkontrol_2025.xlsx", vk_rows()),
}


@pytest.mark.parametrize("kind", sorted(WORKBOOKS))
def test_broken_sheet_xml_is_a_russian_error_and_a_failed_run(sqlite_store: str, tmp_path: Path,
                                                              kind: str) -> None:
    source_id = make_source(kind)
    path = break_sheet(WORKBOOKS[kind](tmp_path))
    with pytest.raises(UserError, match="повреждённые данные листа") as err:
        import_file(kind, path, source_id)
    assert path.name in str(err.value)
    with session_scope() as session:
        (run,) = session.exec(select(IngestRun).where(IngestRun.source_id == source_id)).all()
        assert run.status == "failed" and "повреждённые данные листа" in (run.error or "")
        assert not session.exec(select(Feedback)).all()


def test_sheet_xml_broken_below_the_header_rows_stores_nothing(sqlite_store: str, tmp_path: Path) -> None:
    source_id = make_source("pos")
    rows = [POS_HEADER] + [pos_row(f"6725{i:07d}", "10.03.2025", "5", f"Текст {i}") for i in range(300)]
    path = break_sheet(write_xlsx(tmp_path / "pos.xlsx", rows), keep=0.9)
    with pytest.raises(UserError, match="повреждённые данные листа"):
        import_file("pos", path, source_id)
    with session_scope() as session:
        assert not session.exec(select(Feedback)).all()
        (run,) = session.exec(select(IngestRun).where(IngestRun.source_id == source_id)).all()
        assert run.status == "failed"


def test_broken_sheet_xml_in_a_practice_workbook(tmp_path: Path) -> None:
    path = break_sheet(template_workbook(tmp_path / "practice.xlsx"))
    with pytest.raises(UserError, match=r"practice\.xlsx.*не читается как книга Excel"):
        read_practice(path)


@pytest.mark.parametrize("line", [2, 12, 32])
def test_a_megabyte_cell_quarantines_its_row_and_keeps_the_others(sqlite_store: str, tmp_path: Path,
                                                                  line: int) -> None:
    source_id = make_source("pos")
    rows: list[list[Any]] = [POS_HEADER]
    for i in range(31):
        text = MEGABYTE_TEXT if len(rows) + 1 == line else f"Очередь два часа, обращение {i}"
        rows.append(pos_row(f"6725{i:07d}", "10.03.2025", "2", text))
    path = write_csv(tmp_path / "pos.csv", rows)
    result = import_file("pos", path, source_id)
    assert (result.n_new, result.n_quarantined) == (30, 1)
    with session_scope() as session:
        (item,) = session.exec(select(Quarantine)).all()
    assert item.location == f"pos.csv, строка {line}"
    assert "длиннее 32\u00a0767 символов" in item.reason and "испорченн" not in item.reason
    assert len(str(item.payload)) < 10_000  # the megabyte is not copied into quarantine


def test_a_workbook_that_unpacks_too_big_is_refused_before_parsing(sqlite_store: str, tmp_path: Path) -> None:
    source_id = make_source("pos")
    rows = [POS_HEADER] + [pos_row(f"6725{i:07d}", "10.03.2025", "2", "Очередь " * 50) for i in range(2000)]
    path = write_xlsx(tmp_path / "pos.xlsx", rows)
    small = path.stat().st_size + 1  # the file itself is within the limit, what it unpacks to is not
    with pytest.raises(UserError, match=r"в распакованном виде книга занимает .* предел"):
        import_file("pos", path, source_id, {"max_bytes": small})
    with session_scope() as session:
        (run,) = session.exec(select(IngestRun).where(IngestRun.source_id == source_id)).all()
        assert run.status == "failed"


@pytest.mark.parametrize("period", ["0001", "9999"])
def test_import_with_an_implausible_period(sqlite_store: str, tmp_path: Path, period: str) -> None:
    source_id = make_source("pos")
    with pytest.raises(UserError, match="вне допустимых лет"):
        import_file("pos", pos_export(tmp_path / "pos.xlsx"), source_id, {"period": period})


def test_one_off_imports_do_not_make_the_first_files_services_the_allowed_list(sqlite_store: str,
                                                                               tmp_path: Path) -> None:
    from tests.import_fixtures import GOSUSLUGI_SERVICES

    source_id = make_source("gosuslugi")  # the organisation declares no services
    first = import_file("gosuslugi", gosuslugi_table(tmp_path / "gosuslugi_2024.xlsx"), source_id)
    rows = [["Наименование услуги", "Индекс CSI", "Количество оценок"],
            [GOSUSLUGI_SERVICES[0], 4.5, 10], ["Выдача справки о составе семьи", 4.1, 12]]
    second = import_file("gosuslugi", write_xlsx(tmp_path / "gosuslugi_2025.xlsx", rows), source_id)
    assert first.n_new > 0 and (second.n_new, second.n_quarantined) == (2, 0)


@pytest.mark.parametrize(("content", "message"), [
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "изображение PNG"),
    (b"PK\x03\x04" + bytes(200), "повреждённый архив"),
])
def test_gosuslugi_errors_name_the_real_problem(sqlite_store: str, tmp_path: Path, content: bytes,
                                                message: str) -> None:
    path = tmp_path / "gosuslugi.xlsx"  # no year in the name either
    path.write_bytes(content)
    with pytest.raises(UserError, match=message):
        import_file("gosuslugi", path, make_source("gosuslugi"))
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(UserError, match="файл пуст"):
        import_file("gosuslugi", empty, make_source("gosuslugi"))


def test_a_practice_workbook_that_unpacks_too_big_is_refused(tmp_path: Path) -> None:
    from ingest.practice import grid

    path = template_workbook(tmp_path / "practice.xlsx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(grid.MAX_BYTES * 3))  # compresses to kilobytes
    assert path.stat().st_size < grid.MAX_BYTES
    with pytest.raises(UserError, match="в распакованном виде книга занимает"):
        read_practice(path)
