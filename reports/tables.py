"""The tables of the Методика (1, 2, 3, 3.1, 4, 5), the pain map and the report's summary
tables as plain grids: a title, header cells with their spans, body and total rows, and a
kind per column. The DOCX and the XLSX writers render the same grids, so the two
documents cannot disagree on a number or a heading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from models.queries import PracticeRows
from reports.data import OrgReport, ReportData
from reports.text import inline, number, percent
from scoring import levels
from scoring.practice import PracticeResult, regulation_coefficient
from scoring.satisfaction import SURVEY_CRITERIA, ChannelScore, k_ud
from service.scores import comparable, kud_level, shown_level, small_sample
from vocabulary.categories import CATEGORIES, CATEGORY_NAMES
from vocabulary.channels import CHANNEL_NAMES

Cell = str | int | float | bool | None
TEXT, INT, PCT, SCORE, BOOL, POINTS, MARK = "text", "int", "pct", "score", "bool", "points", "mark"


@dataclass(frozen=True)
class Head:
    """A header cell at (row, col) of the header block, spanning rows/columns."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass
class Grid:
    key: str  # "1", "2", "3", "3.1", "4", "5", "pains", …
    title: str
    subtitle: str
    heads: list[Head]
    kinds: list[str]
    widths: list[float]  # centimetres in the DOCX; the XLSX scales them
    rows: list[list[Cell]] = field(default_factory=list)
    totals: list[list[Cell]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    numbered: bool = False  # a row of column numbers under the header (Таблица 3 of the Методика)
    landscape: bool = False
    merge_first: bool = False  # one cell for a run of equal values in the first column (the office)

    @property
    def columns(self) -> int:
        return len(self.kinds)

    @property
    def head_rows(self) -> int:
        return max(h.row + h.rowspan for h in self.heads)


def flat_heads(titles: Sequence[str]) -> list[Head]:
    return [Head(t, 0, i) for i, t in enumerate(titles)]


TITLES = {
    "1": "Таблица 1. Анализ степени удовлетворенности клиентов качеством предоставления муниципальных услуг",
    "2": "Таблица 2. Оценка качества оказания услуг на Едином портале госуслуг",
    "3": "Таблица 3. Анализ объема запросов, поступивших на предоставление муниципальных услуг",
    "3.1": "Таблица 3.1. Общая информация о предоставлении услуг в Администрации, органе Администрации",
    "4": "Таблица 4. Перечень показателей качества и доступности предоставления муниципальных услуг и их "
         "индикаторы, применяемые для анализа практики предоставления муниципальных услуг",
    "5": "Таблица 5. Определение коэффициента качества работы с административными регламентами",
}
SURVEY_CRITERIA_NAMES = {
    "quality": "Удовлетворённость клиентов качеством работы органа, предоставляющего муниципальные услуги",
    "time": "Удовлетворенность клиентов временными характеристиками при предоставлении муниципальной услуги "
            "(сроки предоставления муниципальной услуги, срок ожидания в очереди при предоставлении "
            "муниципальной услуги)",
    "information": "Удовлетворенность клиентов качеством представленной информации о порядке "
                   "предоставления муниципальной услуги (полнота, ясность изложения, доступность "
                   "представленной информации и др.)",
}
FINAL = "Итоговое значение показателя качества:"
DPZ_EXEMPT = "не оценивается (все услуги в электронном виде или менее 100 заявлений)"
NOT_MONITORED = "мониторинг не проводится (менее 50 заявлений, п. 4.4 Методики) — справочно"


def subtitle(org: OrgReport, label: str) -> str:
    suffix = "" if org.monitored else f"; {NOT_MONITORED}"
    return f"{org.name} — {label}{suffix}"


# --- Таблица 1 and 2: feedback --------------------------------------------------------------

def table1(org: OrgReport, label: str) -> Grid | None:
    """The survey's criteria (Уф) and its total, from the survey channel's score."""
    survey = org.channel("survey")
    if survey is None or not survey.has_data:
        return None
    grid = Grid("1", TITLES["1"], subtitle(org, label),
                flat_heads(["№ п/п", "Критерий удовлетворенности", "Количество респондентов",
                            "Итог (значение коэффициента Уф), %",
                            "Интерпретация значения коэффициента удовлетворенности клиентов качеством "
                            "муниципальных услуг"]),
                [INT, TEXT, INT, PCT, TEXT], [1.2, 7.0, 2.4, 2.4, 4.5], numbered=True)
    for i, key in enumerate(SURVEY_CRITERIA, start=1):
        mean = survey.criteria.get(key)
        value = k_ud(mean)
        grid.rows.append([i, SURVEY_CRITERIA_NAMES[key], survey.n if mean is not None else 0, value,
                          levels.K_UD.level(value)])
    grid.totals.append(["", "Итого:", survey.n, survey.k_ud, survey.level])
    return grid


def table2(org: OrgReport, label: str) -> Grid | None:
    if not org.gosuslugi:
        return None
    grid = Grid("2", TITLES["2"], subtitle(org, label),
                flat_heads(["Наименование услуги", "Индекс CSI", "Количество оценок"]),
                [TEXT, SCORE, INT], [11.0, 3.0, 3.5])
    for row in org.gosuslugi:
        grid.rows.append([row.service, row.csi, row.count])
    channel = org.channel("gosuslugi")
    if channel is not None and channel.has_data:
        grid.totals.append([f"Итого (средневзвешенный CSI; Куд = {percent(channel.k_ud)})", channel.csi,
                            channel.n])
    return grid


# --- Таблицы 3, 3.1, 4, 5: practice ---------------------------------------------------------

T3_COLUMNS = (
    "№ п/п", "Наименование муниципальной услуги",
    "Количество муниципальных служащих, участвующих в предоставлении услуги",
    "Количество запросов на предоставление услуги",
    "Рассмотрено в установленные сроки", "Рассмотрено с нарушением сроков",
    "Количество отказов в приеме документов или в предоставлении услуги",
    "Наличие возможности предварительной записи (да/нет)",
    "Количество поступивших жалоб на предоставление муниципальных услуг",
    "Перевод услуги в электронный вид (да/нет)",
    "Количество заявлений на предоставление услуги, поступивших через Единый портал государственных услуг",
    "Предоставление услуги через МФЦ (да/нет)",
    "Количество заявлений на предоставление услуги, поступивших через МФЦ",
)
T3_GROUP = "Результат работы с запросами на предоставление услуги"
T3_SUMMED = ("staff", "requests", "on_time", "late", "refusals", "complaints", "via_epgu", "via_mfc")


def _t3_heads() -> list[Head]:
    heads = []
    for i, text in enumerate(T3_COLUMNS):
        if i in (4, 5, 6):
            heads.append(Head(text, 1, i))
        else:
            heads.append(Head(text, 0, i, rowspan=2))
    heads.append(Head(T3_GROUP, 0, 4, colspan=3))
    return heads


def table3(org: OrgReport, rows: PracticeRows, label: str) -> Grid:
    grid = Grid("3", TITLES["3"], subtitle(org, label), _t3_heads(),
                [INT, TEXT, INT, INT, INT, INT, INT, BOOL, INT, BOOL, INT, BOOL, INT],
                [0.8, 5.0, 1.9, 1.8, 1.9, 1.9, 2.0, 1.7, 1.8, 1.7, 2.0, 1.6, 2.0],
                numbered=True, landscape=True)
    for i, s in enumerate(rows.services, start=1):
        grid.rows.append([i, s.service, s.staff, s.requests, s.on_time, s.late, s.refusals, s.prebooking,
                          s.complaints, s.electronic, s.via_epgu, s.mfc, s.via_mfc])
    sums = {key: sum(getattr(s, key) or 0 for s in rows.services) for key in T3_SUMMED}
    yes = {key: f"да: {sum(getattr(s, key) for s in rows.services)}"
           for key in ("prebooking", "electronic", "mfc")}
    grid.totals.append(["", "Итого", sums["staff"], sums["requests"], sums["on_time"], sums["late"],
                        sums["refusals"], yes["prebooking"], sums["complaints"], yes["electronic"],
                        sums["via_epgu"], yes["mfc"], sums["via_mfc"]])
    return grid


T31_LINES = (
    ("services", "Количество оказываемых муниципальных услуг:"),
    ("electronic_services", "Количество услуг, переведенных в электронный вид"),
    ("mfc_services", "Количество услуг, переданных для предоставления в МФЦ"),
    ("prebooking_services", "Количество муниципальных услуг с возможностью организации предварительной "
                            "записи на подачу документов"),
    ("staff", "Количество муниципальных служащих, оказывающих услуги"),
    ("requests", "Количество заявлений, поступивших на предоставление муниципальных услуг за {year} год:"),
    ("via_epgu", "Количество электронных заявлений, поступивших через Единый портал государственных и "
                 "муниципальных услуг"),
    ("via_mfc", "Количество заявлений, поступивших через многофункциональный центр предоставления "
                "государственных и муниципальных услуг"),
    ("on_time", "Количество заявлений, рассмотренных в установленный срок"),
    ("complaints", "Количество жалоб, поступивших на предоставление муниципальных услуг"),
    ("regulations", "Количество утвержденных административных регламентов предоставления услуг"),
)
FROM_TABLE3 = "* графа не заполнена органом — значение рассчитано по Таблице 3"


def summary_from_table3(rows: PracticeRows) -> dict[str, int | None]:
    """Таблица 3.1 as it follows from Таблица 3 (for lines the office left empty)."""
    s = rows.services
    return {
        "services": len(s), "electronic_services": sum(r.electronic for r in s),
        "mfc_services": sum(r.mfc for r in s), "prebooking_services": sum(r.prebooking for r in s),
        "staff": sum(r.staff or 0 for r in s) if any(r.staff is not None for r in s) else None,
        "requests": sum(r.requests for r in s), "via_epgu": sum(r.via_epgu for r in s),
        "via_mfc": sum(r.via_mfc for r in s), "on_time": sum(r.on_time for r in s),
        "complaints": sum(r.complaints for r in s), "regulations": None,
    }


def table31(org: OrgReport, rows: PracticeRows, year: int | None, label: str) -> Grid:
    grid = Grid("3.1", TITLES["3.1"], subtitle(org, label), flat_heads(["Показатель", "Значение"]),
                [TEXT, INT], [13.0, 3.5])
    computed = summary_from_table3(rows)
    filled_in = False
    for key, text in T31_LINES:
        reported = getattr(rows.summary, key) if rows.summary is not None else None
        value: Cell = reported
        if reported is None and computed[key] is not None:
            value, filled_in = f"{computed[key]}*", True
        grid.rows.append([text.format(year=year or "____"), value])
    if filled_in:
        grid.notes.append(FROM_TABLE3)
    return grid


T4_COLUMNS = ("№ п/п", "Показатель качества", "Индикаторы", "Значение, %")


def table4(org: OrgReport, r: PracticeResult, label: str) -> Grid:
    grid = Grid("4", TITLES["4"], subtitle(org, label), flat_heads(T4_COLUMNS),
                [TEXT, TEXT, TEXT, PCT], [1.2, 5.0, 8.0, 2.5])
    grid.rows += table4_rows(r)
    boost = "не применяется" if not r.boost or r.boost == 1 else number(r.boost)
    grid.totals += [
        ["", "Коэффициент практики предоставления муниципальных услуг",
         f"Кпр = (Кмнк + Уs + Уар) / 3; повышающий коэффициент: {boost}", r.k_pr],
        ["", "Интерпретация (таблица 1.5 Методики)", r.levels.get("k_pr", ""), ""],
    ]
    return grid


def table4_rows(r: PracticeResult) -> list[list[Cell]]:
    """The indicators of Таблица 4 in the Методика's wording, one row each (the value is a
    percentage, or why Dпз is not assessed): the report and `painmap practice` both show these."""
    lv = r.levels
    return [
        ["1", "Уровень доступности получения муниципальных услуг по различным каналам взаимодействия "
              "с клиентами",
         "Доля муниципальных услуг, переведенных в электронный вид и (или) переданных для предоставления "
         "в МФЦ (Dу)", r.d_u],
        ["", "", "Доля клиентов, получивших муниципальные услуги в электронном виде и (или) через МФЦ "
                 f"(Dз = Dэл {percent(r.d_el)} + Dмфц {percent(r.d_mfc)})", r.d_z],
        ["", FINAL, f"Кмнк — {inline(lv.get('k_mnk', ''))}", r.k_mnk],
        ["2", "Уровень соблюдения стандартов предоставления муниципальных услуг",
         "Доля муниципальных услуг, предоставленных в установленный срок (Dму)", r.d_mu],
        ["", "", "Доля муниципальных услуг с возможностью осуществления предварительной записи на подачу "
                 "документов (Dпз)", r.d_pz if r.d_pz is not None else DPZ_EXEMPT],
        ["", "", "Доля жалоб, поступивших на предоставление муниципальных услуг (Dж)", r.d_zh],
        ["", FINAL, f"Уs — {inline(lv.get('u_s', ''))}", r.u_s],
        ["3", "Уровень работы с административными регламентами",
         "Доля муниципальных услуг, порядки предоставления которых утверждены административными "
         "регламентами (Dар)", r.d_ar],
        ["", "", "Коэффициент качества работы с административными регламентами (Ккач)", r.k_kach],
        ["", FINAL, f"Уар — {inline(lv.get('u_ar', ''))}", r.u_ar],
    ]


def table5(org: OrgReport, rows: PracticeRows, label: str) -> Grid:
    heads = [
        Head("Наименование муниципальной услуги", 0, 0, rowspan=2),
        Head("Соответствие административного регламента требованиям законодательства РФ", 0, 1, colspan=2),
        Head("Соответствие административного регламента Федеральному закону от 27.07.2010 № 210-ФЗ «Об "
             "организации предоставления государственных и муниципальных услуг»", 1, 1),
        Head("Соответствие административного регламента иным нормативным правовым актам, регулирующим "
             "порядок предоставления муниципальной услуги", 1, 2),
        Head("Своевременное внесение изменений в административный регламент", 0, 3, rowspan=2),
        Head("Коэффициент качества работы с административными регламентами, %", 0, 4, rowspan=2),
    ]
    grid = Grid("5", TITLES["5"], subtitle(org, label), heads, [TEXT, INT, INT, MARK, PCT],
                [7.0, 3.0, 3.0, 2.5, 2.5])
    for r in rows.regulations:
        grid.rows.append([r.service, r.law_210, r.law_other, r.timeliness, regulation_coefficient(r)])
    if rows.regulations:
        mean = sum(regulation_coefficient(r) for r in rows.regulations) / len(rows.regulations)
        grid.totals.append(["Итог:", "", "", "", mean])
    return grid


def reference_grid(org: OrgReport, label: str) -> Grid | None:
    """«Справочная информация» (п. 4.4) of an office that is not monitored."""
    result = org.result
    if result is None:
        return None
    ref = result.reference
    grid = Grid("ref", f"Справочная информация о работе органа за {label}", org.name,
                flat_heads(["Показатель", "Значение"]), [TEXT, INT], [13.0, 3.5])
    grid.rows += [
        ["Количество оказываемых муниципальных услуг", ref.services],
        ["Количество заявлений, поступивших на предоставление муниципальных услуг", ref.requests],
        ["Количество заявлений, рассмотренных в установленный срок", ref.on_time],
        ["Количество жалоб, поступивших на предоставление муниципальных услуг", ref.complaints],
        ["Количество заявлений, поступивших через Единый портал государственных услуг", ref.via_epgu],
        ["Количество заявлений, поступивших через МФЦ", ref.via_mfc],
    ]
    for c in org.scores.current.channels:
        if c.has_data:
            grid.rows.append([f"{CHANNEL_NAMES[c.channel]}: количество оценок / средняя оценка (CSI)",
                              f"{c.n} / {number(c.csi)}"])
    return grid


# --- feedback, efficiency, dynamics: the report's own tables --------------------------------

def channels_grid(data: ReportData) -> Grid:
    grid = Grid("channels", "Коэффициент удовлетворенности клиентов (Куд) по каналам обратной связи",
                data.period.label,
                flat_heads(["Орган", "Канал обратной связи", "Количество оценок", "CSI (1–5)", "Куд, %",
                            "Интерпретация (таблица 1.1 Методики)"]),
                [TEXT, TEXT, INT, SCORE, PCT, TEXT], [4.0, 3.6, 1.9, 1.5, 1.7, 4.5], merge_first=True)
    for org in data.monitored:
        for c in org.scores.current.channels:
            grid.rows.append([org.name, CHANNEL_NAMES[c.channel], c.n, c.csi, c.k_ud,
                              shown_level(c, data.min_n)])
        grid.rows.append([org.name, "Итого: Куд органа (среднее по каналам)", None, None,
                          org.scores.current.k_ud, kud_level(org.scores.current, data.min_n)])
    return grid


def yandex_grid(data: ReportData) -> Grid | None:
    """Yandex Maps per office: the reviews of the period, the public rating, the answers."""
    grid = Grid("yandex", "Отзывы в Яндекс Картах по органам", data.period.label,
                flat_heads(["Орган", "Отзывов за период", "Средняя оценка", "Куд, %", "Рейтинг на карточке",
                            "Отвечено, %", "Негативных без ответа"]),
                [TEXT, INT, SCORE, PCT, SCORE, PCT, INT], [5.0, 1.9, 1.8, 1.6, 2.2, 1.8, 2.2])
    for org in data.monitored:
        c = org.channel("yandex")
        rating = org.yandex_rating.rating_value if org.yandex_rating is not None else None
        if (c is None or not c.has_data) and rating is None:
            continue
        replies = org.replies
        grid.rows.append([org.name, c.n if c else None, c.csi if c else None,
                          c.k_ud if c and not small_sample(c.n, data.min_n) else None, rating,
                          replies.reply_rate if replies else None,
                          len(replies.unanswered) if replies else None])
    if not grid.rows:
        return None
    grid.notes.append(f"Куд не приводится, если оценок меньше {data.min_n} (мало данных); рейтинг — "
                      "как его видят посетители карточки при последнем обходе периода.")
    return grid


def efficiency_grid(data: ReportData) -> Grid:
    grid = Grid("efficiency", "Коэффициент эффективности предоставления муниципальных услуг (Кэф)",
                data.period.label,
                flat_heads(["Орган", "Куд, %", "Кпр, %", "Кэф, %", "Интерпретация (таблица 1.6 Методики)"]),
                [TEXT, PCT, PCT, PCT, TEXT], [5.5, 2.0, 2.0, 2.0, 5.5])
    for org in data.monitored:
        cur = org.scores.current
        grid.rows.append([org.name, cur.k_ud, cur.k_pr, cur.k_ef, cur.levels()["k_ef"]])
    return grid


def indicator_rows(org: OrgReport, min_n: int) -> list[tuple[str, float | None, float | None, bool]]:
    """(indicator, previous, current, compared) for the comparison with the previous period:
    a channel with fewer than `min_n` ratings in either period is shown, not compared."""
    cur, prev = org.scores.current, org.scores.previous
    rows: list[tuple[str, float | None, float | None, bool]] = []
    kinds = [c.channel for c in cur.channels] + [c.channel for c in prev.channels
                                                 if c.channel not in {x.channel for x in cur.channels}]
    for kind in kinds:
        now, before = org.channel(kind), org.previous_channel(kind)
        compared = comparable(now, before, min_n)
        few = not compared and any(c is not None and small_sample(c.n, min_n) for c in (now, before))
        rows.append((f"Куд: {CHANNEL_NAMES[kind]}" + (" (мало данных)" if few else ""), _k(before), _k(now),
                     compared))
    rows.append(("Куд органа (среднее по каналам)", prev.k_ud, cur.k_ud, True))
    now_r, before_r = cur.practice.result, prev.practice.result
    for key, name in (("k_mnk", "Кмнк"), ("u_s", "Уs"), ("u_ar", "Уар")):
        rows.append((name, _practice_value(before_r, key), _practice_value(now_r, key), True))
    rows.append(("Кпр", prev.k_pr, cur.k_pr, True))
    rows.append(("Кэф", prev.k_ef, cur.k_ef, True))
    return rows


def _k(channel: ChannelScore | None) -> float | None:
    return channel.k_ud if channel is not None else None


def _practice_value(result: PracticeResult | None, key: str) -> float | None:
    return getattr(result, key) if result is not None and result.monitored else None


def dynamics_grid(data: ReportData) -> Grid:
    grid = Grid("dynamics", "Сравнение показателей с предыдущим периодом",
                f"{data.previous.label} — {data.period.label}",
                flat_heads(["Орган", "Показатель", f"{data.previous.label}, %", f"{data.period.label}, %",
                            "Изменение, п. п."]),
                [TEXT, TEXT, PCT, PCT, POINTS], [4.5, 5.5, 2.3, 2.3, 2.3], merge_first=True)
    for org in data.monitored:
        for name, before, now, compared in indicator_rows(org, data.min_n):
            if before is None and now is None:
                continue
            delta = None if before is None or now is None or not compared else now - before
            grid.rows.append([org.name, name, before, now, delta])
    return grid


def pains_grid(data: ReportData, orgs: Sequence[OrgReport] | None = None) -> Grid:
    """The pain map as a table: categories down, offices across, «доля % (количество)»."""
    chosen = [o for o in (orgs if orgs is not None else data.monitored) if o.pains is not None]
    grid = Grid("pains", "Карта болей: доля отзывов с жалобами по категориям, % от отзывов с текстом "
                "(в скобках — количество отзывов)", data.period.label,
                flat_heads(["Категория жалоб"] + [o.name for o in chosen]),
                [TEXT] + [TEXT] * len(chosen), [5.0] + [max(2.2, 12.0 / max(1, len(chosen)))] * len(chosen))
    for cat in CATEGORIES:
        cells: list[Cell] = [CATEGORY_NAMES[cat]]
        for o in chosen:
            assert o.pains is not None
            cell = o.pains.cells[cat]
            cells.append(f"{number(cell.share)} ({cell.count})" if cell.count else "—")
        grid.rows.append(cells)
    texts: list[Cell] = [str(o.pains.texts) for o in chosen if o.pains is not None]
    grid.totals.append(["Отзывов с текстом", *texts])
    return grid


STATUS_NAMES = {"monitored": "мониторинг проведен", "not_monitored": "мониторинг не проводится (п. 4.4)",
                "no_data": "нет данных о практике"}


def summary_grid(data: ReportData) -> Grid:
    """One row per office: the three coefficients now, before and the change (the XLSX's first sheet)."""
    prev, cur = data.previous.label, data.period.label
    grid = Grid("summary", "Показатели мониторинга качества предоставления муниципальных услуг",
                f"{data.region} — {cur}",
                flat_heads(["Орган", "Статус", f"Куд, % ({cur})", f"Кпр, % ({cur})", f"Кэф, % ({cur})",
                            f"Куд, % ({prev})", f"Кпр, % ({prev})", f"Кэф, % ({prev})",
                            "Изменение Куд, п. п.", "Изменение Кпр, п. п.", "Изменение Кэф, п. п.",
                            "Интерпретация Кэф"]),
                [TEXT, TEXT, PCT, PCT, PCT, PCT, PCT, PCT, POINTS, POINTS, POINTS, TEXT],
                [6.0, 3.5, 2.2, 2.2, 2.2, 2.2, 2.2, 2.2, 2.4, 2.4, 2.4, 6.0], landscape=True)
    for org in data.organisations:
        c, p, d = org.scores.current, org.scores.previous, org.scores.diff()
        grid.rows.append([org.name, STATUS_NAMES.get(org.status, org.status), c.k_ud, c.k_pr, c.k_ef,
                          p.k_ud, p.k_pr, p.k_ef, d["k_ud"], d["k_pr"], d["k_ef"], c.levels()["k_ef"]])
    return grid


PAIN_MATRICES = {
    "share": ("Доля отзывов с жалобами, % от отзывов органа с текстом", PCT),
    "count": ("Количество отзывов с жалобами", INT),
    "change": ("Изменение доли к предыдущему периоду, п. п.", POINTS),
}


def pain_matrix(data: ReportData, what: str) -> Grid:
    """The pain map as a number matrix (offices down, categories across) for the XLSX."""
    title, kind = PAIN_MATRICES[what]
    orgs = [o for o in data.monitored if o.pains is not None]
    grid = Grid(f"pains-{what}", f"Карта болей. {title}", data.period.label,
                flat_heads(["Орган", "Отзывов с текстом"] + [CATEGORY_NAMES[c] for c in CATEGORIES]),
                [TEXT, INT] + [kind] * len(CATEGORIES), [6.0, 2.2] + [2.2] * len(CATEGORIES), landscape=True)
    for org in orgs:
        assert org.pains is not None
        cells = org.pains.cells
        values: list[Cell] = [getattr(cells[c], what) for c in CATEGORIES]
        grid.rows.append([org.name, org.pains.texts, *values])
    return grid
