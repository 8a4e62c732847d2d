"""Build the monitoring report: collect the data once, derive the recommendations, write
the DOCX (and the XLSX when asked). Used by `painmap report` and by the nightly/demo run,
so both produce the same documents."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flows.console import progress
from models.db import session_scope
from models.errors import UserError
from models.queries import organisations
from reports.data import collect
from reports.docx_report import write_docx
from reports.recommendations import recommend
from reports.xlsx_report import write_xlsx
from scoring.periods import Period

DOCX_STEPS, XLSX_STEPS = 8, 10


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
                 region: str = "", tz: str = "Europe/Moscow", url: str | None = None) -> Built:
    """The report for `period` (every organisation or the one named); progress on stderr."""
    check_target(docx, ".docx")
    if xlsx is not None:
        check_target(xlsx, ".xlsx")
    with progress() as bar:
        with session_scope(url) as session:
            task = bar.add_task("Сбор данных", total=max(1, len(organisations(session, org))))
            data = collect(session, period, org, region, tz, progress=lambda _: bar.advance(task))
        if not data.organisations:
            raise UserError("В базе нет организаций: выполните painmap init с конфигурацией и импорт данных.")
        recs = recommend(data)
        task = bar.add_task("Отчет DOCX", total=DOCX_STEPS)
        figures = write_docx(data, recs, docx, step=lambda _: bar.advance(task))
        if xlsx is not None:
            task = bar.add_task("Таблицы XLSX", total=XLSX_STEPS)
            write_xlsx(data, xlsx, step=lambda _: bar.advance(task))
    return Built(docx, xlsx, len(data.organisations), len(data.monitored), figures, len(recs))
