"""`painmap practice`: Кпр of a practice workbook, computed from the workbook alone (no DB)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.console import console, err_console
from scoring.practice import PracticeResult
from vocabulary.numbers import number


def percent(value: float | None) -> str:
    """54.0 → «54,00 %» (Russian decimal comma); None → «—»."""
    return "—" if value is None else number(value) + " %"


def factor(value: float | None) -> str:
    return number(value)


def table4(r: PracticeResult) -> Table:
    """Таблица 4 of the Методика as the report words it (`reports.tables`), for the terminal."""
    from reports.tables import T4_COLUMNS, TITLES, table4_rows

    table = Table(title=TITLES["4"], show_lines=True, title_justify="left")
    for i, name in enumerate(T4_COLUMNS):
        table.add_column(name, justify="right" if i in (0, len(T4_COLUMNS) - 1) else "left")
    for *texts, value in table4_rows(r):
        table.add_row(*map(str, texts), value if isinstance(value, str) else percent(value))
    return table


def print_result(r: PracticeResult) -> None:
    if not r.monitored:
        ref = r.reference
        console.print(f"[bold]Мониторинг не проводится[/] (п. 4.4 Методики): за период поступило "
                      f"{r.k_z} заявлений — меньше 50.")
        console.print("Справочная информация:")
        console.print(f"  Количество оказываемых муниципальных услуг: {ref.services}")
        console.print(f"  Количество заявлений: {ref.requests}, из них через Единый портал: {ref.via_epgu}, "
                      f"через МФЦ: {ref.via_mfc}")
        console.print(f"  Рассмотрено в установленный срок: {ref.on_time}; жалоб: {ref.complaints}")
        return
    console.print(table4(r))
    console.print(f"Кпр = (Кмнк + Уs + Уар) / 3 = {percent(r.k_pr_base)}")
    console.print(f"Повышающий коэффициент (Таблица 1.5.1, {r.k_z} заявлений): {factor(r.boost)}"
                  + (" — не применяется: Кпр более 95 %" if r.k_pr_base and r.k_pr_base > 95 else ""))
    console.print(f"[bold]Коэффициент практики предоставления муниципальных услуг Кпр = {percent(r.k_pr)}[/]"
                  f" — {r.levels['k_pr']}")


def register(app: typer.Typer) -> None:
    @app.command("practice")
    def practice(
        workbook: Annotated[list[Path], typer.Argument(
            help="Книга Excel с листами «Таблица 3», «Таблица 3.1», «Таблица 5» (или CSV-файлы таблиц).",
            show_default=False)],
        as_json: Annotated[bool, typer.Option("--json", help="Вывести один объект JSON.")] = False,
    ) -> None:
        """Рассчитать Кпр (Кмнк, Уs, Уар) по книге практики — только по файлу, без базы данных."""
        from ingest.practice import read_practice
        from scoring.practice import compute_practice

        book = read_practice(workbook)
        for warning in book.warnings:
            err_console.print(f"[yellow]Внимание:[/] {warning}")
        result = compute_practice(book.services, book.regulations, book.approved_regulations)
        if as_json:
            typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
        else:
            print_result(result)
