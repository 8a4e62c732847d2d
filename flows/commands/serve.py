"""`painmap serve`: the HTTP API and the analysts' pages (FastAPI on uvicorn)."""

from __future__ import annotations

from typing import Annotated

import typer

from flows.console import console


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Annotated[str, typer.Option("--host", help="Адрес для прослушивания.")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Порт.")] = 8000,
        workers: Annotated[int, typer.Option("--workers", help="Число процессов uvicorn.")] = 1,
    ) -> None:
        """Запустить HTTP API и страницы аналитика (документация API — /docs)."""
        import uvicorn

        from models.migrate import upgrade

        upgrade()
        console.print(f"painmap: http://{host}:{port}/ (API: /api/v1, документация: /docs). "
                      "Вход по токену: painmap token create --role analyst")
        uvicorn.run("api.app:create_served_app", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
