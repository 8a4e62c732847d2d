"""The monitoring report (п. 5.2 of the Методика) as a DOCX document: six sections —
Введение, Анализ обратной связи, Анализ практики, Эффективность, Сравнение с предыдущим
периодом, Рекомендации — plus «Справочная информация» for offices not monitored (п. 4.4),
in the tone of the 2022 Kaluga report (seeds/000)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from reports import charts
from reports.data import OrgReport, ReportData
from reports.docx_feedback import feedback_section
from reports.docx_practice import REFERENCE_HEADING, not_monitored_reason, practice_section, reference_section
from reports.docx_writer import DocWriter
from reports.recommendations import Recommendation
from reports.tables import dynamics_grid, efficiency_grid
from reports.text import (
    capital,
    change,
    compared_with,
    count,
    inline,
    join,
    percent,
    period_for,
    period_in,
    points,
    quoted,
)
from service.scores import comparable
from vocabulary.categories import CATEGORY_NAMES
from vocabulary.channels import CHANNEL_NAMES

SECTIONS = (
    "1. Введение",
    "2. Анализ обратной связи клиентов о качестве предоставления муниципальных услуг",
    "3. Анализ практики предоставления муниципальных услуг",
    "4. Анализ эффективности предоставления муниципальных услуг",
    "5. Сравнение с результатами предыдущего периода",
    "6. Рекомендации по оптимизации условий и повышению эффективности предоставления муниципальных услуг",
)
AIM = ("Основной целью мониторинга является анализ и оценка фактических значений параметров, "
       "характеризующих качество и доступность предоставления муниципальных услуг, а также выявление "
       "проблем и разработка мер по их устранению, направленных на повышение удовлетворенности клиентов "
       "при предоставлении муниципальных услуг.")
TASKS = (
    "определение уровня общей удовлетворенности клиентов качеством предоставления муниципальных услуг",
    "определение уровня доступности муниципальных услуг",
    "определение уровня технологичности процедур предоставления муниципальных услуг",
    "установление фактов поступления от клиентов обоснованных жалоб на решения и действия (бездействие) "
    "органов при предоставлении муниципальных услуг либо их отсутствия",
    "выявление проблем, возникающих у клиентов при получении муниципальных услуг, и ожиданий, касающихся "
    "качества их предоставления («карта болей»)",
    "разработка рекомендаций по оптимизации процесса предоставления муниципальных услуг, повышению качества "
    "их предоставления",
)
SERVICES = ("муниципальная услуга", "муниципальные услуги", "муниципальных услуг")
PAIN_SHIFT = 2.0  # п. п.: a change of a pain's share worth naming among the causes of a change
Step = Callable[[str], None]


def title_page(w: DocWriter, data: ReportData) -> None:
    w.title(["ОТЧЕТ О РЕЗУЛЬТАТАХ ПРОВЕДЕНИЯ МОНИТОРИНГА КАЧЕСТВА ПРЕДОСТАВЛЕНИЯ МУНИЦИПАЛЬНЫХ УСЛУГ",
             data.region, period_for(data.period)])
    w.para(f"Отчет сформирован {data.created:%d.%m.%Y} в соответствии с п. 5.2 Методики проведения "
           "мониторинга качества предоставления муниципальных услуг (далее – Методика).", indent=False,
           align="center", italic=True)


def introduction(w: DocWriter, data: ReportData) -> None:
    w.heading(SECTIONS[0], 1)
    w.para(f"{capital(period_in(data.period))} в органах, предоставляющих муниципальные услуги "
           f"({data.region}), проведен мониторинг качества предоставления муниципальных услуг в соответствии "
           "с Методикой.")
    w.para(AIM)
    w.para("Задачами мониторинга являются:")
    for i, task in enumerate(TASKS, start=1):
        w.bullet(task + (";" if i < len(TASKS) else "."))
    monitored = [o for o in data.monitored if o.has_data]
    if data.monitored and not monitored:
        w.para("За период ни по одному органу не поступило ни оценок граждан, ни данных о практике "
               "предоставления услуг: показатели мониторинга не рассчитывались.")
    if monitored:
        total = sum(len(o.services) for o in monitored)
        shares = join([f"{len(o.services)} — {o.name}" for o in monitored])
        w.para(f"Мониторинг проведен в отношении {count(len(monitored), ('органа', 'органов', 'органов'))}, "
               f"которыми оказывается {count(total, SERVICES)}. Из них {shares}.")
        w.para("Наименования муниципальных услуг, предоставление которых исследовалось в ходе мониторинга:")
        for org in monitored:
            w.para("", bold=f"{org.name}:", indent=False)
            for i, service in enumerate(org.services, start=1):
                w.bullet(service + (";" if i < len(org.services) else "."))
    channels = data.channels()
    if channels:
        names = join([quoted(CHANNEL_NAMES[k]) for k in channels])
        w.para(f"Обратная связь клиентов собрана по каналам: {names}. Данные о практике предоставления "
               "услуг представлены органами по формам таблиц 3, 3.1 и 5 приложения к Методике.")
    for org in data.not_monitored:
        w.para(f"В отношении органа «{org.name}» мониторинг не проводился: {not_monitored_reason(org)}. "
               f"Сведения о его работе приведены в разделе {quoted(REFERENCE_HEADING)}.")


def efficiency_section(w: DocWriter, data: ReportData) -> None:
    w.heading(SECTIONS[3], 1)
    w.para("Коэффициент эффективности предоставления муниципальных услуг рассчитан по формуле "
           "Кэф = (Куд + Кпр) / 2 (п. 4.1 Методики) и интерпретирован по таблице 1.6 Методики.")
    if not data.monitored:
        return
    w.grid(efficiency_grid(data))
    rated = [o for o in data.monitored if o.scores.current.k_ef is not None]
    for org in data.monitored:
        cur = org.scores.current
        if cur.k_ef is not None:
            w.para(f"Кэф = {percent(cur.k_ef)} — {inline(cur.levels()['k_ef'])}.", bold=f"{org.name}. ")
        else:
            w.para(f"Кэф не рассчитан: {cur.levels()['k_ef']}.", bold=f"{org.name}. ")
    if len(rated) > 1:
        best = max(rated, key=lambda o: o.scores.current.k_ef or 0)
        worst = min(rated, key=lambda o: o.scores.current.k_ef or 0)
        w.para(f"Наиболее эффективно муниципальные услуги предоставляются органом «{best.name}» "
               f"({percent(best.scores.current.k_ef)}), наименее эффективно — органом «{worst.name}» "
               f"({percent(worst.scores.current.k_ef)}).")
    if rated:
        png = charts.bars([o.name for o in rated], [o.scores.current.k_ef for o in rated])
        w.figure(png, "Значение коэффициента эффективности предоставления муниципальных услуг (Кэф) "
                      f"{period_for(data.period)}")


def _moved(name: str, before: float | None, now: float | None, gender: str = "m") -> str:
    """«Куд увеличился на 3,15 п. п. (с 76,61% до 79,76%)», «… не изменилась (93,33%)»; "" without data."""
    if before is None or now is None:
        return ""
    moved = change(now - before, gender)
    if moved.startswith("не "):
        return f"{name} {moved} ({percent(now)})"
    return f"{name} {moved} (с {percent(before)} до {percent(now)})"


def _indicator_changes(org: OrgReport, min_n: int) -> tuple[list[str], list[str]]:
    """(Куд/Кпр/Кэф, the channels) as phrases of the comparison."""
    cur, prev = org.scores.current, org.scores.previous
    main = [_moved(name, before, now) for name, before, now in
            (("Куд", prev.k_ud, cur.k_ud), ("Кпр", prev.k_pr, cur.k_pr), ("Кэф", prev.k_ef, cur.k_ef))]
    channels = []
    for c in cur.channels:
        before = org.previous_channel(c.channel)
        if not comparable(c, before, min_n):  # too few ratings on one side: no verdict on the change
            continue
        channels.append(_moved(f"оценка по каналу {quoted(CHANNEL_NAMES[c.channel])}",
                               before.k_ud if before else None, c.k_ud, "f"))
    return [m for m in main if m], [c for c in channels if c]


def _pain_shifts(org: OrgReport) -> list[tuple[str, float]]:
    """Pains whose share moved by at least PAIN_SHIFT points (and that are more than a single text)."""
    if org.pains is None:
        return []
    shifts = [(cat, cell.change) for cat, cell in org.pains.cells.items()
              if cell.change is not None and abs(cell.change) >= PAIN_SHIFT
              and max(cell.count, cell.previous_count or 0) >= 2]
    return sorted(((cat, d) for cat, d in shifts if d is not None), key=lambda item: -abs(item[1]))


def _causes_of_change(org: OrgReport) -> str:
    """Likely causes: a fall of Куд with rising pains, a rise with falling ones; other moves of
    the pain map are stated without a causal claim."""
    shifts = _pain_shifts(org)
    rising = [f"{quoted(CATEGORY_NAMES[c])} (+{points(d)})" for c, d in shifts if d > 0]
    falling = [f"{quoted(CATEGORY_NAMES[c])} (−{points(d)})" for c, d in shifts if d < 0]
    delta = org.scores.diff()["k_ud"]
    out = []
    if delta is not None and delta < 0 and rising:
        out.append(f"Снижение удовлетворенности предположительно связано с ростом доли жалоб категорий "
                   f"{join(rising)}.")
        rising = []
    if delta is not None and delta > 0 and falling:
        out.append(f"Рост удовлетворенности предположительно связан со снижением доли жалоб категорий "
                   f"{join(falling)}.")
        falling = []
    if rising:
        out.append(f"Выросла доля жалоб категорий {join(rising)}.")
    if falling:
        out.append(f"Снизилась доля жалоб категорий {join(falling)}.")
    return " ".join(out)


def dynamics_section(w: DocWriter, data: ReportData) -> None:
    w.heading(SECTIONS[4], 1)
    orgs = data.monitored
    has_previous = any(o.scores.previous.k_ud is not None or o.scores.previous.k_pr is not None for o in orgs)
    if not has_previous:
        w.para(f"Данные мониторинга {period_for(data.previous)} отсутствуют — сравнение с предыдущим "
               "периодом не проводится.")
        return
    w.para(f"Результаты мониторинга {period_for(data.period)} сопоставлены с результатами "
           f"{period_for(data.previous)} по основным показателям качества и доступности предоставления "
           "муниципальных услуг. Изменения указаны в процентных пунктах (п. п.).")
    w.grid(dynamics_grid(data))
    for org in orgs:
        main, channels = _indicator_changes(org, data.min_n)
        if not main and not channels:
            w.para(f"Данных {period_for(data.previous)} для сравнения нет.", bold=f"{org.name}. ")
            continue
        sentences = [f"{capital(compared_with(data.previous))} {join(main)}." if main else "",
                     f"По каналам обратной связи: {join(channels)}." if channels else "",
                     _causes_of_change(org)]
        w.para(" ".join(s for s in sentences if s), bold=f"{org.name}. ")
    for key, name in (("k_ud", "коэффициента удовлетворенности клиентов (Куд)"),
                      ("k_pr", "коэффициента практики (Кпр)"), ("k_ef", "коэффициента эффективности (Кэф)")):
        shown = [o for o in orgs if getattr(o.scores.current, key) is not None
                 or getattr(o.scores.previous, key) is not None]
        if not any(getattr(o.scores.previous, key) is not None for o in shown):
            continue
        png = charts.bars([o.name for o in shown], [getattr(o.scores.current, key) for o in shown],
                          previous=[getattr(o.scores.previous, key) for o in shown],
                          current_label=data.period.label, previous_label=data.previous.label)
        w.figure(png, f"Динамика {name}: {data.previous.label} и {data.period.label}")


def recommendations_section(w: DocWriter, data: ReportData, recs: list[Recommendation]) -> None:
    w.heading(SECTIONS[5], 1)
    if not recs:
        w.para("Мониторинг за период не проводился — рекомендации не формируются." if not data.monitored else
               "Данных за период недостаточно для выводов — рекомендации не формируются.")
        return
    when = f"в {data.period.start.year + 1} году " if data.period.kind == "year" else ""
    w.para(f"Учитывая полученные результаты, необходимо {when}провести работу по повышению качества "
           "предоставления муниципальных услуг. Органам, предоставляющим муниципальные услуги, требуется:")
    for i, rec in enumerate(recs, start=1):
        w.para(rec.text, bold=f"{i}. ")
        if rec.findings:
            reasons = "; ".join(f"{f.org}: {f.reason}" for f in rec.findings)
            w.para(f"Основание: {reasons}.", italic=True, size=11)


def write_docx(data: ReportData, recs: list[Recommendation], path: Path, step: Step | None = None) -> int:
    """Write the report; `step(name)` is called after each section (progress on stderr).
    Returns the number of diagrams."""
    w = DocWriter()
    parts: list[tuple[str, Callable[[DocWriter, ReportData], None]]] = [
        ("Титульный лист", title_page),
        ("Введение", introduction),
        ("Анализ обратной связи", feedback_section),
        ("Анализ практики", practice_section),
        ("Эффективность", efficiency_section),
        ("Сравнение с предыдущим периодом", dynamics_section),
        ("Рекомендации", lambda writer, d: recommendations_section(writer, d, recs)),
        ("Справочная информация", reference_section),
    ]
    for name, build in parts:
        build(w, data)
        if step:
            step(name)
    props = w.doc.core_properties
    props.title = f"Отчет о результатах мониторинга качества муниципальных услуг {period_for(data.period)}"
    props.author = props.last_modified_by = "painmap"
    props.subject = data.region
    path.parent.mkdir(parents=True, exist_ok=True)
    w.save(path)
    return w.figures
