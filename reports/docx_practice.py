"""Section 3 of the report (the practice of providing services: Таблицы 3, 3.1, 4, 5, Кпр
and whether the real practice follows the administrative regulations) and the
«справочная информация» of offices that are not monitored (п. 4.4)."""

from __future__ import annotations

from collections.abc import Sequence

from models.queries import PracticeRows
from reports import charts
from reports.data import OrgReport, ReportData
from reports.docx_writer import DocWriter
from reports.tables import reference_grid, table3, table4, table5, table31
from reports.text import capital, count, inline, integer, join, number, percent, period_for, plural, quoted
from scoring.practice import LOW_DEMAND, PracticeResult

SERVICES = ("услуга", "услуги", "услуг")
SERVICES_GEN = ("услуге", "услугам", "услугам")  # «по 1 услуге», «по 3 услугам»
REQUESTS = ("заявление", "заявления", "заявлений")
REQUESTS_GEN = ("заявления", "заявлений", "заявлений")  # «рассмотрения 181 заявления»
COMPLAINTS = ("жалоба", "жалобы", "жалоб")
NAMED = 3  # services named in a finding before «и др.»


def _names(names: Sequence[str]) -> str:
    shown = [quoted(n) for n in names[:NAMED]]
    return ", ".join(shown) + (" и др." if len(names) > NAMED else "")


def practice_text(r: PracticeResult, year: int | None) -> list[str]:
    """The Кпр paragraph set: volume, channels, standards, regulations — each with its level."""
    ref = r.reference
    return [
        f"За {year} год поступило {count(ref.requests, REQUESTS)}, из них через Единый портал "
        f"государственных услуг — {integer(ref.via_epgu)} ({percent(r.d_el)}), через МФЦ — "
        f"{integer(ref.via_mfc)} ({percent(r.d_mfc)}).",
        f"Доля услуг, переведенных в электронный вид и (или) переданных в МФЦ, составила {percent(r.d_u)}, "
        f"доля заявлений, поступивших в электронном виде и через МФЦ, — {percent(r.d_z)}. Уровень "
        f"доступности получения услуг по различным каналам (Кмнк) — {percent(r.k_mnk)}: "
        f"{inline(r.levels['k_mnk'])}.",
        f"В установленный срок рассмотрено {percent(r.d_mu)} заявлений, доля жалоб — {percent(r.d_zh)}, "
        + (f"доля услуг с возможностью предварительной записи — {percent(r.d_pz)}. " if r.d_pz is not None
           else "предварительная запись не оценивалась (все услуги в электронном виде или с числом "
                f"заявлений менее {LOW_DEMAND}). ")
        + f"Уровень соблюдения стандартов (Уs) — {percent(r.u_s)}: {inline(r.levels['u_s'])}.",
        f"Доля услуг, порядки предоставления которых утверждены административными регламентами, — "
        f"{percent(r.d_ar)}, коэффициент качества работы с регламентами — {percent(r.k_kach)}. Уровень "
        f"работы с административными регламентами (Уар) — {percent(r.u_ar)}: {inline(r.levels['u_ar'])}.",
    ]


def deviations(rows: PracticeRows, approved: int | None) -> list[str]:
    """Where the real practice departs from the regulations, service by service."""
    services = rows.services
    out = []
    late = sorted((s for s in services if s.late > 0), key=lambda s: -s.late)
    if late:
        out.append(f"нарушены сроки рассмотрения {count(sum(s.late for s in late), REQUESTS_GEN)} по "
                   f"{count(len(late), SERVICES_GEN)}: {_names([s.service for s in late])}")
    complained = sorted((s for s in services if s.complaints > 0), key=lambda s: -s.complaints)
    if complained:
        total = sum(s.complaints for s in complained)
        verb = "поступила" if plural(total, COMPLAINTS) == COMPLAINTS[0] else "поступило"
        out.append(f"{verb} {count(total, COMPLAINTS)} на предоставление услуг: "
                   f"{_names([s.service for s in complained])}")
    no_booking = [s.service for s in services
                  if not s.electronic and s.requests >= LOW_DEMAND and not s.prebooking]
    if no_booking:
        out.append(f"по {count(len(no_booking), SERVICES_GEN)} с числом заявлений от {LOW_DEMAND} и более "
                   f"отсутствует возможность предварительной записи: {_names(no_booking)}")
    offline = [s.service for s in services if not s.electronic and not s.mfc]
    if offline:
        one = len(offline) == 1
        out.append(f"{count(len(offline), SERVICES)} не {'переведена' if one else 'переведены'} "
                   f"в электронный вид и не {'передана' if one else 'переданы'} в МФЦ: "
                   f"{_names(offline)}")
    unlawful = [r.service for r in rows.regulations if not (r.law_210 and r.law_other)]
    if unlawful:
        out.append(f"административные регламенты по {count(len(unlawful), SERVICES_GEN)} не соответствуют "
                   f"требованиям законодательства: {_names(unlawful)}")
    late_changes = [r.service for r in rows.regulations if r.timeliness < 1]
    if late_changes:
        out.append(f"изменения в административные регламенты по {count(len(late_changes), SERVICES_GEN)} "
                   f"внесены несвоевременно: {_names(late_changes)}")
    if approved is not None and approved < len(services):
        out.append(f"административные регламенты утверждены не по всем услугам "
                   f"({approved} из {len(services)})")
    return out


