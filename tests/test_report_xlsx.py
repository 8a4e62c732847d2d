"""The XLSX of the report: tables 1–5 of the Методика and the pain map, one sheet each,
numbers as numbers equal to the scoring modules' (rounded to 2 decimals), set up for
printing."""

from __future__ import annotations

from typing import Any

import pytest
from practice_fixtures import REGULATIONS, SERVICES, coefficient
from report_fixtures import GOSUSLUGI_2025, ORGS, BuiltReport, built_report

from vocabulary.categories import CATEGORIES, CATEGORY_NAMES

__all__ = ["built_report"]


def rows(ws: Any) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def block(ws: Any, org_name: str) -> list[list[Any]]:
    """The rows of one office's block: from its subtitle to the next blank row."""
    all_rows = rows(ws)
    start = next(i for i, r in enumerate(all_rows) if isinstance(r[0], str) and r[0].startswith(org_name))
    out = []
    for r in all_rows[start + 1:]:
        if all(v is None for v in r):
            break
        out.append(r)
    return out


def test_one_sheet_per_table_and_the_pain_map(built_report: BuiltReport) -> None:
    names = built_report.book.sheetnames
    required = ("Таблица 1", "Таблица 2", "Таблица 3", "Таблица 3.1", "Таблица 4", "Таблица 5", "Карта болей")
    assert set(required) <= set(names)
    assert rows(built_report.book["Таблица 3"])[0][0].startswith("Таблица 3. Анализ объема запросов")


@pytest.mark.parametrize("code", ["zags", "szn", "arch"])
def test_indicators_sheet_equals_the_scores(built_report: BuiltReport, code: str) -> None:
    row = next(r for r in rows(built_report.book["Показатели"]) if r[0] == ORGS[code])
    s = built_report.scores[code]

    def cell(value: float | None) -> Any:
        return "—" if value is None else pytest.approx(round(value, 2), abs=1e-9)

    assert row[2:8] == [cell(s.current.k_ud), cell(s.current.k_pr), cell(s.current.k_ef),
                        cell(s.previous.k_ud), cell(s.previous.k_pr), cell(s.previous.k_ef)]


def test_table1_survey_criteria(built_report: BuiltReport) -> None:
    survey = next(c for c in built_report.scores["zags"].current.channels if c.channel == "survey")
    body = block(built_report.book["Таблица 1"], ORGS["zags"])
    assert body[1] == [1, 2, 3, 4, 5]  # the column numbers of the template
    # quality (5+4)/2 = 4.5 → 90 %, time 3.5 → 70 %, information 4.5 → 90 %
    assert [r[3] for r in body[2:5]] == [90.0, 70.0, 90.0]
    assert body[5][1:4] == ["Итого:", survey.n, pytest.approx(round(survey.k_ud, 2))]


def test_table2_gosuslugi_services(built_report: BuiltReport) -> None:
    body = block(built_report.book["Таблица 2"], ORGS["zags"])
    assert [tuple(r) for r in body[1:3]] == [(name, csi, count) for name, csi, count in GOSUSLUGI_2025]
    assert body[3][1:] == [pytest.approx(4.4), 50]  # (4.5 × 40 + 4.0 × 10) / 50


def test_table3_numbers(built_report: BuiltReport) -> None:
    body = block(built_report.book["Таблица 3"], ORGS["zags"])
    data = body[3:3 + len(SERVICES)]
    assert [r[1] for r in data] == [s.name for s in SERVICES]
    assert [r[3] for r in data] == [s.requests for s in SERVICES]
    assert [r[9] for r in data] == ["да" if s.electronic else "нет" for s in SERVICES]
    assert body[3 + len(SERVICES)][3] == sum(s.requests for s in SERVICES)


def test_table4_values_from_the_practice_result(built_report: BuiltReport) -> None:
    result = built_report.scores["zags"].current.practice.result
    assert result is not None
    body = block(built_report.book["Таблица 4"], ORGS["zags"])
    expected = [result.d_u, result.d_z, result.k_mnk, result.d_mu, result.d_pz, result.d_zh, result.u_s,
                result.d_ar, result.k_kach, result.u_ar, result.k_pr]
    assert [r[3] for r in body[1:12]] == [pytest.approx(round(v, 2)) for v in expected]


def test_table4_of_an_office_not_monitored_is_reference_information(built_report: BuiltReport) -> None:
    text = [r[0] for r in rows(built_report.book["Таблица 4"]) if r[0]]
    assert "Справочная информация о работе органа за 2025 год" in text


def test_table5_coefficients(built_report: BuiltReport) -> None:
    body = block(built_report.book["Таблица 5"], ORGS["zags"])
    data = body[2:2 + len(REGULATIONS)]
    assert [r[4] for r in data] == [pytest.approx(coefficient(r)) for r in REGULATIONS]
    assert [r[3] for r in data] == [r.timeliness for r in REGULATIONS]


def test_pain_map_sheet_equals_the_pain_map(built_report: BuiltReport) -> None:
    sheet = rows(built_report.book["Карта болей"])
    header = sheet[2]
    assert header[2:] == [CATEGORY_NAMES[c] for c in CATEGORIES]
    for code in ("zags", "szn"):
        row = next(r for r in sheet[3:] if r[0] == ORGS[code])
        pains = built_report.pains[code]
        assert row[1] == pains.texts
        assert row[2:] == [pytest.approx(round(pains.cells[c].share, 2)) for c in CATEGORIES]
    assert not any(r[0] == ORGS["arch"] for r in sheet)


@pytest.mark.parametrize(("sheet", "orientation"), [("Таблица 3", "landscape"), ("Таблица 3.1", "portrait"),
                                                     ("Карта болей", "landscape")])
def test_sheets_are_set_up_for_printing(built_report: BuiltReport, sheet: str, orientation: str) -> None:
    ws = built_report.book[sheet]
    assert ws.page_setup.orientation == orientation
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
    assert ws.column_dimensions["B"].width > 10


@pytest.mark.parametrize(("text", "chars", "lines"), [
    ("", 10, 1), ("коротко", 10, 1), ("два слова", 5, 2), ("один\nдва", 50, 2),
    ("очень-длинное-слово-без-пробелов", 10, 4), ("а б в г д е", 3, 3),
])
def test_wrapped_lines(text: str, chars: float, lines: int) -> None:
    from reports.xlsx_report import wrapped_lines

    assert wrapped_lines(text, chars) == lines


def test_rows_are_tall_enough_for_their_wrapped_text(built_report: BuiltReport) -> None:
    ws = built_report.book["Таблица 3"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "№ п/п")
    # the two header rows hold up to ten lines of narrow, wrapped column titles
    assert ws.row_dimensions[header].height + ws.row_dimensions[header + 1].height > 100
    body = header + 3
    assert 15 <= ws.row_dimensions[body].height < 60
