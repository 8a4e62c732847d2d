"""`painmap import practice`: store a practice workbook for an organisation and year."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.console import console, err_console


def register_practice(import_app: typer.Typer) -> None:
    @import_app.command("practice")
    def import_practice(
        ctx: typer.Context,
        workbook: Annotated[list[Path], typer.Argument(
            help="Книга Excel с листами «Таблица 3», «Таблица 3.1», «Таблица 5» (или CSV-файлы таблиц).",
            show_default=False)],
        org: Annotated[str, typer.Option("--org", help="Код или наименование организации.")],
        period: Annotated[str, typer.Option("--period", help="Год данных, например 2025.")],
    ) -> None:
        """Загрузить данные о практике предоставления услуг (Таблицы 3, 3.1, 5) за год."""
        from flows.commands.common import config_from, resolve_org
        from ingest.practice import read_practice
        from ingest.practice.store import CREATED, UNCHANGED, practice_year, store_practice
        from models.config import prepare_store
        from models.db import session_scope

        year = practice_year(period)
        book = read_practice(workbook)
        for warning in book.warnings:
            err_console.print(f"[yellow]Внимание:[/] {warning}")
        if book.year is not None and str(book.year) != year:
            err_console.print(f"[yellow]Внимание:[/] в заголовках книги указан {book.year} год, "
                              f"а данные сохраняются за {year}.")
        config = config_from(ctx)
        prepare_store(config)
        with session_scope() as session:
            organisation = resolve_org(session, org, config)
            outcome = store_practice(session, organisation, year, book)
            name = organisation.name
        what = f"{outcome.services} услуг (Таблица 3), {outcome.regulations} регламентов (Таблица 5)"
        if outcome.status == UNCHANGED:
            console.print(f"Данные о практике «{name}» за {year} год не изменились ({what}).")
        elif outcome.status == CREATED:
            console.print(f"Сохранены данные о практике «{name}» за {year} год: {what}.")
        else:
            console.print(f"Данные о практике «{name}» за {year} год заменены: {what}.")
