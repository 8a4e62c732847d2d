"""Practice workbooks written the way people fill them, for the scoring and practice tests.

`template_workbook` follows the Методика's template (title row, two-row merged header with
the «Результат работы с запросами» group, a row of column numbers, a blank row, «Итого»);
`flat_workbook` has one header row per table; `csv_files` / `stacked_csv` are CSV variants.
Column order can be permuted to check that columns are recognised by their text.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import astuple, dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

KALUGA_MFC = "ГБУ КО «МФЦ Калужской области»"


@dataclass(frozen=True)
class Svc:
    name: str
    staff: int
    requests: int
    on_time: int
    late: int
    refusals: int
    prebooking: bool
    complaints: int
    electronic: bool
    via_epgu: int
    mfc: bool
    via_mfc: int


@dataclass(frozen=True)
class Reg:
    name: str
    law_210: int
    law_other: int
    timeliness: float


# The hand-computed example of tests/test_scoring_practice.py.
SERVICES = [
    Svc("Выдача разрешений на строительство", 4, 6000, 5900, 80, 20, True, 6, True, 3000, True, 1200),
    Svc("Присвоение адреса объекту недвижимости", 3, 3000, 2700, 250, 50, False, 3, False, 0, True, 900),
    Svc(
        "Предоставление выписки из реестра муниципального имущества",
        2,
        800,
        800,
        0,
        0,
        True,
        0,
        False,
        0,
        False,
        0,
    ),
    Svc("Согласование переустройства жилого помещения", 1, 50, 50, 0, 0, False, 1, False, 0, False, 0),
]
REGULATIONS = [
    Reg(SERVICES[0].name, 1, 1, 1),
    Reg(SERVICES[1].name, 1, 0, 1),
    Reg(SERVICES[2].name, 1, 1, 0.5),
    Reg(SERVICES[3].name, 0, 1, 0),
]
APPROVED = 3

# The keys of `painmap practice --json` (PracticeResult.as_json), in their order.
JSON_KEYS = [
    "status",
    "d_u",
    "d_el",
    "d_mfc",
    "d_z",
    "k_mnk",
    "d_mu",
    "d_zh",
    "d_pz",
    "u_s",
    "d_ar",
    "k_kach",
    "u_ar",
    "k_pr_base",
    "boost",
    "k_pr",
    "levels",
]

# key, template header (the Методика's wording; {mfc} is the region's МФЦ), flat header
COLUMNS3 = [
    ("number", "№ п/п", "№"),
    ("name", "Наименование муниципальной услуги", "Услуга"),
    ("staff", "Количество муниципальных служащих, участвующих в предоставлении услуги", "Сотрудников"),
    ("requests", "Количество запросов на предоставление услуги ", "Запросов всего"),
    ("on_time", "Рассмотрено в установленные сроки", "Рассмотрено в срок"),
    ("late", "Рассмотрено с нарушением сроков", "С нарушением сроков"),
    ("refusals", "Количество отказов в приеме документов или в предоставлении услуги", "Отказов"),
    ("prebooking", "Наличие возможности предварительной записи (да/нет)", "Предварительная запись"),
    ("complaints", "Количество поступивших жалоб на предоставление муниципальных услуг", "Жалоб"),
    ("electronic", "Перевод услуги в электронный вид (да/нет)", "Электронный вид"),
    (
        "via_epgu",
        "Количество заявлений на предоставление услуги, поступивших через Единый портал "
        "государственных услуг",
        "Заявлений через ЕПГУ",
    ),
    ("mfc", "Предоставление услуги через {mfc} (да/нет)", "МФЦ (да/нет)"),
    (
        "via_mfc",
        "Количество заявлений на предоставление услуги, поступивших через {mfc}",
        "Заявлений через МФЦ",
    ),
]
GROUP = ("on_time", "late", "refusals")  # under «Результат работы с запросами…»
GROUP_TITLE = "Результат работы с запросами на предоставление услуги"
COLUMNS5 = [
    ("name", "Наименование муниципальной услуги", "Услуга"),
    (
        "law_210",
        "Соответствие административного регламента Федеральному закону от 27.07.2010 № 210-ФЗ "
        "«Об организации предоставления государственных и муниципальных услуг»",
        "Соответствие 210-ФЗ",
    ),
    (
        "law_other",
        "Соответствие административного регламента иным нормативным правовым актам, "
        "регулирующим порядок предоставления муниципальной услуги",
        "Соответствие иным НПА",
    ),
    (
        "timeliness",
        "Своевременное внесение изменений в административный регламент",
        "Своевременность изменений",
    ),
    ("coefficient", "Коэффициент качества работы с административными регламентами", "Коэффициент"),
]
SUMMARY_LINES = [
    ("services", "Количество оказываемых муниципальных услуг:"),
    ("electronic_services", "Количество услуг, переведенных в электронный вид"),
    ("mfc_services", "Количество услуг, переданных для предоставления в МФЦ"),
    (
        "prebooking_services",
        "Количество муниципальных услуг с возможностью организации предварительной "
        "записи на подачу документов",
    ),
    ("staff", "Количество муниципальных служащих, оказывающих услуги"),
    ("requests", "Количество заявлений, поступивших на предоставление муниципальных услуг за 2025 год :"),
    (
        "via_epgu",
        "Количество электронных заявлений, поступивших через Единый портал государственных и "
        "муниципальных услуг",
    ),
    (
        "via_mfc",
        "Количество заявлений, поступивших через многофункциональный центр предоставления "
        "государственных и муниципальных услуг",
    ),
    ("on_time", "Количество заявлений, рассмотренных в установленный срок"),
    ("complaints", "Количество жалоб, поступивших на предоставление муниципальных услуг"),
    ("regulations", "Количество утвержденных административных регламентов предоставления услуг"),
]


def yes(value: bool, variant: int = 0) -> str:
    return ("да", "Да", "ДА")[variant % 3] if value else ("нет", "Нет")[variant % 2]


def summary_values(services: Sequence[Svc], approved: int) -> dict[str, int]:
    return {
        "services": len(services),
        "electronic_services": sum(s.electronic for s in services),
        "mfc_services": sum(s.mfc for s in services),
        "prebooking_services": sum(s.prebooking for s in services),
        "staff": sum(s.staff for s in services),
        "requests": sum(s.requests for s in services),
        "via_epgu": sum(s.via_epgu for s in services),
        "via_mfc": sum(s.via_mfc for s in services),
        "on_time": sum(s.on_time for s in services),
        "complaints": sum(s.complaints for s in services),
        "regulations": approved,
    }


def coefficient(r: Reg) -> float:
    return ((1 if r.law_210 and r.law_other else 0) + r.timeliness) / 2 * 100


def _cell(key: str, row: int, svc: Svc, as_text: bool) -> Any:
    if key == "number":
        return row
    value = getattr(svc, key)
    if isinstance(value, bool):
        return yes(value, row)
    return str(value) if as_text and isinstance(value, int) else value


def blocks3(order: Sequence[int] | None = None) -> list[list[str]]:
    """Template columns as movable blocks: the three result sub-columns stay together under
    their merged parent; `order` permutes the blocks."""
    keys = [k for k, _, _ in COLUMNS3]
    blocks: list[list[str]] = []
    for key in keys:
        if key in GROUP:
            if key == GROUP[0]:
                blocks.append(list(GROUP))
            continue
        blocks.append([key])
    return [blocks[i] for i in order] if order is not None else blocks


def template_table3(
    ws: Any,
    services: Sequence[Svc],
    *,
    mfc: str = KALUGA_MFC,
    order: Sequence[int] | None = None,
    as_text: bool = False,
    totals: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Write Таблица 3 in the template layout; returns key → column number."""
    titles = {k: t.format(mfc=mfc) for k, t, _ in COLUMNS3}
    ws["A1"] = "Таблица 3. Анализ объема запросов, поступивших на предоставление муниципальных услуг"
    ws.merge_cells("A1:M1")
    ws["A2"] = "Управление архитектуры и градостроительства за 2025 год"
    col, where = 1, {}
    for block in blocks3(order):
        if len(block) > 1:
            ws.cell(4, col, GROUP_TITLE)
            ws.merge_cells(start_row=4, start_column=col, end_row=4, end_column=col + len(block) - 1)
            for i, key in enumerate(block):
                ws.cell(5, col + i, titles[key])
                where[key] = col + i
        else:
            ws.cell(4, col, titles[block[0]])
            ws.merge_cells(start_row=4, start_column=col, end_row=5, end_column=col)
            where[block[0]] = col
        col += len(block)
    for c in range(1, col):
        ws.cell(6, c, c)
    row = 7
    for i, svc in enumerate(services, start=1):
        if i == len(services) // 2 + 1:
            row += 1  # a blank row in the middle
        for key, c in where.items():
            ws.cell(row, c, _cell(key, i, svc, as_text and i % 2 == 0))
        row += 1
    sums = totals or {
        k: sum(getattr(s, k) for s in services)
        for k in ("staff", "requests", "on_time", "late", "refusals", "complaints", "via_epgu", "via_mfc")
    }
    ws.cell(row, where["name"], "Итого")
    for key, value in sums.items():
        ws.cell(row, where[key], value)
    return where


