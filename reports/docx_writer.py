"""Building blocks of the DOCX report: styles of an official document (Times New Roman,
justified paragraphs with a first-line indent), headings, Методика grids as Word tables
with merged header cells repeated on every page, landscape pages for wide tables, and
diagrams numbered consecutively with the caption «Диаграмма N. «…»» under them.

Tables are numbered consecutively too («Таблица N. …», the Методика's form named in the
title), so that the numbers run 1…N in the order a reader meets them. A column is never
narrower than the longest word of its header (a header broken inside a word, «Количе|ство»,
is unreadable in print); a short table is kept on one page and never leaves a page with
one or two of its rows; an office named on several consecutive rows gets one merged cell.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph

from reports.tables import BOOL, INT, MARK, PCT, POINTS, SCORE, Cell, Grid
from reports.text import DASH, integer, number, quoted, signed

FONT = "Times New Roman"
BODY_PT, TABLE_PT, WIDE_TABLE_PT = 13, 9, 8
PORTRAIT_WIDTH_CM, LANDSCAPE_WIDTH_CM = 17.0, 26.0
HEADER_FILL = "E7ECF2"
# Width of one character of Times New Roman at 1 pt, bold, in cm (a generous average: «Ш» and
# «м» are wide), and the cell's left+right padding.
CHAR_CM_PER_PT, CELL_PADDING_CM = 0.021, 0.45
PAGE_HEIGHT_CM = {False: 25.7, True: 17.0}  # the text height of a portrait and a landscape page
# What follows these elements in their parents (WordprocessingML's fixed order).
ROW_AFTER_CANT_SPLIT = ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del",
                        "w:trPrChange")
PARA_AFTER_NO_HYPHENS = ("w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
                         "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
                         "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                         "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
                         "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")
METHODIKA_TITLE = re.compile(r"^Таблица (\d+(?:\.\d+)?)\. (.*)$", re.S)


def format_cell(value: Cell, kind: str) -> str:
    """A grid value as the document prints it (decimal comma, «да/нет», «—»)."""
    if value is None:
        return DASH if kind in (PCT, SCORE, POINTS, INT, BOOL, MARK) else ""
    if isinstance(value, str):
        return value
    if kind == BOOL or isinstance(value, bool):
        return "да" if value else "нет"
    if kind == INT:
        return integer(value)
    if kind == POINTS:
        return signed(value)
    if kind == MARK:
        return number(value, 1).removesuffix(",0")
    return number(value)


def _shade(cell: _Cell, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    props.append(shading)


def _repeat_header(row: _Row) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)


def _page_number_field(paragraph: Paragraph) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def min_width_cm(text: str, size: float) -> float:
    """The width a header needs so that its longest word fits on one line (bold, `size` pt)."""
    longest = max((len(word) for word in text.split()), default=0)
    return longest * CHAR_CM_PER_PT * size + CELL_PADDING_CM


def available_cm(grid: Grid) -> float:
    return LANDSCAPE_WIDTH_CM if grid.landscape else PORTRAIT_WIDTH_CM


def least_widths(grid: Grid, size: float) -> list[float]:
    """Per column, the width the longest word of its header (and of its text cells, at the
    body's size) needs."""
    least = [0.0] * grid.columns
    for head in grid.heads:
        if head.colspan == 1:
            least[head.col] = max(least[head.col], min_width_cm(head.text, size))
    body = WIDE_TABLE_PT if grid.landscape else TABLE_PT
    for row in [*grid.rows, *grid.totals]:
        for col, value in enumerate(row):
            if isinstance(value, str):
                least[col] = max(least[col], min_width_cm(value, min(size, body)) * 0.9)
    return least


def header_size(grid: Grid, size: float, smallest: float = 6.0) -> float:
    """The header's font size: the table's, or smaller until every header word fits its
    column on the page (a wide Таблица 3 has 13 columns of long words)."""
    while size > smallest and sum(least_widths(grid, size)) > available_cm(grid):
        size -= 0.5
    return size


class DocWriter:
    """One report document; `figure` numbers the diagrams in the order they are added."""

    def __init__(self) -> None:
        self.doc = Document()
        self.figures = 0
        self.tables = 0
        self.landscape_now = False
        self._styles()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
        for side in ("left_margin", "right_margin"):
            setattr(section, side, Cm(2.0))
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _page_number_field(footer)

    def _styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(BODY_PT)
        normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
        normal.paragraph_format.space_after = Pt(4)
        normal.paragraph_format.line_spacing = 1.1
        for name, size in (("Title", 16), ("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 13)):
            style = styles[name]
            style.font.name, style.font.size, style.font.bold = FONT, Pt(size), True
            style.font.color.rgb = RGBColor(0, 0, 0)
            fonts = style.element.rPr.rFonts
            for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                fonts.attrib.pop(qn(theme), None)  # a theme font would win over the one named here
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attr), FONT)
            style.paragraph_format.space_before = Pt(12 if name == "Heading 1" else 8)
            style.paragraph_format.space_after = Pt(6)
        styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    # --- text ---------------------------------------------------------------------------------

    def title(self, lines: Sequence[str]) -> None:
        for i, line in enumerate(lines):
            p = self.doc.add_paragraph(style="Title" if i == 0 else None)
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = p.add_run(line)
            run.bold = i < 2

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(text, level=level)

    def para(self, text: str, *, bold: str = "", italic: bool = False, indent: bool = True,
             size: float | None = None, align: str = "justify") -> None:
        """A body paragraph; `bold` is an optional lead-in printed in bold before the text."""
        p = self.doc.add_paragraph()
        p.alignment = {"justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "center": WD_ALIGN_PARAGRAPH.CENTER,
                       "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
        if indent:
            p.paragraph_format.first_line_indent = Cm(1.25)
        if bold:
            lead = p.add_run(bold)
            lead.bold = True
        run = p.add_run(text)
        run.italic = italic
        if size:
            for r in p.runs:
                r.font.size = Pt(size)

    def bullet(self, text: str, *, italic: bool = False, marker: str = "–") -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.left_indent = Cm(1.25)
        p.paragraph_format.first_line_indent = Cm(-0.5)
        run = p.add_run(f"{marker} {text}")
        run.italic = italic

    def quote(self, text: str, source: str) -> None:
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.left_indent = Cm(1.25)
        run = p.add_run(quoted(text))
        run.italic = True
        if source:
            p.add_run(f" ({source})").font.size = Pt(BODY_PT - 2)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- pages --------------------------------------------------------------------------------

    def orientation(self, landscape: bool) -> None:
        """Start a new page in the given orientation (wide tables get landscape pages)."""
        if landscape == self.landscape_now:
            return
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        short, long = sorted((section.page_width, section.page_height))
        section.page_width, section.page_height = (long, short) if landscape else (short, long)
        self.landscape_now = landscape

    # --- tables and figures ------------------------------------------------------------------

    def grid(self, grid: Grid, *, show_title: bool = True) -> None:
        """A Методика grid as a Word table: title above, header cells merged as in the
        Методика and repeated on each page, total rows in bold, notes below."""
        if grid.landscape:
            self.orientation(True)
        self.tables += 1
        if show_title:
            self.para("", bold=self.caption(grid.title), indent=False, align="left", size=BODY_PT - 1)
            self._keep_with_next(self.doc.paragraphs[-1])
            if grid.subtitle:
                self.para(grid.subtitle, indent=False, align="left", size=BODY_PT - 2, italic=True)
                self._keep_with_next(self.doc.paragraphs[-1])
        size = WIDE_TABLE_PT if grid.landscape else TABLE_PT
        header_rows = grid.head_rows + (1 if grid.numbered else 0)
        body = grid.rows + grid.totals
        table = self.doc.add_table(rows=header_rows + len(body), cols=grid.columns)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        head_size = header_size(grid, size)
        widths = self._widths(grid, head_size)
        short = self._fits_a_page(grid, [w.cm for w in widths], size)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width  # the grid LibreOffice reads
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
        for head in grid.heads:
            cell = table.cell(head.row, head.col)
            if head.rowspan > 1 or head.colspan > 1:
                cell = cell.merge(table.cell(head.row + head.rowspan - 1, head.col + head.colspan - 1))
            self._write(cell, head.text, head_size, bold=True, center=True)
        if grid.numbered:
            for c in range(grid.columns):
                self._write(table.cell(grid.head_rows, c), str(c + 1), size, center=True)
        for r in range(header_rows):
            _repeat_header(table.rows[r])
            for cell in table.rows[r].cells:
                _shade(cell, HEADER_FILL)
        for i, values in enumerate(body):
            bold = i >= len(grid.rows)
            for c, (value, kind) in enumerate(zip(values, grid.kinds, strict=True)):
                numeric = kind in (INT, PCT, SCORE, POINTS, BOOL, MARK) and not isinstance(value, str)
                self._write(table.cell(header_rows + i, c), format_cell(value, kind), size, bold=bold,
                            center=numeric or kind == BOOL, right=False)
        if grid.merge_first:
            self._merge_first_column(table, header_rows, [row[0] for row in grid.rows], size)
        self._keep_rows(table, header_rows, whole=short)
        for note in grid.notes:
            self.para(note, indent=False, size=BODY_PT - 3, italic=True, align="left")
        self.doc.add_paragraph()
        if grid.landscape:
            self.orientation(False)

    def caption(self, title: str) -> str:
        """«Таблица N. …» with N counted through the document; a Методика form keeps its own
        number in the title: «Таблица 7. Анализ объема запросов… (форма таблицы 3 Методики)»."""
        found = METHODIKA_TITLE.match(title)
        if found:
            return f"Таблица {self.tables}. {found.group(2)} (форма таблицы {found.group(1)} Методики)"
        return f"Таблица {self.tables}. {title}"

    def _widths(self, grid: Grid, size: float) -> list[Cm]:
        """The grid's widths scaled to the page, but no column narrower than the longest word
        of its own header (at the header's `size`): the others give way first."""
        available = available_cm(grid)
        least = least_widths(grid, size)
        total = sum(grid.widths)
        scale = min(1.0, available / total) if total else 1.0
        widths = [max(w * scale, m) for w, m in zip(grid.widths, least, strict=True)]
        excess = sum(widths) - available
        if excess > 0:  # take it from the columns that have room beyond their least width
            room = [w - m for w, m in zip(widths, least, strict=True)]
            spare = sum(room)
            if spare > 0:
                widths = [w - excess * r / spare if spare > excess else m
                          for w, m, r in zip(widths, least, room, strict=True)]
        return [Cm(w) for w in widths]

    @staticmethod
    def _fits_a_page(grid: Grid, widths: list[float], size: float) -> bool:
        """Whether the table, estimated line by line (its cells' text wrapped to the column
        widths), takes at most two thirds of a page: only such a table is kept whole."""
        char_cm = CHAR_CM_PER_PT * size * 0.85  # body text is not bold
        line_cm = size * 1.25 * 2.54 / 72 + 0.02
        height = 0.0
        rows: list[list[Cell]] = [[h.text for h in grid.heads], *grid.rows, *grid.totals]
        for row in rows:
            lines = 1
            for value, width in zip(row, widths, strict=False):
                text = value if isinstance(value, str) else ""
                per_line = max(1, int((width - CELL_PADDING_CM) / char_cm))
                lines = max(lines, -(-len(text) // per_line))
            height += lines * line_cm + 0.1
        return height <= PAGE_HEIGHT_CM[grid.landscape] * 2 / 3

    @staticmethod
    def _keep_with_next(paragraph: Paragraph) -> None:
        paragraph.paragraph_format.keep_with_next = True

    def _keep_rows(self, table: Table, header_rows: int, *, whole: bool) -> None:
        """No row split across pages; a short table kept on one page (each row kept with the
        next); a long one starts with its header and two rows together and ends with three
        rows together, so that no page holds one or two of its rows alone."""
        rows = table.rows
        for i, row in enumerate(rows):
            props = row._tr.get_or_add_trPr()
            if props.find(qn("w:cantSplit")) is None:
                props.insert_element_before(OxmlElement("w:cantSplit"), *ROW_AFTER_CANT_SPLIT)
            keep = whole or i < header_rows + 2 or i >= len(rows) - 3
            if keep and i < len(rows) - 1:
                for cell in row.cells:
                    for paragraph in cell.paragraphs:
                        self._keep_with_next(paragraph)

    def _merge_first_column(self, table: Table, header_rows: int, names: list[Cell], size: float) -> None:
        start = 0
        while start < len(names):
            end = start
            while end + 1 < len(names) and names[end + 1] == names[start]:
                end += 1
            if end > start:
                merged = table.cell(header_rows + start, 0).merge(table.cell(header_rows + end, 0))
                self._write(merged, format_cell(names[start], "text"), size)
                for extra in merged.paragraphs[1:]:
                    extra._p.getparent().remove(extra._p)
            start = end + 1

    @staticmethod
    def _write(cell: _Cell, text: str, size: float, *, bold: bool = False, center: bool = False,
               right: bool = False) -> None:
        """The cell's text, never hyphenated (a broken word in a header is what this avoids)."""
        paragraph = cell.paragraphs[0]
        for run in list(paragraph.runs):
            run._r.getparent().remove(run._r)
        paragraph.alignment = (WD_ALIGN_PARAGRAPH.CENTER if center else
                               WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT)
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.first_line_indent = Cm(0)
        props = paragraph._p.get_or_add_pPr()
        if props.find(qn("w:suppressAutoHyphens")) is None:
            props.insert_element_before(OxmlElement("w:suppressAutoHyphens"), *PARA_AFTER_NO_HYPHENS)
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold

    def figure(self, png: bytes, caption: str, width_cm: float = 16.0) -> int:
        """The picture, then «Диаграмма N. «caption»» centred under it; returns N."""
        self.figures += 1
        self.doc.add_picture(io.BytesIO(png), width=Cm(width_cm))
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(f"Диаграмма {self.figures}. {quoted(caption)}")
        run.italic = True
        run.font.size = Pt(BODY_PT - 1)
        return self.figures

    def save(self, path: Path) -> None:
        self.doc.core_properties.language = "ru-RU"
        self.doc.save(str(path))
