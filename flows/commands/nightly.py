"""`painmap nightly`: run the nightly job once through Prefect."""

from __future__ import annotations

from typing import Annotated

import typer

from flows.commands.common import config_from
from flows.console import console


def register(app: typer.Typer) -> None:
    @app.command("nightly")
    def nightly(
        ctx: typer.Context,
        source: Annotated[str | None, typer.Option("--source", help="Только этот источник (имя).")] = None,
    ) -> None:
        """Ночной прогон: сбор и импорт, классификация, пересчёт коэффициентов."""
        config = config_from(ctx)
        from flows.nightly import nightly_flow

        result = nightly_flow(str(config.path) if config.path else None, source)
        console.print(f"Ночной прогон завершён. Выполнены этапы: {', '.join(result['stages_run']) or 'нет'}.")
        if result["stages_missing"]:
            console.print("Ещё не реализованы: " + ", ".join(result["stages_missing"]))
