"""Section 2 of the report: the analysis of citizens' feedback (п. 5.2, раздел 2) — each
channel's Куд with its interpretation and diagram, the survey's Таблица 1 and the
Госуслуги Таблица 2, the organisation's Куд, the «карта болей» as a table and a heatmap,
and the likely causes of dissatisfaction with masked quotes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reports import charts
from reports.data import OrgReport, ReportData
from reports.docx_writer import DocWriter
from reports.quotes import Quote
from reports.recommendations import causes
from reports.tables import channels_grid, pains_grid, table1, table2, yandex_grid
from reports.text import (
    capital,
    count,
    inline,
    integer,
    join,
    number,
    percent,
    period_for,
    period_in,
    points_score,
    quoted,
)
from scoring import levels
from scoring.satisfaction import SURVEY_CRITERIA, ChannelScore, k_ud
from service.ratings import RatingPoint
from service.replies import ReplyStats
from service.scores import kud_level, kud_small, small_sample
from vocabulary.categories import CATEGORIES, CATEGORY_NAMES
from vocabulary.channels import CHANNEL_NAMES

SCORES = ("оценка", "оценки", "оценок")
RESPONDENTS = ("респондент", "респондента", "респондентов")
LOW_CHANNEL = 60.0  # below «Средний уровень» (таблица 1.1): worth naming among the causes
CRITERIA_PHRASES = {
    "quality": "качеством работы органов и их сотрудников",
    "time": "временными характеристиками предоставления услуг (сроки, ожидание в очереди)",
    "information": "качеством информации о порядке предоставления услуг",
}
VASHKONTROL_PHRASES = {
    "service_time": "время предоставления услуги",
    "queue_time": "время ожидания в очереди",
    "politeness": "вежливость и компетентность сотрудников",
    "comfort": "комфортность условий в помещении",
    "information": "доступность информации о порядке предоставления услуги",
}


def _channel_sentence(org: OrgReport, c: ChannelScore, min_n: int) -> str:
    if not c.has_data:
        return f"{org.name}: оценок за период нет."
    if small_sample(c.n, min_n):  # a figure is given, never a verdict
        return (f"{org.name}: {count(c.n, SCORES)}, средняя {points_score(c.csi)} ({percent(c.k_ud)}) — "
                f"мало данных для выводов (менее {min_n} оценок), уровень не определяется.")
    level = inline(c.level)
    if c.channel == "survey":
        return (f"{org.name}: по результатам опроса ({count(c.n, RESPONDENTS)}) удовлетворенность "
                f"составила {percent(c.k_ud)} — {level}.")
    if c.channel == "gosuslugi":
        return (f"{org.name}: средневзвешенный индекс CSI – {number(c.csi)} ({percent(c.k_ud)}), "
                f"{count(c.n, SCORES)} — {level}.")
    sentence = (f"{org.name}: средняя оценка – {points_score(c.csi)} ({percent(c.k_ud)}), "
                f"{count(c.n, SCORES)} — {level}.")
    if c.channel == "vashkontrol" and c.criteria:
        lowest = min(c.criteria, key=lambda key: c.criteria[key])
        sentence += (f" Наиболее низко оценено {VASHKONTROL_PHRASES.get(lowest, lowest)} — "
                     f"{points_score(c.criteria[lowest])}.")
    return sentence


def _public_rating(org: OrgReport, point: RatingPoint, tz: str) -> str:
    """«Рейтинг в Яндекс Картах на 01.12.2025: 4,1 (оценок — 163, отзывов — 117; собрано
    отзывов — 75,00%)» — the rating the public sees, as the last crawl of the period read it."""
    day = point.taken_at.astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y")
    parts = [f"оценок — {integer(point.rating_count)}" if point.rating_count is not None else "",
             f"отзывов — {integer(point.review_count)}" if point.review_count is not None else ""]
    details = ", ".join(p for p in parts if p)
    if point.coverage is not None:
        details += f"; собрано отзывов — {percent(100 * point.coverage)}"
    value = number(point.rating_value, 1) if point.rating_value is not None else "нет оценки"
    return f"{org.name}: рейтинг в Яндекс Картах на {day} — {value}" + (f" ({details})." if details else ".")


def _replies(org: OrgReport, stats: ReplyStats) -> str:
    """«ответы на отзывы — 75,00% (9 из 12), медиана времени до ответа — 1,5 дня; без ответа
    остаются 3 негативных отзыва (1–3 звезды), самому давнему 40 дн.»"""
    sentence = (f"{org.name}: ответы на отзывы в Яндекс Картах — {percent(stats.reply_rate)} "
                f"({stats.replied} из {stats.reviews})")
    if stats.median_hours is not None:
        hours = stats.median_hours
        wait = f"{number(hours / 24, 1)} дн." if hours >= 48 else f"{number(hours, 1)} ч"
        sentence += f", медиана времени до ответа — {wait}"
    if stats.unanswered:
        oldest = max(u.age_days for u in stats.unanswered)
        sentence += (f"; без ответа негативных отзывов (1–3 звезды) — {len(stats.unanswered)}, "
                     f"самому давнему {oldest} дн.")
    return sentence + "."


def _channel_part(w: DocWriter, data: ReportData, kind: str) -> None:
    name = CHANNEL_NAMES[kind]
    w.para("", bold=f"{name}.")
    orgs = [o for o in data.monitored if o.channel(kind) is not None]
    for org in orgs:
        channel = org.channel(kind)
        assert channel is not None
        w.bullet(_channel_sentence(org, channel, data.min_n))
    if kind == "yandex":
        table = yandex_grid(data)
        if table is not None:
            w.grid(table)
        for org in data.monitored:
            if org.yandex_rating is not None:
                w.bullet(_public_rating(org, org.yandex_rating, data.tz))
            if org.replies is not None and org.replies.reviews:
                w.bullet(_replies(org, org.replies))
    if kind == "survey":
        _survey_part(w, data, orgs)
    if kind == "gosuslugi":
        for org in orgs:
            grid = table2(org, data.period.label)
            if grid is not None:
                w.grid(grid)
    values = [c.k_ud if (c := o.channel(kind)) else None for o in orgs]
    png = charts.bars([o.name for o in orgs], values)
    w.figure(png, f"Значение удовлетворенности граждан по каналу {quoted(name)} {period_for(data.period)}")


def _survey_part(w: DocWriter, data: ReportData, orgs: list[OrgReport]) -> None:
    """Таблица 1 of each office, then the criteria across offices, as the 2022 report does."""
    for org in orgs:
        grid = table1(org, data.period.label)
        if grid is not None:
            w.grid(grid)
    means: dict[str, float] = {}
    for key in SURVEY_CRITERIA:
        values = [k_ud(c.criteria[key]) for o in orgs if (c := o.channel("survey")) and key in c.criteria]
        known = [v for v in values if v is not None]
        if known:
            means[key] = sum(known) / len(known)
    if len(means) > 1:
        best = max(means, key=lambda k: means[k])
        worst = min(means, key=lambda k: means[k])
        w.para(f"Среди критериев удовлетворенности наиболее высоко граждане оценили удовлетворенность "
               f"{CRITERIA_PHRASES[best]} – в среднем {percent(means[best])}, наиболее низко – "
               f"удовлетворенность {CRITERIA_PHRASES[worst]} ({percent(means[worst])}).")
    for key in means:
        values = [k_ud(c.criteria.get(key)) if (c := o.channel("survey")) else None for o in orgs]
        png = charts.bars([o.name for o in orgs], values)
        w.figure(png, f"Значение удовлетворенности граждан {CRITERIA_PHRASES[key]} по результатам опроса "
                      f"{period_for(data.period)}")


def results_part(w: DocWriter, data: ReportData) -> None:
    w.heading("2.1. Результаты обратной связи", 2)
    channels = data.channels()
    total = sum(c.n for o in data.monitored for c in o.scores.current.channels)
    if not channels:
        w.para(f"{capital(period_in(data.period))} оценок граждан по каналам обратной связи не получено — "
               "коэффициент удовлетворенности не рассчитывается.")
        return
    w.para(f"{capital(period_in(data.period))} обратная связь граждан о качестве предоставления "
           f"муниципальных услуг получена по {count(len(channels), ('каналу', 'каналам', 'каналам'))}: "
           f"{join([quoted(CHANNEL_NAMES[k]) for k in channels])}. Всего учтено {count(total, SCORES)}. "
           "По каждому каналу рассчитан коэффициент удовлетворенности клиентов (Куд = CSI / 5 × 100%, "
           "п. 3.2 Методики), Куд органа — среднее значение по каналам.")
    mean = data.mean_k_ud()
    w.para(f"Общая удовлетворенность граждан качеством предоставления муниципальных услуг (среднее значение "
           f"Куд по органам) составила {percent(mean)} — {inline(levels.K_UD.level(mean))}.")
    w.grid(channels_grid(data))
    for kind in channels:
        _channel_part(w, data, kind)
    for org in data.monitored:
        missing = [CHANNEL_NAMES[c.channel] for c in org.scores.current.channels if not c.has_data]
        if missing:
            w.para(f"{org.name}: нет данных за период по {'каналам' if len(missing) > 1 else 'каналу'} "
                   f"{join([quoted(m) for m in missing])}.", italic=True)


def k_ud_part(w: DocWriter, data: ReportData) -> None:
    w.heading("2.2. Коэффициент удовлетворенности клиентов и его интерпретация", 2)
    rated = [o for o in data.monitored if o.scores.current.k_ud is not None
             and not kud_small(o.scores.current, data.min_n)]
    few = [o for o in data.monitored if kud_small(o.scores.current, data.min_n)]
    if few:
        w.para(f"Мало данных для выводов (по каждому каналу менее {data.min_n} оценок), уровень не "
               f"определяется: {join([f'{o.name} ({percent(o.scores.current.k_ud)})' for o in few])}.")
    for band in levels.K_UD.bands:
        group = [o for o in rated if levels.K_UD.level(o.scores.current.k_ud) == band.text]
        if group:
            where = join([f"{o.name} ({percent(o.scores.current.k_ud)})" for o in group])
            w.para(f"{band.text} определен: {where}.")
    for o in data.monitored:
        if o.scores.current.k_ud is None:
            w.para(f"{o.name}: оценок граждан за период нет, Куд не рассчитан.")
    if rated:
        png = charts.bars([o.name for o in rated], [o.scores.current.k_ud for o in rated])
        w.figure(png, f"Значение коэффициента удовлетворенности клиентов (Куд) по органам "
                      f"{period_for(data.period)}")


def pain_map_part(w: DocWriter, data: ReportData) -> None:
    w.heading("2.3. Карта болей", 2)
    orgs = [o for o in data.monitored if o.pains is not None and o.pains.texts]
    if not orgs:
        w.para("Отзывов граждан с текстом за период нет — карта болей не составлялась.")
        return
    texts = sum(o.pains.texts for o in orgs if o.pains)
    w.para(f"Тексты отзывов и обращений граждан ({count(texts, ('текст', 'текста', 'текстов'))}) "
           f"разобраны по {len(CATEGORIES)} категориям жалоб. Один отзыв может относиться к нескольким "
           "категориям; доля считается от числа отзывов органа с текстом, с учётом исправлений, внесённых "
           "аналитиками.")
    w.grid(pains_grid(data, orgs))
    values = [[o.pains.cells[c].share if o.pains else 0.0 for c in CATEGORIES] for o in orgs]
    png = charts.heatmap([o.name for o in orgs], [CATEGORY_NAMES[c] for c in CATEGORIES], values)
    w.figure(png, f"Карта болей: доля отзывов с жалобами по категориям, % {period_for(data.period)}",
             width_cm=17.0)


def _quote_source(quote: Quote, tz: str) -> str:
    when = quote.published_at
    if when is not None:
        when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(ZoneInfo(tz))
    channel = CHANNEL_NAMES.get(quote.channel, quote.channel)
    return f"{channel}, {when:%d.%m.%Y}" if isinstance(when, datetime) else channel


def staff_part(w: DocWriter, data: ReportData) -> None:
    """What citizens say about the staff: rude, incompetent, or thanked — the Kaluga report's
    «Мнения заявителей о сотрудниках», here from the texts. Names only in the admin edition."""
    orgs = [o for o in data.monitored if o.pains is not None and o.pains.texts]
    counted = [(o, o.pains.cells["rudeness"].count, o.pains.cells["competence"].count,
                sum(n for _, n in o.thanks)) for o in orgs if o.pains is not None]
    counted = [c for c in counted if c[1] + c[2] + c[3]]
    if not counted:
        return
    w.para("Мнения заявителей о сотрудниках (по текстам отзывов): жалобы на грубость и на "
           "некомпетентность, благодарности сотрудникам.", bold="Сотрудники. ")
    png = charts.shares([o.name for o, *_ in counted],
                        {"благодарности": [c[3] for c in counted],
                         "некомпетентность": [c[2] for c in counted],
                         "грубость": [c[1] for c in counted]}, [charts.BLUE, charts.GREY, charts.RED])
    w.figure(png, f"Мнения заявителей о сотрудниках {period_for(data.period)}")
    for org, *_ in counted:
        if not org.thanks:
            continue
        if data.named:
            names = join([f"{name} ({n})" for name, n in org.thanks[:10]])
            w.bullet(f"{org.name}: граждане благодарят сотрудников — {names}.")
        else:
            people = count(len(org.thanks), ("сотрудника", "сотрудников", "сотрудников"))
            w.bullet(f"{org.name}: граждане благодарят по имени {people} (имена — в издании отчета "
                     "для администратора).")


def causes_part(w: DocWriter, data: ReportData) -> None:
    w.heading("2.4. Выводы о качестве услуг и предположительные причины неудовлетворенности", 2)
    phrases = causes()
    for org in data.monitored:
        cur = org.scores.current
        level = inline(kud_level(cur, data.min_n))
        parts = [] if cur.k_ud is None else [f"Куд = {percent(cur.k_ud)} — {level}."]
        top = org.top_pains()
        if top:
            named = [f"{phrases[cat]} ({percent(cell.share)} отзывов)" for cat, cell in top]
            parts.append(f"Граждане выражают недовольство {join(named)}.")
        elif org.pains is not None and org.pains.texts:
            parts.append(f"Жалоб в отзывах с текстом ({org.pains.texts}) не выявлено.")
        else:
            parts.append("Отзывов с текстом за период нет.")
        low = [c for c in cur.channels if c.k_ud is not None and c.k_ud < LOW_CHANNEL]
        if low:
            parts.append("Низкие оценки получены по " + join([f"каналу {quoted(CHANNEL_NAMES[c.channel])} "
                                                              f"({percent(c.k_ud)})" for c in low]) + ".")
        w.para(" ".join(parts), bold=f"{org.name}. ")
        quoted_any = [(cat, q) for cat, _ in top for q in org.quotes.get(cat, [])]
        if quoted_any:
            w.para("Характерные отзывы граждан (персональные данные скрыты):", indent=True)
            for cat, q in quoted_any:
                w.quote(q.text, f"{CATEGORY_NAMES[cat]}; {_quote_source(q, data.tz)}")


def feedback_section(w: DocWriter, data: ReportData) -> None:
    w.heading("2. Анализ обратной связи клиентов о качестве предоставления муниципальных услуг", 1)
    if not data.monitored:
        w.para("Мониторинг за период не проводился ни в одном органе (п. 4.4 Методики).")
        return
    results_part(w, data)
    k_ud_part(w, data)
    pain_map_part(w, data)
    staff_part(w, data)
    causes_part(w, data)
