"""Finding a table's header and its columns by their text, not their position.

Real templates have a title row, a two-row header whose upper row is merged over several
columns («Результат работы с запросами…» over three sub-columns), and a row of column
numbers; flat exports have one header row. Every candidate block of one to three rows is
tried; the block under which every required column is recognised exactly once wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from ingest.practice.cells import normalise, number, text
from ingest.practice.grid import Sheet
from vocabulary.errors import UserError

SCAN_ROWS = 40
MAX_DEPTH = 3
Matcher = Callable[[str], bool]


class PracticeFormatError(UserError):
    """A practice workbook that cannot be read: the message names file, sheet, row, column."""


def has(*patterns: str, without: Sequence[str] = ()) -> Matcher:
    """A matcher: some pattern is found in the header and none of `without` is."""
    found = [re.compile(p) for p in patterns]
    banned = [re.compile(p) for p in without]
    return lambda t: any(p.search(t) for p in found) and not any(p.search(t) for p in banned)


def all_of(*matchers: Matcher) -> Matcher:
    return lambda t: all(m(t) for m in matchers)


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # how the Методика's template names the column, for messages
    match: Matcher
    required: bool = True


@dataclass
class Header:
    first_row: int
    last_row: int
    columns: dict[str, int]
    titles: dict[int, str] = field(default_factory=dict)

    def title(self, col: int) -> str:
        return self.titles.get(col, "")


@dataclass
class _Attempt:
    header: Header
    missing: list[Column]
    ambiguous: dict[str, tuple[Column, list[int]]]

    @property
    def rank(self) -> tuple[int, int, int]:
        depth = self.header.last_row - self.header.first_row
        return (-len(self.missing) - len(self.ambiguous), -depth, len(self.header.columns))


def is_numbering(row: Sequence[Any]) -> bool:
    """The row of column numbers (1, 2, 3, …, in any order once columns were moved) under a
    template header."""
    values = [number(c) for c in row if text(c)]
    if len(values) < 3 or any(v is None for v in values):
        return False
    return sorted(values) == [float(i) for i in range(1, len(values) + 1)]  # type: ignore[type-var]


def is_texty(row: Sequence[Any]) -> bool:
    """Mostly words: a header row, not data and not numbering."""
    cells = [c for c in row if text(c)]
    numeric = sum(1 for c in cells if number(c) is not None)
    return len(cells) - numeric >= 1 and numeric * 2 <= len(cells)


def find_header(sheet: Sheet, spec: Sequence[Column]) -> Header:
    """The header block and the column of each key of `spec`, or an error saying which
    required columns are missing or recognised twice."""
    best: _Attempt | None = None
    for first in range(1, min(sheet.height, SCAN_ROWS) + 1):
        if not is_texty(sheet.rows[first - 1]):
            continue
        for depth in range(1, MAX_DEPTH + 1):
            last = first + depth - 1
            if last > sheet.height or is_numbering(sheet.rows[last - 1]):
                break
            attempt = _match(sheet, first, last, spec)
            if best is None or attempt.rank > best.rank:
                best = attempt
    if best is None:
        raise PracticeFormatError(f"{sheet.where()}: не найдена строка заголовков таблицы.")
    if best.missing or best.ambiguous:
        raise PracticeFormatError(_describe(sheet, best))
    return best.header


def _match(sheet: Sheet, first: int, last: int, spec: Sequence[Column]) -> _Attempt:
    titles, texts = _titles(sheet, first, last)
    columns: dict[str, int] = {}
    missing: list[Column] = []
    ambiguous: dict[str, tuple[Column, list[int]]] = {}
    for column in spec:
        free = [c for c, t in texts.items() if c not in columns.values() and column.match(t)]
        if len(free) == 1:
            columns[column.key] = free[0]
        elif len(free) > 1 and column.required:
            ambiguous[column.key] = (column, free)
        elif not free and column.required:
            missing.append(column)
    return _Attempt(Header(first, last, columns, titles), missing, ambiguous)


def _titles(sheet: Sheet, first: int, last: int) -> tuple[dict[int, str], dict[int, str]]:
    """Per column: the header as shown (parts joined with « / ») and normalised for matching."""
    shown: dict[int, str] = {}
    norm: dict[int, str] = {}
    for col in range(1, sheet.width + 1):
        parts: list[str] = []
        for row in range(first, last + 1):
            value = sheet.filled(row, col)
            part = text(value)
            if part and number(value) is None and part not in parts:
                parts.append(part)
        if parts:
            shown[col] = " / ".join(parts)
            norm[col] = normalise(" ".join(parts))
    return shown, norm


def _describe(sheet: Sheet, attempt: _Attempt) -> str:
    header = attempt.header
    where = sheet.where(header.first_row)
    problems = [f"не найден столбец «{c.label}»" for c in attempt.missing]
    for column, cols in attempt.ambiguous.values():
        names = ", ".join(f"{get_column_letter(c)} («{header.title(c)}»)" for c in cols)
        problems.append(f"столбец «{column.label}» не определяется однозначно: подходят {names}")
    return (f"{where}: " + "; ".join(problems)
            + ". Столбцы распознаются по тексту заголовков шаблона Методики.")