def template_table31(ws: Any, values: dict[str, Any]) -> None:
    ws["A1"] = "Таблица 3.1. Общая информация о предоставлении услуг в Администрации, органе Администрации"
    ws["A2"] = "Управление архитектуры и градостроительства"
    for i, (key, label) in enumerate(SUMMARY_LINES, start=4):
        if key in values:
            ws.cell(i, 1, label)
            ws.cell(i, 2, values[key])


def template_table5(ws: Any, regulations: Sequence[Reg], *, written: dict[int, Any] | None = None) -> None:
    ws["A1"] = "Таблица 5. Определение коэффициента качества работы с административными регламентами"
    ws.merge_cells("A1:E1")
    ws.cell(3, 1, COLUMNS5[0][1])
    ws.cell(3, 2, "Соответствие административного регламента требованиям законодательства РФ")
    ws.cell(3, 4, COLUMNS5[3][1])
    ws.cell(3, 5, COLUMNS5[4][1])
    ws.cell(4, 2, COLUMNS5[1][1])
    ws.cell(4, 3, COLUMNS5[2][1])
    ws.merge_cells("B3:C3")
    for letter in "ADE":
        ws.merge_cells(f"{letter}3:{letter}4")
    for i, r in enumerate(regulations, start=5):
        timely = "0,5" if r.timeliness == 0.5 else r.timeliness
        coef = (written or {}).get(i - 5, coefficient(r))
        for c, value in enumerate((r.name, r.law_210, r.law_other, timely, coef), start=1):
            ws.cell(i, c, value)
    row = 5 + len(regulations)
    ws.cell(row, 1, "Итог:")
    ws.cell(row, 5, round(sum(coefficient(r) for r in regulations) / len(regulations), 2))


