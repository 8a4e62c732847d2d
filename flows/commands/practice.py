"""`painmap practice`: Кпр of a practice workbook, computed from the workbook alone (no DB)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flows.console import console, err_console
from scoring.practice import PracticeResult

TABLE4_TITLE = ("Таблица 4. Перечень показателей качества и доступности предоставления муниципальных услуг "
                "и их индикаторы, применяемые для анализа практики предоставления муниципальных услуг")
FINAL = "Итоговое значение показателя качества:"
DPZ_EXEMPT = "не оценивается: все услуги в электронном виде или менее 100 заявлений"


def percent(value: float | None) -> str:
    """54.0 → «54,00 %» (Russian decimal comma); None → «—»."""
    return "—" if value is None else f"{value:.2f}".replace(".", ",") + " %"


def factor(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


def table4(r: PracticeResult) -> Table:
    """The computed indicators in the layout of Таблица 4 of the Методика."""
    table = Table(title=TABLE4_TITLE, show_lines=True, title_justify="left")
    table.add_column("№ п/п", justify="right")
    table.add_column("Показатель качества")
    table.add_column("Индикаторы")
    table.add_column("Значение", justify="right")
    table.add_row("1", "Уровень доступности получения муниципальных услуг по различным каналам "
                       "взаимодействия с клиентами",
                  "Доля муниципальных услуг, переведенных в электронный вид и (или) переданных для "
                  "предоставления в МФЦ (Dу)", percent(r.d_u))
    table.add_row("", "", "Доля клиентов, получивших муниципальные услуги в электронном виде и (или) через "
                          f"МФЦ (Dз = Dэл {percent(r.d_el)} + Dмфц {percent(r.d_mfc)})", percent(r.d_z))
    table.add_row("", FINAL, f"Кмнк: {r.levels['k_mnk']}", percent(r.k_mnk))
    table.add_row("2", "Уровень соблюдения стандартов предоставления муниципальных услуг",
                  "Доля муниципальных услуг, предоставленных в установленный срок (Dму)", percent(r.d_mu))
    table.add_row("", "", "Доля муниципальных услуг с возможностью осуществления предварительной записи на "
                          "подачу документов (Dпз)", percent(r.d_pz) if r.d_pz is not None else DPZ_EXEMPT)
    table.add_row("", "", "Доля жалоб, поступивших на предоставление муниципальных услуг (Dж)",
                  percent(r.d_zh))
    table.add_row("", FINAL, f"Уs: {r.levels['u_s']}", percent(r.u_s))
    table.add_row("3", "Уровень работы с административными регламентами",
                  "Доля муниципальных услуг, порядки предоставления которых утверждены административными "
                  "регламентами (Dар)", percent(r.d_ar))
    table.add_row("", "", "Коэффициент качества работы с административными регламентами", percent(r.k_kach))
    table.add_row("", FINAL, f"Уар: {r.levels['u_ar']}", percent(r.u_ar))
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
