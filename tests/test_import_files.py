"""Reading files as people send them, and refusing what is not a table (`ingest.files`)."""

from __future__ import annotations

import zipfile
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from ingest.files import (
    Column,
    datetime_value,
    locate,
    match_columns,
    number_value,
    read_tables,
    sniff,
    sniff_delimiter,
)
from tests.import_fixtures import csv_bytes, write_xlsx
from vocabulary.errors import UserError

MSK = ZoneInfo("Europe/Moscow")
ROWS = [["Дата", "Оценка", "Комментарий"], ["03.03.2025", "Хорошо", "Всё быстро, спасибо"],
        ["04.03.2025", "Плохо", "Очередь, нагрубили; не объяснили"]]


def _bad_zip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")


def _ods(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")


@pytest.mark.parametrize(("name", "make", "message"), [
    ("empty.csv", lambda p: p.write_bytes(b""), "файл пуст"),
    ("binary.csv", lambda p: p.write_bytes(bytes(range(256)) * 40), "двоичный файл"),
    ("noise.csv", lambda p: p.write_bytes(bytes((i * 37 + 11) % 256 for i in range(1, 8000) if i % 256)),
     "двоичный файл"),
    ("renamed.csv", lambda p: write_xlsx(p, ROWS), "по содержимому — книга Excel"),
    ("renamed.txt", lambda p: write_xlsx(p, ROWS), "переименуйте файл в .xlsx"),
    ("text.xlsx", lambda p: p.write_bytes(csv_bytes(ROWS)), "по содержимому — нет"),
    ("old.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "Excel 97–2003"),
    ("old.csv", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "Excel 97–2003"),
    ("scan.csv", lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), "PDF"),
    ("photo.xlsx", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100), "PNG"),
    ("archive.xlsx", _bad_zip, "архив ZIP"),
    ("calc.xlsx", _ods, "OpenDocument"),
    ("broken.xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + b"garbage" * 50), "повреждённый"),
])
def test_files_that_are_not_tables_are_refused_in_russian(tmp_path: Path, name: str, make: Any,
                                                          message: str) -> None:
    path = tmp_path / name
    make(path)
    with pytest.raises(UserError) as info:
        list(read_tables(path))
    assert message in str(info.value)
    assert str(path) in str(info.value)


def test_a_200_mb_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: costs nothing
    with pytest.raises(UserError, match=r"слишком большой \(200 МБ\), предел — 100 МБ"):
        sniff(path)
    assert sniff(path, max_bytes=300 * 1024 * 1024) == "csv"  # the limit is configurable


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="файл не найден"):
        sniff(tmp_path / "nope.csv")
    with pytest.raises(UserError, match="каталог"):
        sniff(tmp_path)


@pytest.mark.parametrize(("encoding", "bom"), [
    ("utf-8", False), ("utf-8", True), ("cp1251", False), ("utf-16", False),  # Python's utf-16 writes a BOM
])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, bom: bool, delimiter: str) -> None:
    path = tmp_path / "log.csv"
    path.write_bytes(csv_bytes(ROWS, delimiter=delimiter, encoding=encoding, bom=bom))
    (table,) = read_tables(path)
    rows = list(table.rows)
    assert [r.cells for r in rows] == ROWS
    assert [r.number for r in rows] == [1, 2, 3]


def test_blank_rows_and_columns_keep_the_row_numbers_people_see(tmp_path: Path) -> None:
    rows = [[], ["", "", ""], ["", "Дата", "", "Оценка"], ["", "03.03.2025", "", "Хорошо"], ["", "", "", ""],
            ["", "04.03.2025", "", "Плохо"], [";;;"]]
    path = tmp_path / "log.csv"
    path.write_bytes(csv_bytes(rows[:-1]) + b";;;\r\n\r\n")
    located = locate(path, [Column("date", ("Дата",), required=True), Column("grade", ("Оценка",))], "журнал")
    assert located.header.number == 3
    assert located.columns == {"date": 1, "grade": 3}
    assert [(r.number, r.cells[1]) for r in located.rows()] == [(4, "03.03.2025"), (6, "04.03.2025")]


def test_multiline_quoted_cells_count_lines_correctly(tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_bytes(csv_bytes([["Дата", "Комментарий"], ["03.03.2025", "строка 1\nстрока 2"],
                                ["04.03.2025", "ок"]], delimiter=","))
    (table,) = read_tables(path)
    assert [(r.number, r.cells[1]) for r in table.rows] == [(1, "Комментарий"), (2, "строка 1\nстрока 2"),
                                                           (4, "ок")]


def test_xlsx_title_rows_blank_rows_and_an_instruction_sheet(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "t.xlsx", [["Отчёт за 2025 год"], [], ["Услуга", "Индекс CSI"], [],
                                           ["Регистрация рождения", "4,8"]],
                      extra_sheets=[("Инструкция", [["Заполните лист «Лист1»"]])])
    located = locate(path, [Column("service", ("Услуга",), required=True),
                            Column("csi", ("Индекс CSI",), required=True)], "Таблицу 2")
    assert located.table.sheet == "Лист1"
    assert located.header.number == 3
    assert [(r.number, r.cells) for r in located.rows()] == [(5, ["Регистрация рождения", "4,8"])]
    assert located.table.where(5) == "t.xlsx, лист «Лист1», строка 5"


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes([["Дата", "Комментарий"], ["03.03.2025", "ок"]]))
    with pytest.raises(UserError, match="не похоже на журнал: не найдены столбцы «Оценка»"):
        locate(path, [Column("date", ("Дата",), required=True), Column("grade", ("Оценка",), required=True)],
               "журнал")


