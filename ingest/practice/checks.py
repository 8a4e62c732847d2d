"""Cross-checks between the tables of one workbook. They warn rather than fail: the
scoring uses Таблица 3 row by row, and a summary that does not add up is something the
monitoring office must see and ask about, not a reason to refuse the data."""

from __future__ import annotations

from ingest.practice.cells import normalise
from ingest.practice.records import RegulationRecord, ServiceRecord, SummaryRecord
from ingest.practice.tables import SUMMARY_LABELS, TABLE3, Totals
from scoring.practice import regulation_coefficient

TOLERANCE = 0.01


def derived_summary(services: list[ServiceRecord]) -> dict[str, int | None]:
    """What Таблица 3.1 should say, computed from the rows of Таблица 3."""
    staff = [s.staff for s in services if s.staff is not None]
    return {
        "services": len(services),
        "electronic_services": sum(s.electronic for s in services),
        "mfc_services": sum(s.mfc for s in services),
        "prebooking_services": sum(s.prebooking for s in services),
        "staff": sum(staff) if staff else None,
        "requests": sum(s.requests for s in services),
        "via_epgu": sum(s.via_epgu for s in services),
        "via_mfc": sum(s.via_mfc for s in services),
        "on_time": sum(s.on_time for s in services),
        "complaints": sum(s.complaints for s in services),
    }


def check_summary(summary: SummaryRecord, services: list[ServiceRecord]) -> list[str]:
    """Таблица 3.1 against the sums of Таблица 3."""
    warnings = []
    reported = summary.values()
    for key, expected in derived_summary(services).items():
        value = reported.get(key)
        if value is None or expected is None or value == expected:
            continue
        warnings.append(f"Таблица 3.1: «{SUMMARY_LABELS[key]}» = {value}, а по строкам Таблицы 3 "
                        f"получается {expected}. Расчёт ведётся по Таблице 3.")
    return warnings


def check_totals(totals: Totals | None, services: list[ServiceRecord], where: str) -> list[str]:
    """The «Итого» row of Таблица 3 against the column sums."""
    if totals is None:
        return []
    warnings = []
    labels = {c.key: c.label for c in TABLE3}
    for key, value in totals.values.items():
        if key in ("number", "service", "prebooking", "electronic", "mfc"):
            continue
        expected = sum(getattr(s, key) or 0 for s in services)
        if abs(value - expected) > TOLERANCE:
            warnings.append(f"{where}, строка {totals.row} («Итого»): в столбце «{labels[key]}» указано "
                            f"{value:g}, а сумма по услугам — {expected}.")
    return warnings


def check_regulations(regulations: list[RegulationRecord], totals: Totals | None, where: str) -> list[str]:
    """Coefficients written in Таблица 5 against the ones the Методика gives."""
    warnings = []
    for r in regulations:
        if r.coefficient is None:
            continue
        expected = regulation_coefficient(r)
        written = r.coefficient * 100 if r.coefficient <= 1 < expected else r.coefficient
        if abs(written - expected) > TOLERANCE:
            warnings.append(f"{r.location}: коэффициент качества указан {r.coefficient:g}, по баллам "
                            f"получается {expected:g}. Расчёт ведётся по баллам.")
    if totals is not None and "coefficient" in totals.values:
        mean = sum(regulation_coefficient(r) for r in regulations) / len(regulations)
        if abs(totals.values["coefficient"] - mean) > 0.05:
            warnings.append(f"{where}, строка {totals.row} («Итог»): указано "
                            f"{totals.values['coefficient']:g}, среднее по услугам — {mean:.2f}.")
    return warnings


def check_service_lists(services: list[ServiceRecord], regulations: list[RegulationRecord]) -> list[str]:
    """Таблица 5 is filled for every service of Таблица 3 (Методика, п. 3.3.3.3)."""
    in3 = {normalise(s.service): s.service for s in services}
    in5 = {normalise(r.service): r.service for r in regulations}
    warnings = [f"Услуга «{name}» есть в Таблице 3, но не оценена в Таблице 5."
                for key, name in in3.items() if key not in in5]
    warnings += [f"Услуга «{name}» есть в Таблице 5, но отсутствует в Таблице 3."
                 for key, name in in5.items() if key not in in3]
    return warnings
