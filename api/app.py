"""The FastAPI application: JSON/CSV API, OpenAPI docs at /docs, the analysts' pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from models.errors import UserError

STATIC = Path(__file__).with_name("static")


def plotly_js() -> Path:
    """plotly ships its JavaScript inside the Python package: the pages need no CDN."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def create_served_app() -> FastAPI:
    """The app as `painmap serve` runs it: it also warms the scores cache in the background."""
    import threading

    from api.scores import warm

    app = create_app()

    @app.on_event("startup")
    def _warm() -> None:
        threading.Thread(target=warm, name="scores-warm-up", daemon=True).start()

    return app


def create_app() -> FastAPI:
    from api import pages, v1

    app = FastAPI(
        title="painmap API",
        description="Мониторинг качества муниципальных услуг: коэффициенты Методики, карта болей, "
        "отзывы граждан. Авторизация: заголовок `Authorization: Bearer <токен>` "
        "(`painmap token create --role viewer|analyst|admin`).",
        version="1",
    )

    @app.exception_handler(UserError)
    async def _user_error(_request: Request, exc: UserError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    app.include_router(v1.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def _plotly() -> FileResponse:
        return FileResponse(plotly_js(), media_type="application/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    return app