def _org_practice(w: DocWriter, data: ReportData, org: OrgReport, number_: int) -> None:
    outcome = org.scores.current.practice
    computed = org.practice_computed and org.practice is not None and org.result is not None
    if computed:
        w.orientation(True)  # the heading goes on the landscape page of the wide Таблица 3
    w.heading(f"3.{number_}. {org.name}", 2)
    if not computed or org.practice is None or org.result is None:
        w.para(capital(f"{outcome.note or 'нет данных о практике'}."))
        return
    label = f"{outcome.year} год"
    r = org.result
    w.grid(table3(org, org.practice, label))
    w.grid(table31(org, org.practice, outcome.year, label))
    w.grid(table4(org, r, label))
    w.grid(table5(org, org.practice, label))
    boost = f" (с учетом повышающего коэффициента {number(r.boost)})" if r.boost and r.boost > 1 else ""
    w.para(f"Коэффициент практики предоставления муниципальных услуг (Кпр) составил {percent(r.k_pr)} — "
           f"{inline(r.levels['k_pr'])}{boost}.", bold="Кпр. ")
    for text in practice_text(r, outcome.year):
        w.para(text)
    if outcome.note:
        w.para(capital(outcome.note) + ".", italic=True)
    approved = org.practice.summary.regulations if org.practice.summary else None
    found = deviations(org.practice, approved)
    if found:
        w.para("Выявлены отступления реальной практики от требований административных регламентов:")
        for i, item in enumerate(found, start=1):
            w.bullet(item + (";" if i < len(found) else "."))
    else:
        w.para("Реальная практика работы соответствует требованиям административных регламентов: нарушений "
               "сроков, жалоб и несоответствий регламентов законодательству не выявлено.")


def practice_section(w: DocWriter, data: ReportData) -> None:
    w.heading("3. Анализ практики предоставления муниципальных услуг", 1)
    w.para("Анализ практики проведен по данным, представленным органами (таблицы 3, 3.1 и 5 приложения к "
           "Методике). По ним заполнена таблица 4 и рассчитан коэффициент практики предоставления "
           "муниципальных услуг: Кпр = (Кмнк + Уs + Уар) / 3 (п. 3.3 Методики).")
    for i, org in enumerate(data.monitored, start=1):
        _org_practice(w, data, org, i)
    computed = [o for o in data.monitored if o.practice_computed]
    if computed:
        png = charts.bars([o.name for o in computed], [o.scores.current.k_pr for o in computed])
        w.figure(png, "Значение коэффициента практики предоставления муниципальных услуг (Кпр) "
                      f"{period_for(data.period)}")
        timeliness_part(w, data, computed)
    if data.not_monitored:
        w.para(f"Мониторинг не проводился в отношении: {join([o.name for o in data.not_monitored])} "
               "(менее 50 заявлений за отчетный период, п. 4.4 Методики); сведения о работе приведены "
               "в разделе «Справочная информация».")


def timeliness_part(w: DocWriter, data: ReportData, orgs: list[OrgReport]) -> None:
    """When applicants got their result — in time, late, or a refusal — by office (Таблица 3),
    the diagram the Kaluga report draws from its survey."""
    counted: list[tuple[OrgReport, int, int, int]] = [
        (o, sum(r.on_time for r in o.practice.services), sum(r.late for r in o.practice.services),
         sum(r.refusals for r in o.practice.services)) for o in orgs if o.practice is not None]
    counted = [c for c in counted if c[1] + c[2] + c[3]]
    if not counted:
        return
    on_time, late, refused = (sum(c[1] for c in counted), sum(c[2] for c in counted),
                              sum(c[3] for c in counted))
    total = on_time + late + refused
    w.para(f"Результат услуги в установленный срок получен по {percent(100 * on_time / total)} заявлений, "
           f"с нарушением срока — по {percent(100 * late / total)}, отказано — по "
           f"{percent(100 * refused / total)} (по данным органов, таблица 3 Методики).")
    png = charts.shares([o.name for o, *_ in counted],
                        {"в установленный срок": [c[1] for c in counted],
                         "с нарушением срока": [c[2] for c in counted],
                         "отказ": [c[3] for c in counted]}, [charts.BLUE, charts.RED, charts.GREY])
    w.figure(png, f"Сроки получения результата услуги {period_for(data.period)}")


REFERENCE_HEADING = ("Справочная информация о работе органов, в отношении которых мониторинг не проводился "
                     "(п. 4.4 Методики)")


def not_monitored_reason(org: OrgReport) -> str:
    """«за 2025 год поступило 38 заявлений (менее 50, п. 4.4 Методики)»."""
    outcome = org.scores.current.practice
    requests = org.result.k_z if org.result is not None else 0
    return f"за {outcome.year} год поступило {count(requests, REQUESTS)} (менее 50, п. 4.4 Методики)"


def reference_section(w: DocWriter, data: ReportData) -> None:
    if not data.not_monitored:
        return
    w.heading(REFERENCE_HEADING, 1)
    for org in data.not_monitored:
        outcome = org.scores.current.practice
        w.para(f"Мониторинг не проводился: {not_monitored_reason(org)}. По результатам работы органа "
               "составлена справочная информация.", bold=f"{org.name}. ")
        grid = reference_grid(org, f"{outcome.year} год" if outcome.year else data.period.label)
        if grid is not None:
            w.grid(grid)
