"""Practice files as grids of cells: every sheet of an .xlsx workbook, or a CSV file (one
table, or several stacked under «Таблица N» title lines).

Row and column numbers are kept as in the file (1-based) so that every message points at
the cell the user sees in Excel.
"""

from __future__ import annotations

import csv
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ingest.files import XLSX, decode, file_error, sniff
from ingest.practice.cells import normalise, text
from vocabulary.errors import UserError

Range = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col (1-based, inclusive)
_TITLE = re.compile(r"^табл(?:ица|\.)?\s*№?\s*(\d+(?:\s*[.,_]\s*\d+)?)")
# Tables 3, 3.1 and 5 of one office fit in kilobytes; the workbook is read whole (merged
# cells need the full reader), so a bomb must be stopped at the zip's directory.
MAX_BYTES = 5 * 1024 * 1024


@dataclass
class Sheet:
    """One table-bearing sheet; `rows[i]` is row i + 1 of the file."""

    name: str
    origin: Path
    rows: list[list[Any]]
    merged: list[Range] = field(default_factory=list)
    table: str | None = None  # set when the sheet is one of several tables cut from one grid

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cell(self, row: int, col: int) -> Any:
        """The value at 1-based (row, col); None outside the data."""
        if 1 <= row <= len(self.rows) and 1 <= col <= len(self.rows[row - 1]):
            return self.rows[row - 1][col - 1]
        return None

    def filled(self, row: int, col: int) -> Any:
        """Like `cell`, but a merged area answers with its top-left value everywhere: what a
        reader of a two-row merged header sees above every column."""
        for top, left, bottom, right in self.merged:
            if top <= row <= bottom and left <= col <= right:
                return self.cell(top, left)
        return self.cell(row, col)

    def where(self, row: int | None = None, col: int | None = None) -> str:
        """«Файл X, лист «Y», строка R, столбец C» for messages."""
        parts = [f"Файл {self.origin.name}"]
        if self.name:
            parts.append(f"лист «{self.name}»")
        if row is not None:
            parts.append(f"строка {row}")
        if col is not None:
            parts.append(f"столбец {get_column_letter(col)}")
        return ", ".join(parts)


def load_sheets(path: Path) -> list[Sheet]:
    """Every sheet of the file; a clear error for anything that is not .xlsx or CSV. The
    file is judged the way every import judges files (`ingest.files.sniff`: size, what it
    unpacks to, content rather than extension) before a byte of it is parsed."""
    path = Path(path)
    if path.suffix.lower() == ".xls":
        raise UserError(f"Файл {path.name}: формат .xls (Excel 97–2003) не поддерживается — "
                        "сохраните книгу как .xlsx.")
    return _excel(path) if sniff(path, MAX_BYTES) == XLSX else _csv(path)


def _excel(path: Path) -> list[Sheet]:
    try:
        workbook = load_workbook(path, data_only=True)
        sheets = []
        for ws in workbook.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            merged = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
            sheets += _sections(Sheet(ws.title, path, rows, merged))
    except Exception as exc:  # openpyxl raises many kinds (ParseError, KeyError…) for broken files
        raise file_error(path, f"не читается как книга Excel ({type(exc).__name__}): "
                               "откройте и пересохраните файл") from None
    return sheets


def _csv(path: Path) -> list[Sheet]:
    content = decode(path, path.read_bytes())
    lines = content.splitlines()
    sample = "\n".join(lines[:20])  # title lines of stacked tables defeat `sniff_delimiter`
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        delimiter = ";" if ";" in sample else ","
    try:
        rows: list[list[Any]] = [[c if c.strip() else None for c in r]
                                 for r in csv.reader(lines, delimiter=delimiter)]
    except csv.Error as exc:
        raise file_error(path, f"испорченная строка CSV ({exc})") from None
    return _sections(Sheet("", path, rows))


def _sections(sheet: Sheet) -> list[Sheet]:
    """Split a grid holding several tables (a CSV, or a sheet with Таблицы 3 and 3.1 one
    under the other) at their «Таблица N» title lines. Rows outside a section are blanked
    rather than dropped, so row numbers stay those of the file."""
    starts = [(i, number) for i, r in enumerate(sheet.rows) if (number := title_number(r))]
    if len(starts) < 2:
        return [sheet]
    parts = []
    bounds = [*starts, (len(sheet.rows), None)]
    for (begin, number), (end, _) in itertools.pairwise(bounds):
        rows = [row if begin <= i < end else [] for i, row in enumerate(sheet.rows)]
        parts.append(Sheet(sheet.name or f"Таблица {number}", sheet.origin, rows, sheet.merged, number))
    return parts


def title_number(row: list[Any]) -> str | None:
    """«3», «3.1» or «5» when the row's first filled cell is a «Таблица N…» title."""
    first = next((text(c) for c in row if text(c)), "")
    match = _TITLE.match(normalise(first))
    if not match:
        return None
    return re.sub(r"\s*[,_]\s*|\s*\.\s*", ".", match.group(1))