def template_workbook(
    path: Path,
    services: Sequence[Svc] = SERVICES,
    regulations: Sequence[Reg] = REGULATIONS,
    approved: int = APPROVED,
    *,
    names: tuple[str, str, str] = ("Таблица 3", "Таблица 3.1", "Таблица 5"),
    summary: dict[str, Any] | None = None,
    **table3: Any,
) -> Path:
    """The whole practice workbook in the template layout, plus a Таблица 4 sheet to ignore."""
    wb = Workbook()
    ws3 = wb.active
    ws3.title = names[0]
    template_table3(ws3, services, **table3)
    template_table31(wb.create_sheet(names[1]), summary or summary_values(services, approved))
    template_table5(wb.create_sheet(names[2]), regulations)
    wb.create_sheet("Таблица 4")["A1"] = "Таблица 4. Перечень показателей (заполняется при расчёте)"
    wb.save(path)
    return path


def flat_rows3(services: Sequence[Svc], order: Sequence[int] | None = None) -> list[list[Any]]:
    cols = [COLUMNS3[i] for i in order] if order is not None else COLUMNS3
    rows: list[list[Any]] = [[flat for _, _, flat in cols]]
    for i, svc in enumerate(services, start=1):
        rows.append([_cell(key, i, svc, False) for key, _, _ in cols])
    return rows


