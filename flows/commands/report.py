"""`painmap report`: the monitoring report of п. 5.2 of the Методика as DOCX (and XLSX)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from flows.console import console, progress
from vocabulary.periods import PERIOD_HELP


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report(
        ctx: typer.Context,
        out: Annotated[Path, typer.Option("--out", "-o", help="Файл отчета .docx.")],
        period: Annotated[str | None, typer.Option("--period", "-p", help=PERIOD_HELP)] = None,
        start: Annotated[str | None, typer.Option("--from", help="Начало периода (ГГГГ-ММ-ДД).")] = None,
        end: Annotated[str | None, typer.Option("--to", help="Конец периода, включительно.")] = None,
        org: Annotated[str | None, typer.Option("--org", help="Код или наименование организации "
                                                              "(по умолчанию — все).")] = None,
        xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Таблицы 1–5 Методики и карта болей "
                                                                 "в файл .xlsx.")] = None,
        edition: Annotated[str, typer.Option(
            "--edition", help="public — без имен сотрудников (по умолчанию); admin — с благодарностями "
                              "сотрудникам по именам (персональные данные, только для администратора).")
        ] = "public",
    ) -> None:
        """Отчет о результатах мониторинга (п. 5.2 Методики): введение, анализ обратной связи с картой
        болей, анализ практики (таблицы 3, 3.1, 4, 5), эффективность, сравнение с предыдущим периодом,
        рекомендации."""
        from flows.commands.common import config_from
        from models.config import prepare_store
        from reports.build import build_report, check_target
        from service.scores import resolve_period

        if edition not in ("public", "admin"):
            raise typer.BadParameter("допустимы public и admin", param_hint="'--edition'")
        chosen = resolve_period(period, start, end)
        check_target(out, ".docx")
        if xlsx is not None:
            check_target(xlsx, ".xlsx")
        config = config_from(ctx)
        if "name" not in config.region.model_fields_set:
            where = (f"в {config.path}" if config.path
                     else "(файл конфигурации не найден: укажите --config или PAINMAP_CONFIG)")
            console.print(f"[yellow]Внимание: не задано наименование муниципального образования — ключ "
                          f"«region.name» {where}. Отчет будет озаглавлен «{config.region.name}».[/yellow]")
        prepare_store(config)
        with progress() as bar:
            def stage(name: str, total: int) -> Callable[[], None]:
                task = bar.add_task(name, total=total)
                return lambda: bar.advance(task)

            built = build_report(chosen, out, xlsx, org, config.region.name, config.region.timezone,
                                 stage=stage, min_n=config.region.min_sample, named=edition == "admin")
        console.print(f"Отчет {chosen.label}: органов — {built.organisations} (мониторинг проведен — "
                      f"{built.monitored}), диаграмм — {built.figures}, "
                      f"рекомендаций — {built.recommendations}.")
        console.print(f"DOCX: {built.docx}", soft_wrap=True)
        if built.xlsx is not None:
            console.print(f"XLSX: {built.xlsx}", soft_wrap=True)
