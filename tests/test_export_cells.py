"""Exports never hand a spreadsheet a formula: the one cell sanitiser (OWASP CSV injection)
and every writer that uses it — API CSV, CLI CSV, the XLSX report."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from api.app import create_app
from models.db import session_scope
from models.repo import ensure_organisation, ensure_service, ensure_source
from tests.api_fixtures import seed
from tests.report_fixtures import Writer
from vocabulary.cells import TRIGGERS, csv_cell, risky
from vocabulary.periods import parse_period

ATTACKS = [
    '=HYPERLINK("http://evil.example/s","svc")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
]


@pytest.mark.parametrize(("text", "expected"), [
    *[(a, True) for a in ATTACKS],
    ("Очередь 3 часа", False),
    ("", False),
    ("-12,50", False),
    ("+3", False),
    ("-0.25%", False),
    ("- очередь", True),
    ("e-mail: a@b.ru", False),
    ("1+1", False),
])
def test_risky(text: str, expected: bool) -> None:
    assert risky(text) is expected


def _evaluable(cell: str) -> bool:
    """What a spreadsheet opening the CSV would take for a formula."""
    return risky(cell)


@given(st.one_of(st.text(), st.builds(lambda t, s: t + s, st.sampled_from(sorted(TRIGGERS)), st.text())))
def test_csv_cells_are_never_evaluated_and_keep_the_text(text: str) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_cell(text)])
    (cell,) = next(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    assert not _evaluable(cell) or cell.startswith("'")
    assert cell == text or cell == "'" + text


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.none()))
def test_numbers_are_left_alone(value: float | None) -> None:
    assert csv_cell(value) == value


@pytest.fixture
def client(store: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    seeded = seed()
    with session_scope() as session:
        org, _ = ensure_organisation(session, "szn", "Соцзащита")
        writer, src = Writer(session), ensure_source(session, org, "pos")
        for text in ATTACKS:
            writer.item(src.id, "2025-02-01T10:00:00", text=text)  # type: ignore[arg-type]
    with TestClient(create_app()) as c:
        yield c, {"Authorization": f"Bearer {seeded.tokens['viewer']}"}


def test_feedback_csv_has_no_formula(client: tuple[TestClient, dict[str, str]]) -> None:
    c, headers = client
    body = c.get("/api/v1/feedback?format=csv&limit=500", headers=headers).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))
    texts = {row[rows[0].index("Текст")] for row in rows[1:]}
    assert {"'" + a for a in ATTACKS} <= texts
    assert not [cell for row in rows for cell in row if _evaluable(cell) and not cell.startswith("'")]


def test_xlsx_report_has_no_formula(sqlite_store: str, tmp_path: Path) -> None:
    from models.migrate import upgrade
    from reports.build import build_report

    upgrade()
    evil_org = '=HYPERLINK("http://evil.example/o","org")'
    evil_service = '=HYPERLINK("http://evil.example/s","svc")'
    with session_scope() as session:
        org, _ = ensure_organisation(session, "evil", evil_org)
        service = ensure_service(session, org, evil_service)
        writer = Writer(session)
        gosuslugi, yandex = ensure_source(session, org, "gosuslugi"), ensure_source(session, org, "yandex")
        for i in range(12):
            writer.item(gosuslugi.id, f"2025-03-{i + 1:02d}T10:00:00", rating=1 + i % 5,  # type: ignore[arg-type]
                        service_id=service.id)
        for i, text in enumerate(ATTACKS):
            writer.item(yandex.id, f"2025-04-{i + 1:02d}T10:00:00", rating=1, text=text,  # type: ignore[arg-type]
                        categories={"queue": 0.9}, polarity="negative")
    built = build_report(parse_period("2025"), tmp_path / "r.docx", tmp_path / "r.xlsx", region="Тест")
    book = load_workbook(built.xlsx)
    formulas = [(ws.title, c.coordinate, c.value) for ws in book.worksheets for row in ws.iter_rows()
                for c in row if c.data_type == "f"]
    assert formulas == []
    shown = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and (evil_service in c.value or c.value.startswith(evil_org))]
    assert shown and all(c.quotePrefix or not risky(c.value) for c in shown)
