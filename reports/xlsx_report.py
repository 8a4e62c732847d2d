"""The report's tables as an XLSX workbook: tables 1–5 of the Методика and the pain map, one
sheet each (offices stacked, each block starting on a new printed page), plus the
indicators, Куд per channel and the dynamics. Numbers stay numbers (rounded to 2 decimals, shown with the
locale's decimal separator); sheets are set up for printing on A4 with titles repeated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from reports.data import ReportData
from reports.tables import (
    BOOL,
    INT,
    PCT,
    POINTS,
    SCORE,
    Cell,
    Grid,
    channels_grid,
    dynamics_grid,
    pain_matrix,
    pains_grid,
    reference_grid,
    summary_grid,
    table1,
    table2,
    table3,
    table4,
    table5,
    table31,
)
from reports.text import DASH
from vocabulary.cells import xlsx_put

CM_TO_WIDTH = 5.0  # Excel column width units per centimetre of the DOCX layout
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="E7ECF2")
FORMATS = {PCT: "0.00", SCORE: "0.00", POINTS: "+0.00;-0.00;0.00", INT: "#,##0"}
Step = Callable[[str], None]


def cell_value(value: Cell, kind: str) -> str | int | float:
    """Numbers as numbers (rounded to the 2 decimals the report shows), «да/нет», «—»."""
    if value is None:
        return DASH if kind in (PCT, SCORE, POINTS, INT, BOOL) else ""
    if isinstance(value, str):
        return value
    if kind == BOOL or isinstance(value, bool):
        return "да" if value else "нет"
    if kind == INT:
        return int(value)
    return round(float(value), 2)


def _merge_width(grid: Grid) -> str:
    return get_column_letter(grid.columns)


def write_grid(ws: Worksheet, grid: Grid, row: int) -> int:
    """Write a grid from `row`; returns the first free row after it (and a blank one)."""
    xlsx_put(ws, row, 1, grid.title).font = Font(bold=True, size=12)
    ws.merge_cells(f"A{row}:{_merge_width(grid)}{row}")
    ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    row += 1
    if grid.subtitle:
        xlsx_put(ws, row, 1, grid.subtitle).font = Font(italic=True)
        ws.merge_cells(f"A{row}:{_merge_width(grid)}{row}")
        row += 1
    top = row
    for head in grid.heads:
        cell = xlsx_put(ws, top + head.row, head.col + 1, head.text)
        if head.rowspan > 1 or head.colspan > 1:
            ws.merge_cells(start_row=top + head.row, start_column=head.col + 1,
                           end_row=top + head.row + head.rowspan - 1, end_column=head.col + head.colspan)
        cell.font = Font(bold=True)
    header_rows = grid.head_rows + (1 if grid.numbered else 0)
    if grid.numbered:
        for c in range(grid.columns):
            ws.cell(top + grid.head_rows, c + 1, c + 1)
    for r in range(top, top + header_rows):
        for c in range(1, grid.columns + 1):
            cell = ws.cell(r, c)
            cell.fill, cell.border = HEADER_FILL, BORDER
            cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
    row = top + header_rows
    for i, values in enumerate(grid.rows + grid.totals):
        bold = i >= len(grid.rows)
        for c, (value, kind) in enumerate(zip(values, grid.kinds, strict=True), start=1):
            cell = xlsx_put(ws, row, c, cell_value(value, kind))
            cell.border = BORDER
            numeric = isinstance(cell.value, int | float)
            side = "right" if numeric else "center" if kind == BOOL or cell.value == DASH else "left"
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal=side)
            if numeric and kind in FORMATS:
                cell.number_format = FORMATS[kind]
            if bold:
                cell.font = Font(bold=True)
        row += 1
    for note in grid.notes:
        xlsx_put(ws, row, 1, note).font = Font(italic=True, size=9)
        row += 1
    return row + 1


def _setup(ws: Worksheet, grids: Sequence[Grid]) -> None:
    """Column widths from the widest layout, A4 fitted to the page width, page numbers."""
    widths: dict[int, float] = {}
    for grid in grids:
        for i, w in enumerate(grid.widths, start=1):
            widths[i] = max(widths.get(i, 0.0), w)
    for i, w in widths.items():
        ws.column_dimensions[get_column_letter(i)].width = round(w * CM_TO_WIDTH, 1)
    landscape = any(g.landscape for g in grids) or len(widths) > 6
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&P / &N"
    ws.oddHeader.right.text = "&A"


def wrapped_lines(text: str, chars: float) -> int:
    """How many lines a wrapping cell needs: greedy word wrap at `chars` characters a line."""
    per_line = max(1, int(chars))
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = 0
        for word in paragraph.split():
            size = len(word)
            if used and used + 1 + size > per_line:
                lines, used = lines + 1, 0
            if used:
                used += 1 + size
            else:  # a word longer than a line breaks across lines
                lines += (size - 1) // per_line
                used = size - (size - 1) // per_line * per_line
    return lines


def fit_rows(ws: Worksheet) -> None:
    """Row heights from the wrapped text: neither Excel nor LibreOffice grows rows with merged
    or wrapped header cells written by openpyxl, and a printed table must not cut its text."""
    spans: dict[tuple[int, int], tuple[int, int]] = {}
    for merged in ws.merged_cells.ranges:
        spans[(merged.min_row, merged.min_col)] = (merged.max_col - merged.min_col + 1,
                                                   merged.max_row - merged.min_row + 1)
    widths = {c: ws.column_dimensions[get_column_letter(c)].width or 8.43
              for c in range(1, ws.max_column + 1)}
    needed: dict[int, float] = {}
    for row in ws.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            cols, rows = spans.get((cell.row, cell.column), (1, 1))
            width = sum(widths.get(c, 8.43) for c in range(cell.column, cell.column + cols))
            size = float(cell.font.sz or 11) if cell.font else 11.0
            chars = width * 1.05 * 11 / size * (0.9 if cell.font and cell.font.b else 1.0)
            height = wrapped_lines(cell.value, chars) * size * 1.35 + 3
            needed[cell.row] = max(needed.get(cell.row, 0.0), height / rows)
    for number, height in needed.items():
        ws.row_dimensions[number].height = round(max(height, 15.0), 1)


def write_sheet(wb: Workbook, name: str, grids: Sequence[Grid | None], *, page_per_grid: bool = True,
                empty: str = "Нет данных за период.") -> Worksheet:
    ws = wb.create_sheet(name)
    shown = [g for g in grids if g is not None]
    if not shown:
        xlsx_put(ws, 1, 1, f"{name}: {empty}").font = Font(italic=True)
        return ws
    row = 1
    for i, grid in enumerate(shown):
        if page_per_grid and i:
            ws.row_breaks.append(Break(id=row - 1))
        row = write_grid(ws, grid, row)
    _setup(ws, shown)
    fit_rows(ws)
    return ws


def _shade_pains(ws: Worksheet, grid: Grid, first_row: int) -> None:
    """Colour the share matrix like the heatmap of the DOCX (white → red)."""
    if not grid.rows:
        return
    last = first_row + len(grid.rows) - 1
    area = f"C{first_row}:{get_column_letter(grid.columns)}{last}"
    ws.conditional_formatting.add(area, ColorScaleRule(start_type="num", start_value=0, start_color="FFFFFF",
                                                       end_type="max", end_color="E06666"))


def _pain_sheet(wb: Workbook, data: ReportData) -> None:
    grids = [pain_matrix(data, what) for what in ("share", "count", "change")]
    ws = write_sheet(wb, "Карта болей", [*grids, pains_grid(data)], page_per_grid=False)
    if grids[0].rows:
        first = 2 + (1 if grids[0].subtitle else 0) + grids[0].head_rows
        _shade_pains(ws, grids[0], first)


def write_xlsx(data: ReportData, path: Path, step: Step | None = None) -> Path:
    label = data.period.label
    wb = Workbook()
    wb.remove(wb.active)
    practice = [(o, o.practice, f"{o.scores.current.practice.year} год")
                for o in data.organisations if o.practice is not None]
    sheets: list[tuple[str, Callable[[], object]]] = [
        ("Показатели", lambda: write_sheet(wb, "Показатели", [summary_grid(data)])),
        ("Куд по каналам", lambda: write_sheet(wb, "Куд по каналам", [channels_grid(data)])),
        ("Таблица 1", lambda: write_sheet(wb, "Таблица 1", [table1(o, label) for o in data.monitored],
                                          empty="нет данных опроса за период.")),
        ("Таблица 2", lambda: write_sheet(wb, "Таблица 2", [table2(o, label) for o in data.monitored],
                                          empty="нет оценок Госуслуг за период.")),
        ("Таблица 3", lambda: write_sheet(wb, "Таблица 3", [table3(o, p, y) for o, p, y in practice],
                                          empty="нет данных о практике.")),
        ("Таблица 3.1", lambda: write_sheet(wb, "Таблица 3.1",
                                            [table31(o, p, o.scores.current.practice.year, y)
                                             for o, p, y in practice], empty="нет данных о практике.")),
        ("Таблица 4", lambda: write_sheet(wb, "Таблица 4", [
            table4(o, o.result, y) if o.practice_computed and o.result else reference_grid(o, y)
            for o, _, y in practice], empty="нет данных о практике.")),
        ("Таблица 5", lambda: write_sheet(wb, "Таблица 5", [table5(o, p, y) for o, p, y in practice],
                                          empty="нет данных о практике.")),
        ("Карта болей", lambda: _pain_sheet(wb, data)),
        ("Динамика", lambda: write_sheet(wb, "Динамика", [dynamics_grid(data)], page_per_grid=False)),
    ]
    for name, build in sheets:
        build()
        if step:
            step(name)
    for ws in wb.worksheets:
        ws.sheet_view.zoomScale = 90
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
