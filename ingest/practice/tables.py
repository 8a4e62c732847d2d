"""Readers of Таблица 3 (services), Таблица 3.1 (summary) and Таблица 5 (regulations).

Column and line recognition is by the template's wording; the matchers below are ordered
from the most specific to the most general, because a general word («запрос», «услуг»)
also appears in the headers of more specific columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from ingest.practice import cells
from ingest.practice.cells import CellError, normalise, text
from ingest.practice.columns import (
    Column,
    Header,
    PracticeFormatError,
    all_of,
    find_header,
    has,
    is_numbering,
)
from ingest.practice.grid import Sheet
from ingest.practice.records import RegulationRecord, ServiceRecord, SummaryRecord

T = TypeVar("T")
R = TypeVar("R", ServiceRecord, RegulationRecord)
MFC = r"мфц|многофункциональн|мои документы|через"
COUNTING = r"количеств|кол-во|заявлен|запрос|число"
_TOTAL = re.compile(r"^(итог|всего)")
YEAR_IN_TITLE = re.compile(r"за\s+(20\d\d)\s*(?:г\.|год)")


def _service(t: str) -> bool:
    return ("наименовани" in t and "услуг" in t) or t in {"услуга", "муниципальная услуга", "наименование"}


NUMBER = Column("number", "№ п/п", has(r"^№|п/п|^n$"), required=False)
SERVICE = Column("service", "Наименование муниципальной услуги", _service)

TABLE3 = (
    SERVICE,
    Column("staff", "Количество муниципальных служащих, участвующих в предоставлении услуги",
           has(r"служащ|сотрудник|специалист"), required=False),
    Column("on_time", "Рассмотрено в установленные сроки",
           has(r"в установленн\w* срок|в срок", without=[r"нарушен"])),
    Column("late", "Рассмотрено с нарушением сроков", has(r"нарушен\w* срок|с нарушением|просроч"),
           required=False),
    Column("refusals", "Количество отказов в приеме документов или в предоставлении услуги",
           has(r"отказ"), required=False),
    Column("prebooking", "Наличие возможности предварительной записи (да/нет)",
           has(r"предварительн\w* запис")),
    Column("complaints", "Количество поступивших жалоб на предоставление муниципальных услуг",
           has(r"жалоб")),
    Column("electronic", "Перевод услуги в электронный вид (да/нет)",
           has(r"электронн", without=[r"через", r"заявлен", r"запрос"])),
    Column("via_epgu", "Количество заявлений, поступивших через Единый портал государственных услуг",
           has(r"портал|епгу|госуслуг", without=[r"да/нет"])),
    Column("via_mfc", "Количество заявлений, поступивших через МФЦ",
           all_of(has(MFC, without=[r"да/нет"]), has(COUNTING))),
    Column("mfc", "Предоставление услуги через МФЦ (да/нет)", has(MFC, without=[COUNTING])),
    Column("requests", "Количество запросов на предоставление услуги", has(r"запрос|заявлен|обращени")),
    NUMBER,
)
COUNTS3 = ("staff", "requests", "on_time", "late", "refusals", "complaints", "via_epgu", "via_mfc")
FLAGS3 = ("prebooking", "electronic", "mfc")

TABLE5 = (
    SERVICE,
    Column("law_210", "Соответствие административного регламента Федеральному закону № 210-ФЗ",
           has(r"210"), required=False),
    Column("law_other", "Соответствие административного регламента иным нормативным правовым актам",
           has(r"\bин(ым|ых|ые)\b.*нормативн|\bнпа\b"), required=False),
    Column("law", "Соответствие административного регламента требованиям законодательства РФ",
           has(r"соответстви|законодательств"), required=False),
    Column("timeliness", "Своевременное внесение изменений в административный регламент",
           has(r"своевремен|внесени\w* изменени")),
    Column("coefficient", "Коэффициент качества работы с административными регламентами",
           has(r"коэффициент"), required=False),
    NUMBER,
)

# Таблица 3.1: (field, matcher), most specific first; a line goes to the first that matches.
SUMMARY_LINES: tuple[tuple[str, str, Callable[[str], bool]], ...] = (
    ("via_epgu", "Количество электронных заявлений, поступивших через Единый портал",
     all_of(has(r"заявлен|запрос"), has(r"портал|епгу|госуслуг|электронн"))),
    ("via_mfc", "Количество заявлений, поступивших через многофункциональный центр",
     all_of(has(r"заявлен|запрос"), has(r"мфц|многофункц|через"))),
    ("on_time", "Количество заявлений, рассмотренных в установленный срок",
     all_of(has(r"заявлен|запрос"), has(r"срок"))),
    ("requests", "Количество заявлений, поступивших на предоставление муниципальных услуг",
     has(r"заявлен|запрос")),
    ("electronic_services", "Количество услуг, переведенных в электронный вид", has(r"электронн")),
    ("mfc_services", "Количество услуг, переданных для предоставления в МФЦ",
     has(r"мфц|многофункц|передан")),
    ("prebooking_services", "Количество муниципальных услуг с возможностью предварительной записи",
     has(r"предварительн")),
    ("staff", "Количество муниципальных служащих, оказывающих услуги", has(r"служащ|сотрудник")),
    ("complaints", "Количество жалоб", has(r"жалоб")),
    ("regulations", "Количество утвержденных административных регламентов предоставления услуг",
     has(r"регламент")),
    ("services", "Количество оказываемых муниципальных услуг", has(r"услуг")),
)
SUMMARY_LABELS = {key: label for key, label, _ in SUMMARY_LINES}


@dataclass
class Totals:
    """The «Итого»/«Итог:» row as written, for cross-checks."""

    row: int
    values: dict[str, float]


@dataclass
class _Row:
    sheet: Sheet
    number: int
    header: Header

    def value(self, key: str) -> Any:
        col = self.header.columns.get(key)
        return None if col is None else self.sheet.cell(self.number, col)

    def read(self, key: str, reader: Callable[[Any], T]) -> T:
        """Run a cell reader; its complaint becomes an error naming sheet, row and column."""
        try:
            return reader(self.value(key))
        except CellError as exc:
            raise self.error(key, str(exc)) from None

    def error(self, key: str, message: str) -> PracticeFormatError:
        col = self.header.columns[key]
        title = self.header.title(col)
        return PracticeFormatError(f"{self.sheet.where(self.number, col)} («{title}»): {message}.")

    @property
    def location(self) -> str:
        return self.sheet.where(self.number)


def data_rows(sheet: Sheet, header: Header) -> Iterator[_Row | Totals]:
    """Rows under the header: blank rows and the column-number row are skipped; the table
    ends at its «Итого» row, which is yielded as `Totals`."""
    for number in range(header.last_row + 1, sheet.height + 1):
        raw = sheet.rows[number - 1]
        if not any(text(c) for c in raw) or is_numbering(raw):
            continue
        label = next((normalise(c) for c in raw if text(c) and cells.number(c) is None), "")
        if _TOTAL.match(label):
            yield Totals(number, _numbers(sheet, number, header))
            return
        yield _Row(sheet, number, header)


def _numbers(sheet: Sheet, number: int, header: Header) -> dict[str, float]:
    out = {}
    for key, col in header.columns.items():
        value = cells.number(sheet.cell(number, col))
        if value is not None and not cells.is_blank(sheet.cell(number, col)):
            out[key] = value
    return out


def read_table3(sheet: Sheet) -> tuple[list[ServiceRecord], Totals | None, list[str]]:
    header = find_header(sheet, TABLE3)
    warnings: list[str] = []
    records, totals = _service_records(sheet, header, lambda row: _service_row(row, warnings),
                                       "ни одной услуги")
    return records, totals, warnings


def _service_records(sheet: Sheet, header: Header, read: Callable[[_Row], R | None],
                     nothing: str) -> tuple[list[R], Totals | None]:
    """The records of a per-service table (3 or 5) up to its «Итого» row: a service named
    twice is an error naming the first row; a table without any is an error too."""
    records: list[R] = []
    seen: dict[str, int] = {}
    totals = None
    for row in data_rows(sheet, header):
        if isinstance(row, Totals):
            totals = row
            break
        record = read(row)
        if record is None:
            continue
        key = normalise(record.service)
        if key in seen:
            raise row.error("service", f"услуга «{record.service}» уже указана в строке {seen[key]}")
        seen[key] = row.number
        records.append(record)
    if not records:
        raise PracticeFormatError(f"{sheet.where()}: в таблице нет {nothing}.")
    return records, totals


def _service_row(row: _Row, warnings: list[str]) -> ServiceRecord | None:
    service = " ".join(text(row.value("service")).split())
    keys = [k for k in (*COUNTS3, *FLAGS3) if k in row.header.columns]
    if not any(text(row.value(k)) for k in keys):
        if service:
            warnings.append(f"{row.location}: у услуги «{service}» не заполнены данные — строка пропущена.")
        return None
    if not service:
        raise row.error("service", "не указано наименование услуги")
    counts = {k: row.read(k, cells.count) for k in COUNTS3 if k in row.header.columns}
    for key in ("requests", "on_time"):
        if counts[key] is None:
            raise row.error(key, "ячейка не заполнена")
    flags = {k: row.read(k, cells.yes_no) for k in FLAGS3}
    for key, flag in flags.items():
        if flag is None:
            raise row.error(key, "ячейка не заполнена, ожидается «да» или «нет»")
    record = ServiceRecord(
        service=service, requests=counts["requests"] or 0, on_time=counts["on_time"] or 0,
        complaints=counts.get("complaints") or 0, prebooking=bool(flags["prebooking"]),
        electronic=bool(flags["electronic"]), via_epgu=counts.get("via_epgu") or 0,
        mfc=bool(flags["mfc"]), via_mfc=counts.get("via_mfc") or 0, staff=counts.get("staff"),
        late=counts.get("late") or 0, refusals=counts.get("refusals") or 0, location=row.location,
    )
    _check_service(row, record)
    return record


def _check_service(row: _Row, r: ServiceRecord) -> None:
    """Shares of the Методика cannot exceed 100 %: such a row is a typing error."""
    if r.on_time > r.requests:
        raise row.error("on_time", f"рассмотрено в срок ({r.on_time}) больше, чем запросов ({r.requests})")
    if r.complaints > r.requests:
        raise row.error("complaints", f"жалоб ({r.complaints}) больше, чем запросов ({r.requests})")
    if r.via_epgu + r.via_mfc > r.requests:
        raise row.error("via_epgu", f"заявлений через Единый портал и МФЦ ({r.via_epgu} + {r.via_mfc}) "
                                    f"больше, чем запросов ({r.requests})")


def read_table5(sheet: Sheet) -> tuple[list[RegulationRecord], Totals | None]:
    header = find_header(sheet, TABLE5)
    _law_columns(sheet, header)
    return _service_records(sheet, header, _regulation_row, "ни одного регламента")


def _law_columns(sheet: Sheet, header: Header) -> None:
    """Two law columns (210-ФЗ, other НПА) as in the template, or one common column."""
    cols = header.columns
    if "law_210" in cols and "law_other" in cols:
        return
    if "law" in cols and "law_210" not in cols and "law_other" not in cols:
        cols["law_210"] = cols["law_other"] = cols["law"]
        return
    missing = [c.label for c in TABLE5 if c.key in ("law_210", "law_other") and c.key not in cols]
    names = "», «".join(missing or [TABLE5[3].label])
    raise PracticeFormatError(f"{sheet.where(header.first_row)}: не найден столбец «{names}».")


def _regulation_row(row: _Row) -> RegulationRecord | None:
    service = " ".join(text(row.value("service")).split())
    keys = ("law_210", "law_other", "timeliness")
    if not any(text(row.value(k)) for k in keys):
        return None
    if not service:
        raise row.error("service", "не указано наименование услуги")
    scores = {}
    for key in keys:
        allowed = (0.0, 0.5, 1.0) if key == "timeliness" else (0.0, 1.0)
        value = row.read(key, lambda v, a=allowed: cells.points(v, a))  # type: ignore[misc]
        if value is None:
            raise row.error(key, "ячейка не заполнена")
        scores[key] = value
    coefficient = cells.number(row.value("coefficient")) if text(row.value("coefficient")) else None
    return RegulationRecord(service, int(scores["law_210"]), int(scores["law_other"]),
                            scores["timeliness"], coefficient, row.location)


def read_table31(sheet: Sheet) -> SummaryRecord:
    """Label/value lines as in the template; a one-header-row layout is accepted too."""
    found = summary_lines(sheet)
    if len(found) < 3:
        found = _summary_flat(sheet) or found
    if found.get("regulations") is None:
        raise PracticeFormatError(
            f"{sheet.where()}: нет строки «{SUMMARY_LABELS['regulations']}» со значением — "
            "без неё нельзя рассчитать долю услуг с утверждёнными регламентами (Dар)."
        )
    return SummaryRecord(**found, location=sheet.where())


def summary_lines(sheet: Sheet) -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    rows_of: dict[str, int] = {}
    for number, raw in enumerate(sheet.rows, start=1):
        label_at = next((i for i, c in enumerate(raw) if text(c) and cells.number(c) is None), None)
        if label_at is None:
            continue
        key = _summary_key(normalise(raw[label_at]))
        value_at = next((i for i in range(label_at + 1, len(raw)) if text(raw[i])), None)
        if key is None or value_at is None or _summary_key(normalise(raw[value_at])):
            continue  # not a line, or a header row of the one-row layout
        if key in rows_of:
            raise PracticeFormatError(f"{sheet.where(number)}: строка «{SUMMARY_LABELS[key]}» "
                                      f"повторяется (уже была в строке {rows_of[key]}).")
        try:
            found[key] = cells.count(raw[value_at])
        except CellError as exc:
            raise PracticeFormatError(f"{sheet.where(number, value_at + 1)} («{text(raw[label_at])}»): "
                                      f"{exc}.") from None
        rows_of[key] = number
    return found


def _summary_key(label: str) -> str | None:
    return next((key for key, _, match in SUMMARY_LINES if match(label)), None)


def _summary_flat(sheet: Sheet) -> dict[str, int | None]:
    spec = [Column(key, label, match, required=key == "regulations") for key, label, match in SUMMARY_LINES]
    try:
        header = find_header(sheet, spec)
    except PracticeFormatError:
        return {}
    for row in data_rows(sheet, header):
        if isinstance(row, Totals):
            break
        return {key: row.read(key, cells.count) for key in header.columns}
    return {}


def title_year(sheet: Sheet) -> int | None:
    """The year a title or label names («… за 2025 год»), if any."""
    for raw in sheet.rows[:20]:
        for value in raw:
            match = YEAR_IN_TITLE.search(normalise(value))
            if match:
                return int(match.group(1))
    return None
