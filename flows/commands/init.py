"""`painmap init`: create or upgrade the store."""

from __future__ import annotations

import typer

from flows.commands.common import config_from
from flows.console import console
from models.config import prepare_store
from models.db import database_url


def register(app: typer.Typer) -> None:
    @app.command("init")
    def init(ctx: typer.Context) -> None:
        """Создать или обновить базу данных (на актуальной базе ничего не меняет)."""
        from models.migrate import current_revision, head_revision  # alembic: only here

        config = config_from(ctx)
        before = current_revision()
        prepare_store(config)
        url = database_url().split("@")[-1]
        if before == head_revision():
            console.print(f"База данных уже актуальна (версия схемы {before}): {url}")
        elif before is None:
            console.print(f"База данных создана (версия схемы {head_revision()}): {url}")
        else:
            console.print(f"База данных обновлена: {before} → {head_revision()}: {url}")
        if config.organisations:
            console.print(f"Организаций в конфигурации: {len(config.organisations)}, "
                          f"источников: {len(config.sources())}.")
