"""Cells of exported spreadsheets (CSV, XLSX) that a spreadsheet must show, never evaluate.

Citizens' texts, service and organisation names come from outside; a cell beginning with
`=`, `+`, `-`, `@`, a tab or a carriage return is taken by Excel and LibreOffice for a
formula when a CSV is opened (`=HYPERLINK(…)`, `+cmd|' /C calc'!A0`). Following OWASP's
CSV-injection guidance such a text gets a leading apostrophe in CSV, which spreadsheets
read as «this is text» and do not show; in XLSX it is stored as a string with the
`quotePrefix` style, the same thing Excel stores when a user types the apostrophe.

Every CSV/XLSX writer of the product (API, CLI, reports) goes through here.
"""

from __future__ import annotations

import re
from typing import Any

TRIGGERS = frozenset("=+-@\t\r\n")
# A plain number («-12,5», «+3», «-0.25%») is shown as a number and cannot call anything:
# prefixing it would turn the deltas of the score exports into text.
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?%?")


def risky(text: str) -> bool:
    """True when a spreadsheet could take the text for a formula. Leading spaces do not
    protect: LibreOffice drops them before it looks for a formula."""
    head = text.lstrip(" ")
    return bool(head) and head[0] in TRIGGERS and not _NUMBER.fullmatch(head)


def csv_cell(value: Any) -> Any:
    """The value to hand to `csv.writer`: risky text with a leading apostrophe, anything
    else unchanged."""
    if isinstance(value, str) and risky(value):
        return "'" + value
    return value


def xlsx_put(ws: Any, row: int, column: int, value: Any = None) -> Any:
    """`ws.cell` of an openpyxl sheet, except that text a spreadsheet could evaluate (an
    imported service name `=HYPERLINK(…)`, an organisation name starting with `=`) is stored
    as text with the quote prefix instead of becoming a formula."""
    cell = ws.cell(row, column)
    if value is None:
        return cell
    cell.value = value
    if isinstance(value, str) and risky(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell
