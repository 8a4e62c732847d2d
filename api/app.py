"""The FastAPI application: JSON/CSV API, OpenAPI docs at /docs, the analysts' pages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from vocabulary.errors import UserError
from vocabulary.periods import Period
from vocabulary.validation import pydantic_message

STATIC = Path(__file__).with_name("static")
# Writes the period's report as DOCX (and XLSX when given a path); True: the admin edition.
ReportBuilder = Callable[[Period, Path, Path | None, bool], None]


def plotly_js() -> Path:
    """plotly ships its JavaScript inside the Python package: the pages need no CDN."""
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def create_served_app(report_builder: ReportBuilder | None = None) -> FastAPI:
    """The app as `painmap serve` runs it: it also warms the scores cache in the background."""
    import threading

    from service.cache import warm

    app = create_app(report_builder)

    @app.on_event("startup")
    def _warm() -> None:
        threading.Thread(target=warm, name="scores-warm-up", daemon=True).start()

    return app


def russian(error: dict[str, Any]) -> dict[str, Any]:
    """One validation error with its message in Russian (pydantic's type kept for clients)."""
    message = pydantic_message(error)
    where = ".".join(str(part) for part in error.get("loc", ())[1:])
    return {"loc": list(error.get("loc", ())), "type": error.get("type"),
            "msg": f"{where}: {message}" if where else message}


JOURNAL_EVERY = 3.0  # seconds between attempts to write label edits journalled during an import


def _apply_journalled_edits(app: FastAPI) -> None:
    """While the app runs, write the label edits journalled because an import held the
    store (see `models.edits`) as soon as the store takes writes again."""
    import threading

    stop = threading.Event()

    def loop() -> None:
        from sqlmodel import Session

        from models.db import get_engine
        from models.edits import apply_journal

        while not stop.wait(JOURNAL_EVERY):
            try:
                with Session(get_engine()) as session:
                    apply_journal(session)
            except Exception:  # the next round retries; the edits stay in the journal
                logging.getLogger(__name__).exception("journalled label edits not written yet")

    @app.on_event("startup")
    def _start() -> None:
        stop.clear()
        threading.Thread(target=loop, name="label-edits", daemon=True).start()

    @app.on_event("shutdown")
    def _stop() -> None:
        stop.set()


def docs_assets() -> Path:
    """Swagger UI as a wheel ships it (fastapi-offline): no CDN, ever."""
    from importlib.resources import files

    return Path(str(files("fastapi_offline") / "static"))


def _offline_docs(app: FastAPI) -> None:
    """/docs from the package's assets (FastAPI's default loads Swagger UI from a CDN: a
    blank page on an office network with no internet). No ReDoc: its sidebar badge is
    always fetched from redocly's CDN."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from fastapi.responses import HTMLResponse

    app.mount("/vendor/docs", StaticFiles(directory=docs_assets()), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def _swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json",
                                   title="painmap API — документация",
                                   swagger_js_url="/vendor/docs/swagger-ui-bundle.js",
                                   swagger_css_url="/vendor/docs/swagger-ui.css",
                                   swagger_favicon_url="/vendor/docs/favicon.png")


def create_app(report_builder: ReportBuilder | None = None) -> FastAPI:
    """The API and the pages; `report_builder` (given by `painmap serve`) lets the dashboard
    offer the period's report for download."""
    from api import pages, v1

    app = FastAPI(
        title="painmap API",
        description="Мониторинг качества муниципальных услуг: коэффициенты Методики, карта болей, "
        "отзывы граждан. Авторизация: заголовок `Authorization: Bearer <токен>` "
        "(`painmap token create --role viewer|analyst|admin`).",
        version="1",
        docs_url=None,
        redoc_url=None,
    )
    _offline_docs(app)
    app.state.report_builder = report_builder

    _apply_journalled_edits(app)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": [russian(e) for e in exc.errors()]}, status_code=422)

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
