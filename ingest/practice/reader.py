"""Find Таблицы 3, 3.1 and 5 among the sheets of the given files and read them.

A sheet is recognised by its name («Таблица 3», «Табл. 3.1», «таблица3_1», «Т5»…), else
by a «Таблица N» title in its first rows, else by what its headers say. Other sheets
(Таблица 4, notes) are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ingest.practice import checks, tables
from ingest.practice.cells import normalise, text
from ingest.practice.columns import PracticeFormatError
from ingest.practice.grid import Sheet, load_sheets, title_number
from ingest.practice.records import PracticeWorkbook

TABLES = ("3", "3.1", "5")
_NAME = re.compile(r"^(?:табл(?:ица|\.)?|т)\s*№?\s*(\d+)(?:\s*[.,_\-]\s*(\d+))?(?!\d)")
_CONTENT = (
    ("3.1", re.compile(r"общая информация|количество оказываемых")),
    ("5", re.compile(r"210-фз|своевременное внесение")),
    ("3", re.compile(r"количество запросов|анализ объема запросов")),
)


def sheet_table(sheet: Sheet) -> str | None:
    """Which of Таблицы 3, 3.1, 5 the sheet holds, or None."""
    if sheet.table is not None:
        return sheet.table if sheet.table in TABLES else None
    match = _NAME.match(normalise(sheet.name))
    if match:
        number = match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
        return number if number in TABLES else None
    for row in sheet.rows[:5]:
        number = title_number(row)
        if number:
            return number if number in TABLES else None
    head = " ".join(normalise(c) for row in sheet.rows[:15] for c in row if text(c))
    by_words = next((number for number, pattern in _CONTENT if pattern.search(head)), None)
    return by_words or _by_headers(sheet)


def _by_headers(sheet: Sheet) -> str | None:
    """Last resort for an untitled sheet or CSV: the table whose columns it has."""
    for number, spec in (("5", tables.TABLE5), ("3", tables.TABLE3)):
        try:
            tables.find_header(sheet, spec)
            return number
        except PracticeFormatError:
            continue
    try:
        return "3.1" if len(tables.summary_lines(sheet)) >= 3 else None
    except PracticeFormatError:
        return None


def read_practice(paths: Sequence[Path] | Path) -> PracticeWorkbook:
    """Read a practice workbook (or the files that together hold its three tables)."""
    files = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    found = _find_tables([sheet for path in files for sheet in load_sheets(path)], files)
    services, totals3, warnings = tables.read_table3(found["3"])
    summary = tables.read_table31(found["3.1"])
    regulations, totals5 = tables.read_table5(found["5"])
    if summary.regulations is not None and summary.regulations > len(services):
        raise PracticeFormatError(
            f"{found['3.1'].where()}: утверждённых административных регламентов ({summary.regulations}) "
            f"больше, чем услуг в Таблице 3 ({len(services)})."
        )
    warnings += checks.check_totals(totals3, services, found["3"].where())
    warnings += checks.check_summary(summary, services)
    warnings += checks.check_regulations(regulations, totals5, found["5"].where())
    warnings += checks.check_service_lists(services, regulations)
    years = {y for y in (tables.title_year(s) for s in found.values()) if y}
    return PracticeWorkbook(services, regulations, summary, origin=", ".join(str(p) for p in files),
                            warnings=warnings, year=years.pop() if len(years) == 1 else None)


def _find_tables(sheets: list[Sheet], files: list[Path]) -> dict[str, Sheet]:
    found: dict[str, Sheet] = {}
    for sheet in sheets:
        number = sheet_table(sheet)
        if number is None:
            continue
        if number in found:
            raise PracticeFormatError(f"Таблица {number} найдена дважды: {found[number].where()} "
                                      f"и {sheet.where()}.")
        found[number] = sheet
    missing = [n for n in TABLES if n not in found]
    if missing:
        names = ", ".join(f"«{s.name}»" for s in sheets if s.name) or "—"
        where = ", ".join(p.name for p in files)
        raise PracticeFormatError(
            f"{where}: не найдена " + ", ".join(f"Таблица {n}" for n in missing)
            + f" (листы: {names}). Ожидаются листы «Таблица 3», «Таблица 3.1» и «Таблица 5» "
            "по шаблону Методики; для CSV — по файлу на таблицу или таблицы под заголовками "
            "«Таблица N»."
        )
    return found