def test_a_header_only_blank_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_bytes(b";;;\r\n\r\n ;\r\n")
    with pytest.raises(UserError, match="нет ни одной строки с данными"):
        locate(path, [Column("date", ("Дата",), required=True)], "журнал")


@pytest.mark.parametrize(("headers", "expected"), [
    (["Номер", "Номер ЕПГУ"], {"id": 0, "epgu": 1}),
    (["Номер ЕПГУ", "Номер"], {"id": 1, "epgu": 0}),
    (["  НОМЕР ", "номер епгу:"], {"id": 0, "epgu": 1}),
    (["1. Номер", "Другое"], {"id": 0}),
    (["Оценка ответа заявителем (1-5)", "Номер"], {"id": 1, "rating": 0}),
])
def test_header_matching(headers: list[str], expected: dict[str, int]) -> None:
    columns = [Column("id", ("Номер",)), Column("epgu", ("Номер ЕПГУ",)),
               Column("rating", ("Оценка ответа заявителем",), ("оценка ответа",))]
    assert match_columns(headers, columns) == expected


@pytest.mark.parametrize(("cell", "time_cell", "expected"), [
    ("24.12.2024", None, datetime(2024, 12, 24, tzinfo=UTC)),  # a date alone stays that day, 00:00 UTC
    ("24.12.2024 15:54:50", None, datetime(2024, 12, 24, 12, 54, 50, tzinfo=UTC)),  # local (MSK) time
    ("24.12.2024 15:54", None, datetime(2024, 12, 24, 12, 54, tzinfo=UTC)),
    ("2024-12-26 17:17:01", None, datetime(2024, 12, 26, 14, 17, 1, tzinfo=UTC)),
    ("2024-12-26T17:17:01Z", None, datetime(2024, 12, 26, 17, 17, 1, tzinfo=UTC)),
    ("2024-12-26T17:17:01+05:00", None, datetime(2024, 12, 26, 12, 17, 1, tzinfo=UTC)),
    ("2024-12-26", None, datetime(2024, 12, 26, tzinfo=UTC)),
    ("24/12/2024", None, datetime(2024, 12, 24, tzinfo=UTC)),
    ("24.12.24", None, datetime(2024, 12, 24, tzinfo=UTC)),
    ("5 марта 2025 г.", None, datetime(2025, 3, 5, tzinfo=UTC)),
    ("5 мая 2025 14:30", None, datetime(2025, 5, 5, 11, 30, tzinfo=UTC)),
    (45658, None, datetime(2025, 1, 1, tzinfo=UTC)),  # Excel serial date
    ("45658", None, datetime(2025, 1, 1, tzinfo=UTC)),  # … pasted into a CSV
    (45658.5, None, datetime(2025, 1, 1, 9, tzinfo=UTC)),  # serial with a time: 12:00 MSK
    ("45658,5", None, datetime(2025, 1, 1, 9, tzinfo=UTC)),
    (datetime(2025, 1, 1, 12, 0), None, datetime(2025, 1, 1, 9, tzinfo=UTC)),  # an xlsx date cell
    (datetime(2025, 1, 1), None, datetime(2025, 1, 1, tzinfo=UTC)),
    (date(2025, 1, 1), None, datetime(2025, 1, 1, tzinfo=UTC)),
    ("03.03.2025", "09:15", datetime(2025, 3, 3, 6, 15, tzinfo=UTC)),  # separate «Время» column
    ("03.03.2025", time(9, 15), datetime(2025, 3, 3, 6, 15, tzinfo=UTC)),
    ("03.03.2025", 0.5, datetime(2025, 3, 3, 9, tzinfo=UTC)),  # Excel time as a day fraction
    ("-", None, None),
    ("", None, None),
    (None, None, None),
])
def test_dates(cell: Any, time_cell: Any, expected: datetime | None) -> None:
    assert datetime_value(cell, MSK, time_cell) == expected


@pytest.mark.parametrize("cell", ["вчера", "32.13.2025", "12345678", 3, "24.12.2024 25:00", "asdf"])
def test_garbage_dates_raise_in_russian(cell: Any) -> None:
    with pytest.raises(ValueError, match="непонятн"):
        datetime_value(cell, MSK)


@pytest.mark.parametrize(("cell", "expected"), [
    ("4,35", 4.35), ("4.35", 4.35), (4, 4.0), ("1 234", 1234.0), ("-", None), (None, None), ("", None),
])
def test_numbers(cell: Any, expected: float | None) -> None:
    assert number_value(cell) == expected


def test_number_garbage() -> None:
    with pytest.raises(ValueError, match="ожидается число, а не «много»"):
        number_value("много")


@pytest.mark.parametrize(("text", "expected"), [
    ("a;b;c\n1;2;3\n", ";"),
    ("a,b,c\n1,2,3\n", ","),
    ('"Оцените, пожалуйста",b\n1,2\n', ","),
    ("Дата;Оценка, баллы;Комментарий\n1;2;3\n", ";"),
    ("a\tb\n1\t2\n", "\t"),
])
def test_delimiter_sniffing(text: str, expected: str) -> None:
    assert sniff_delimiter(text) == expected


def test_excel_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"sep=,\r\n" + csv_bytes(ROWS, delimiter=","))
    (table,) = read_tables(path)
    assert [(r.number, r.cells) for r in table.rows] == [(2, ROWS[0]), (3, ROWS[1]), (4, ROWS[2])]
