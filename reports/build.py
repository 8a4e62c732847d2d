"""Build the monitoring report: collect the data once, derive the recommendations, write
the DOCX (and the XLSX when asked). Used by `painmap report` and by the nightly/demo run,
so both produce the same documents."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models.db import session_scope
from models.queries import organisations
from reports.data import collect
from reports.docx_report import write_docx
from reports.recommendations import recommend
from reports.xlsx_report import write_xlsx
from service.scores import MIN_SAMPLE
from vocabulary.dates import DEFAULT_TIMEZONE
from vocabulary.errors import UserError
from vocabulary.periods import Period

DOCX_STEPS, XLSX_STEPS = 8, 10
# Begins a named stage of `total` steps and returns what to call after each step: the CLI
# draws it as a progress bar, other callers need nothing.
Stage = Callable[[str, int], Callable[[], None]]


def silent(_name: str, _total: int) -> Callable[[], None]:
    return lambda: None


@dataclass(frozen=True)
class Built:
    docx: Path
    xlsx: Path | None
    organisations: int
    monitored: int
    figures: int
    recommendations: int


def check_target(path: Path, suffix: str) -> None:
    """Refuse a wrong extension or a directory before any work is done."""
    if path.suffix.lower() != suffix:
        raise UserError(f"Файл {path}: ожидается расширение {suffix}.")
    if path.is_dir():
        raise UserError(f"{path} — это каталог, а нужен путь к файлу {suffix}.")


def build_report(period: Period, docx: Path, xlsx: Path | None = None, org: str | None = None,
                 region: str = "", tz: str = DEFAULT_TIMEZONE, url: str | None = None,
                 stage: Stage = silent, min_n: int = MIN_SAMPLE, named: bool = False) -> Built:
    """The report for `period` (every organisation or the one named); `stage` reports progress.
    `named`: the admin edition, which names the staff citizens thanked (personal data)."""
    check_target(docx, ".docx")
    if xlsx is not None:
        check_target(xlsx, ".xlsx")
    with session_scope(url) as session:
        step = stage("Сбор данных", max(1, len(organisations(session, org))))
        data = collect(session, period, org, region, tz, progress=lambda _: step(), min_n=min_n, named=named)
    if not data.organisations:
        raise UserError("В базе нет организаций: выполните painmap init с конфигурацией и импорт данных.")
    recs = recommend(data)
    step = stage("Отчет DOCX", DOCX_STEPS)
    figures = write_docx(data, recs, docx, step=lambda _: step())
    if xlsx is not None:
        step = stage("Таблицы XLSX", XLSX_STEPS)
        write_xlsx(data, xlsx, step=lambda _: step())
    return Built(docx, xlsx, len(data.organisations), len(data.monitored), figures, len(recs))
