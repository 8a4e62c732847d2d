"""The practice workbook reader on the layouts people send: the Методика's template, flat
tables, CSV, the demo region's files, shuffled columns, and broken workbooks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from practice_fixtures import (
    APPROVED,
    COLUMNS3,
    COLUMNS5,
    REG_FIELDS,
    REGULATIONS,
    SERVICES,
    SVC_FIELDS,
    Reg,
    Svc,
    as_tuples,
    blocks3,
    csv_files,
    flat_workbook,
    stacked_csv,
    svc_tuples,
    template_workbook,
)

from ingest.practice import PracticeFormatError, read_practice
from scoring.practice import compute_practice
from vocabulary.errors import UserError

EXPECTED_REGS = [(r.name, r.law_210, r.law_other, r.timeliness) for r in REGULATIONS]


def _check(book_path: Path | list[Path]) -> None:
    book = read_practice(book_path)
    assert as_tuples(book.services, SVC_FIELDS) == svc_tuples(SERVICES)
    assert as_tuples(book.regulations, REG_FIELDS) == EXPECTED_REGS
    assert book.approved_regulations == APPROVED
    assert book.warnings == []


@pytest.mark.parametrize(
    "mfc", ["ГБУ КО «МФЦ Калужской области»", "ГАУ «Мои документы»", "многофункциональный центр Заречья"]
)
def test_template_layout_with_region_specific_mfc(tmp_path: Path, mfc: str) -> None:
    _check(template_workbook(tmp_path / "p.xlsx", mfc=mfc))


def test_template_with_numbers_as_text(tmp_path: Path) -> None:
    _check(template_workbook(tmp_path / "p.xlsx", as_text=True))


@pytest.mark.parametrize(
    "names",
    [
        ("Таблица 3", "Таблица 3.1", "Таблица 5"),
        ("Табл. 3", "Табл. 3,1", "Табл. 5"),
        ("таблица3", "Таблица 3_1", "ТАБЛИЦА 5 "),
        ("Лист1", "Лист2", "Лист3"),
    ],
)
def test_sheet_names_may_vary(tmp_path: Path, names: tuple[str, str, str]) -> None:
    _check(template_workbook(tmp_path / "p.xlsx", names=names))


@pytest.mark.parametrize("horizontal", [False, True])
def test_flat_layout(tmp_path: Path, horizontal: bool) -> None:
    _check(flat_workbook(tmp_path / "flat.xlsx", horizontal_summary=horizontal))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251"])
def test_csv_one_file_per_table(tmp_path: Path, encoding: str) -> None:
    _check(csv_files(tmp_path / "csv", encoding=encoding))


def test_csv_with_stacked_tables(tmp_path: Path) -> None:
    _check(stacked_csv(tmp_path / "all.csv"))


def test_demo_workbooks_match_their_cells(demo_dir: Path) -> None:
    """The demo builder's workbooks (merged headers, blank row, Итого, да/Да/ДА, numbers as
    text) read the same as a positional reading of the known template layout."""
    files = sorted((demo_dir / "practice").glob("*.xlsx"))
    assert len(files) == 8
    for path in files:
        book = read_practice(path)
        expected3, expected5, regulations = _positional(path)
        assert as_tuples(book.services, SVC_FIELDS) == expected3, path.name
        assert as_tuples(book.regulations, REG_FIELDS) == expected5, path.name
        assert book.approved_regulations == regulations
        assert book.warnings == []
        assert book.year == int(path.stem[-4:])


def _positional(path: Path) -> tuple[list[tuple], list[tuple], int]:  # type: ignore[type-arg]
    wb = load_workbook(path, data_only=True)

    def flag(v: str) -> bool:
        return v.strip().lower() == "да"

    services = []
    for row in wb["Таблица 3"].iter_rows(min_row=7, values_only=True):
        if row[0] is None:
            continue
        if row[0] == "Итого":
            break
        n = [int(v) for v in (row[2], row[3], row[4], row[5], row[6], row[8], row[10], row[12])]
        services.append(
            (
                row[1],
                n[0],
                n[1],
                n[2],
                n[3],
                n[4],
                flag(row[7]),
                n[5],
                flag(row[9]),
                n[6],
                flag(row[11]),
                n[7],
            )
        )
    regs = []
    for row in wb["Таблица 5"].iter_rows(min_row=5, values_only=True):
        if row[0] == "Итог:":
            break
        regs.append((row[0], int(row[1]), int(row[2]), float(str(row[3]).replace(",", "."))))
    regulations = next(
        int(r[1]) for r in wb["Таблица 3.1"].iter_rows(values_only=True) if r[0] and "регламент" in r[0]
    )
    return services, regs, regulations


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(len(blocks3()))))
def test_shuffled_template_columns_give_the_same_result(order: list[int]) -> None:
    base = compute_practice(SERVICES, REGULATIONS, APPROVED)
    with tempfile.TemporaryDirectory() as tmp:
        path = template_workbook(Path(tmp) / "p.xlsx", order=order)
        book = read_practice(path)
    assert as_tuples(book.services, SVC_FIELDS) == svc_tuples(SERVICES)
    assert compute_practice(book.services, book.regulations, book.approved_regulations) == base


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(len(COLUMNS3))), st.permutations(range(len(COLUMNS5))))
def test_shuffled_flat_columns_give_the_same_result(order3: list[int], order5: list[int]) -> None:
    base = compute_practice(SERVICES, REGULATIONS, APPROVED)
    with tempfile.TemporaryDirectory() as tmp:
        book = read_practice(flat_workbook(Path(tmp) / "p.xlsx", order3=order3, order5=order5))
    assert compute_practice(book.services, book.regulations, book.approved_regulations) == base


# --- cross-checks ----------------------------------------------------------------------------


def test_summary_that_does_not_add_up_is_a_warning(tmp_path: Path) -> None:
    from practice_fixtures import summary_values

    summary = summary_values(SERVICES, APPROVED) | {"requests": 9000, "services": 5}
    book = read_practice(template_workbook(tmp_path / "p.xlsx", summary=summary))
    text = "\n".join(book.warnings)
    assert "Таблица 3.1" in text and "9000" in text and "9850" in text
    assert "Количество оказываемых муниципальных услуг" in text
    assert len(book.warnings) == 2
    assert sum(s.requests for s in book.services) == 9850  # scoring still uses Таблица 3


def test_wrong_totals_row_is_a_warning(tmp_path: Path) -> None:
    book = read_practice(template_workbook(tmp_path / "p.xlsx", totals={"requests": 9999}))
    assert len(book.warnings) == 1
    assert "Итого" in book.warnings[0] and "9999" in book.warnings[0] and "9850" in book.warnings[0]


def test_services_missing_from_table5_are_warned(tmp_path: Path) -> None:
    book = read_practice(template_workbook(tmp_path / "p.xlsx", regulations=REGULATIONS[:3]))
    assert book.warnings == [f"Услуга «{SERVICES[3].name}» есть в Таблице 3, но не оценена в Таблице 5."]


# --- broken workbooks ------------------------------------------------------------------------


def _edit(path: Path, sheet: str, cell: str, value: object) -> Path:
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    return path


# Template rows: services start at row 7; a blank row is left before the 3rd service (row 9),
# so the services are on rows 7, 8, 10, 11. Columns: D requests, E on time, H prebooking,
# I complaints, K via ЕПГУ. Таблица 5 rows start at 5.
@pytest.mark.parametrize(
    ("sheet", "cell", "value", "fragments"),
    [
        (
            "Таблица 3",
            "D8",
            "много",
            ["лист «Таблица 3»", "строка 8", "столбец D", "Количество запросов", "ожидается целое число"],
        ),
        ("Таблица 3", "D10", 12.5, ["строка 10", "столбец D", "целое число"]),
        ("Таблица 3", "I7", -1, ["строка 7", "столбец I", "отрицательным"]),
        ("Таблица 3", "H7", "может быть", ["строка 7", "столбец H", "«да» или «нет»"]),
        ("Таблица 3", "H8", None, ["строка 8", "столбец H", "не заполнена"]),
        ("Таблица 3", "D7", None, ["строка 7", "столбец D", "не заполнена"]),
        ("Таблица 3", "E7", 7000, ["строка 7", "столбец E", "больше, чем запросов"]),
        ("Таблица 3", "K7", 5000, ["строка 7", "столбец K", "Единый портал и МФЦ"]),
        ("Таблица 3", "B8", SERVICES[0].name, ["строка 8", "столбец B", "уже указана в строке 7"]),
        ("Таблица 3", "B10", None, ["строка 10", "столбец B", "не указано наименование"]),
        ("Таблица 5", "D6", 0.7, ["лист «Таблица 5»", "строка 6", "столбец D", "1 / 0,5 / 0"]),
        ("Таблица 5", "B5", 2, ["строка 5", "столбец B", "1 / 0"]),
        ("Таблица 3.1", "B14", "двенадцать", ["лист «Таблица 3.1»", "строка 14", "столбец B", "целое число"]),
        ("Таблица 3.1", "B14", 9, ["регламентов (9) больше, чем услуг"]),
    ],
)
def test_malformed_cells_are_located(
    tmp_path: Path, sheet: str, cell: str, value: object, fragments: list[str]
) -> None:
    path = _edit(template_workbook(tmp_path / "p.xlsx"), sheet, cell, value)
    with pytest.raises(PracticeFormatError) as err:
        read_practice(path)
    for fragment in fragments:
        assert fragment in str(err.value)
    assert str(err.value).startswith("Файл p.xlsx") or "p.xlsx" in str(err.value)


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = template_workbook(tmp_path / "p.xlsx")
    wb = load_workbook(path)
    wb["Таблица 3"].delete_cols(9)  # complaints
    wb.save(path)
    with pytest.raises(PracticeFormatError, match="не найден столбец «Количество поступивших жалоб"):
        read_practice(path)


def test_missing_sheet_is_named(tmp_path: Path) -> None:
    path = template_workbook(tmp_path / "p.xlsx")
    wb = load_workbook(path)
    del wb["Таблица 5"]
    wb.save(path)
    with pytest.raises(PracticeFormatError, match="не найдена Таблица 5"):
        read_practice(path)


def test_missing_regulations_line(tmp_path: Path) -> None:
    from practice_fixtures import summary_values

    summary = summary_values(SERVICES, APPROVED)
    del summary["regulations"]
    with pytest.raises(PracticeFormatError, match="Количество утвержденных административных регламентов"):
        read_practice(template_workbook(tmp_path / "p.xlsx", summary=summary))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", ".xls (Excel 97–2003) не поддерживается"),
        ("broken.xlsx", b"not a zip", "по содержимому — нет"),
        ("notes.docx", b"", "файл пуст"),
        ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, "изображение PNG"),
        ("dump.csv", bytes(range(256)) * 40, "двоичный файл"),
        ("dump.xlsx", b"PK\x03\x04" + bytes(range(256)) * 40, "повреждённый архив"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UserError) as err:
        read_practice(path)
    assert message in str(err.value) and name in str(err.value)


def test_empty_data_row_is_skipped_with_a_warning(tmp_path: Path) -> None:
    services = [*SERVICES, Svc("Услуга без данных", 0, 0, 0, 0, 0, False, 0, False, 0, False, 0)]
    path = template_workbook(
        tmp_path / "p.xlsx", services=services, regulations=[*REGULATIONS, Reg("Услуга без данных", 1, 1, 1)]
    )
    wb = load_workbook(path)
    ws = wb["Таблица 3"]
    last = next(r for r in range(7, 20) if ws.cell(r, 2).value == "Услуга без данных")
    for col in range(3, 14):
        ws.cell(last, col).value = None
    wb.save(path)
    book = read_practice(path)
    assert [s.service for s in book.services] == [s.name for s in SERVICES]
    assert any("не заполнены данные" in w for w in book.warnings)


def test_workbook_without_tables(tmp_path: Path) -> None:
    wb = Workbook()
    wb.active["A1"] = "Пояснительная записка"
    wb.save(tmp_path / "x.xlsx")
    with pytest.raises(PracticeFormatError, match=r"не найдена Таблица 3, Таблица 3\.1, Таблица 5"):
        read_practice(tmp_path / "x.xlsx")


def test_tables_one_under_another_on_one_sheet(tmp_path: Path) -> None:
    """Таблицы 3, 3.1 and 5 typed on a single sheet under their titles."""
    from practice_fixtures import flat_rows3, flat_rows5, summary_rows

    wb = Workbook()
    ws = wb.active
    ws.title = "Мониторинг 2025"
    ws.append(["Сведения для мониторинга качества предоставления муниципальных услуг"])
    ws.append([])
    for title, rows in (
        ("Таблица 3. Анализ объема запросов", flat_rows3(SERVICES)),
        ("Таблица 3.1. Общая информация", summary_rows(SERVICES, APPROVED)),
        ("Таблица 5. Определение коэффициента качества", flat_rows5(REGULATIONS)),
    ):
        ws.append([title])
        for row in rows:
            ws.append(row)
        ws.append([])
    wb.save(tmp_path / "one.xlsx")
    _check(tmp_path / "one.xlsx")


def test_service_names_are_tidied(tmp_path: Path) -> None:
    path = template_workbook(tmp_path / "p.xlsx")
    wb = load_workbook(path)
    wb["Таблица 3"]["B7"] = "  Выдача разрешений\nна   строительство "
    wb.save(path)
    book = read_practice(path)
    assert book.services[0].service == "Выдача разрешений на строительство"
    assert book.warnings == []