def flat_rows5(regulations: Sequence[Reg], order: Sequence[int] | None = None) -> list[list[Any]]:
    cols = [COLUMNS5[i] for i in order] if order is not None else COLUMNS5
    rows: list[list[Any]] = [[flat for _, _, flat in cols]]
    for r in regulations:
        values = {
            "name": r.name,
            "law_210": r.law_210,
            "law_other": r.law_other,
            "timeliness": r.timeliness,
            "coefficient": coefficient(r),
        }
        rows.append([values[key] for key, _, _ in cols])
    return rows


def flat_workbook(
    path: Path,
    services: Sequence[Svc] = SERVICES,
    regulations: Sequence[Reg] = REGULATIONS,
    approved: int = APPROVED,
    *,
    order3: Sequence[int] | None = None,
    order5: Sequence[int] | None = None,
    horizontal_summary: bool = False,
) -> Path:
    """One header row per table; sheets named loosely («Табл.3», «таблица 3_1», «Т5»)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Табл.3"
    for row in flat_rows3(services, order3):
        ws.append(row)
    ws31 = wb.create_sheet("таблица 3_1")
    values = summary_values(services, approved)
    labels = dict(SUMMARY_LINES)
    if horizontal_summary:
        ws31.append([labels[k] for k in values])
        ws31.append(list(values.values()))
    else:
        ws31.append(["Показатель", "Значение"])
        for key, value in values.items():
            ws31.append([labels[key], value])
    ws5 = wb.create_sheet("Т5")
    for row in flat_rows5(regulations, order5):
        ws5.append(row)
    wb.save(path)
    return path


def _write_csv(path: Path, rows: list[list[Any]], delimiter: str = ";", encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def summary_rows(services: Sequence[Svc], approved: int) -> list[list[Any]]:
    labels = dict(SUMMARY_LINES)
    return [["Показатель", "Значение"]] + [
        [labels[k], v] for k, v in summary_values(services, approved).items()
    ]


def csv_files(
    directory: Path,
    services: Sequence[Svc] = SERVICES,
    regulations: Sequence[Reg] = REGULATIONS,
    approved: int = APPROVED,
    *,
    encoding: str = "utf-8-sig",
) -> list[Path]:
    """One CSV per table, no titles: recognised by their headers."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        _write_csv(directory / "services.csv", flat_rows3(services), encoding=encoding),
        _write_csv(directory / "summary.csv", summary_rows(services, approved), encoding=encoding),
        _write_csv(directory / "regulations.csv", flat_rows5(regulations), encoding=encoding),
    ]


def stacked_csv(
    path: Path,
    services: Sequence[Svc] = SERVICES,
    regulations: Sequence[Reg] = REGULATIONS,
    approved: int = APPROVED,
) -> Path:
    """The three tables in one CSV, each under its «Таблица N» title line."""
    rows: list[list[Any]] = [
        ["Таблица 3. Анализ объема запросов"],
        *flat_rows3(services),
        [],
        ["Таблица 3.1. Общая информация"],
        *summary_rows(services, approved)[1:],
        [],
        ["Таблица 5. Определение коэффициента качества"],
        *flat_rows5(regulations),
    ]
    return _write_csv(path, rows, delimiter=",", encoding="utf-8")


def as_tuples(records: Sequence[Any], fields: Sequence[str]) -> list[tuple[Any, ...]]:
    return [tuple(getattr(r, f) for f in fields) for r in records]


def svc_tuples(services: Sequence[Svc]) -> list[tuple[Any, ...]]:
    return [astuple(s) for s in services]


SVC_FIELDS = (
    "service",
    "staff",
    "requests",
    "on_time",
    "late",
    "refusals",
    "prebooking",
    "complaints",
    "electronic",
    "via_epgu",
    "mfc",
    "via_mfc",
)
REG_FIELDS = ("service", "law_210", "law_other", "timeliness")


def column_of(where: dict[str, int], key: str) -> str:
    return get_column_letter(where[key])
