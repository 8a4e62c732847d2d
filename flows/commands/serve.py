"""`painmap serve`: the HTTP API and the analysts' pages (FastAPI on uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from flows.console import console


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        ctx: typer.Context,
        host: Annotated[str, typer.Option("--host", help="Адрес для прослушивания.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Порт.")] = 8000,
        workers: Annotated[int, typer.Option("--workers", help="Число процессов uvicorn.")] = 1,
    ) -> None:
        """Запустить HTTP API и страницы аналитика (документация API — /docs)."""
        import os

        import uvicorn

        from flows.commands.common import config_from
        from models.migrate import upgrade

        config = config_from(ctx)
        if config.path is not None:  # the app (and every uvicorn worker) reads the same config
            from models.settings import get_settings

            os.environ["PAINMAP_CONFIG"] = str(config.path)
            get_settings.cache_clear()
        upgrade()
        console.print(f"painmap: http://{host}:{port}/ (API: /api/v1, документация: /docs). "
                      "Вход по токену: painmap token create --role analyst")
        uvicorn.run("flows.web:served_app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
