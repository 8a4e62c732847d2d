"""Keeping a practice workbook for an organisation and year.

The set of rows for (organisation, year) is replaced as a whole inside the caller's
transaction, so a re-import never leaves a mix of old and new rows and an identical
re-import changes nothing at all (not even the import time).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, delete, select

from ingest.practice.records import SUMMARY_FIELDS, PracticeWorkbook
from models.tables import Organisation, PracticeRegulationRow, PracticeServiceRow, PracticeSummary
from vocabulary.errors import UserError
from vocabulary.periods import YEAR, parse_period

SERVICE_FIELDS = ("service", "staff", "requests", "on_time", "late", "refusals", "prebooking",
                  "complaints", "electronic", "via_epgu", "mfc", "via_mfc")
REGULATION_FIELDS = ("service", "law_210", "law_other", "timeliness")
UNCHANGED, CREATED, REPLACED = "unchanged", "created", "replaced"


@dataclass(frozen=True)
class StoreOutcome:
    status: str  # created | replaced | unchanged
    services: int
    regulations: int


def _fingerprint(services: list[dict[str, Any]], regulations: list[dict[str, Any]],
                 summary: dict[str, Any] | None) -> tuple[Any, ...]:
    """Order-independent content of a practice set, to tell an identical re-import."""
    return (sorted(tuple(sorted(s.items())) for s in services),
            sorted(tuple(sorted(r.items())) for r in regulations),
            tuple(sorted(summary.items())) if summary else None)


def _new_content(book: PracticeWorkbook) -> tuple[Any, ...]:
    services = [{f: getattr(s, f) for f in SERVICE_FIELDS} for s in book.services]
    regulations = [{f: getattr(r, f) for f in REGULATION_FIELDS} for r in book.regulations]
    return _fingerprint(services, regulations, book.summary.values())


def _stored_content(session: Session, org_id: int, period: str) -> tuple[Any, ...] | None:
    services = session.exec(select(PracticeServiceRow).where(
        PracticeServiceRow.org_id == org_id, PracticeServiceRow.period == period)).all()
    regulations = session.exec(select(PracticeRegulationRow).where(
        PracticeRegulationRow.org_id == org_id, PracticeRegulationRow.period == period)).all()
    summary = session.exec(select(PracticeSummary).where(
        PracticeSummary.org_id == org_id, PracticeSummary.period == period)).first()
    if not services and not regulations and summary is None:
        return None
    return _fingerprint(
        [{f: getattr(s, f) for f in SERVICE_FIELDS} for s in services],
        [{f: getattr(r, f) for f in REGULATION_FIELDS} for r in regulations],
        {f: getattr(summary, f) for f in SUMMARY_FIELDS} if summary else None,
    )


def practice_year(value: str) -> str:
    """Practice data are yearly (Таблицы 3, 3.1, 5 cover a reporting year), and the year is
    a plausible one (the one period parser's window): «1900» is a typo, not history."""
    message = f"Период «{value}»: данные о практике задаются за год, например --period 2025."
    try:
        period = parse_period(value)
    except ValueError as exc:
        raise UserError(f"{message} {str(exc).capitalize()}.") from None
    if period.kind != YEAR:
        raise UserError(message)
    return period.key


def store_practice(session: Session, org: Organisation, period: str, book: PracticeWorkbook) -> StoreOutcome:
    """Replace the practice data of (org, period) with the workbook's; the caller commits."""
    period = practice_year(period)
    assert org.id is not None
    stored = _stored_content(session, org.id, period)
    counts = (len(book.services), len(book.regulations))
    if stored == _new_content(book):
        return StoreOutcome(UNCHANGED, *counts)
    for table in (PracticeServiceRow, PracticeRegulationRow, PracticeSummary):
        session.exec(delete(table).where(col(table.org_id) == org.id, col(table.period) == period))
    session.flush()
    for s in book.services:
        session.add(PracticeServiceRow(org_id=org.id, period=period,
                                       **{f: getattr(s, f) for f in SERVICE_FIELDS}))
    for r in book.regulations:
        session.add(PracticeRegulationRow(org_id=org.id, period=period,
                                          **{f: getattr(r, f) for f in REGULATION_FIELDS}))
    summary: dict[str, Any] = book.summary.values()
    session.add(PracticeSummary(org_id=org.id, period=period, origin=book.origin[:1000], **summary))
    session.flush()
    return StoreOutcome(CREATED if stored is None else REPLACED, *counts)


def import_practice_file(org_code: str, period: str, path: Path) -> tuple[bool, list[str]]:
    """Read a practice workbook named in the config and store it for (office, year) in one
    transaction; (whether anything changed, the workbook's cross-check warnings)."""
    from ingest.practice import read_practice
    from models.db import session_scope
    from models.repo import find_organisation

    book = read_practice(path)
    with session_scope() as session:
        org = find_organisation(session, org_code)
        if org is None:
            raise UserError(f"организация «{org_code}» не найдена в базе")
        outcome = store_practice(session, org, period, book)
    return outcome.status != UNCHANGED, list(book.warnings)
