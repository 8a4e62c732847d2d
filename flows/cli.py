"""`painmap`: one CLI for every task. Commands that do one step call the packages
directly (fast start); only `painmap nightly` and `painmap schedule` go through Prefect."""

from __future__ import annotations

import logging
import os
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated

import typer

from flows.console import console, fail
from flows.russian import install as speak_russian
from vocabulary.errors import UserError

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
speak_russian()

app = typer.Typer(
    name="painmap",
    help="painmap — мониторинг качества муниципальных услуг: отзывы граждан, карта болей, "
    "коэффициенты Методики (Куд, Кпр, Кэф).",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version() -> str:
    try:
        return version("painmap")
    except PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"painmap {_version()}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c",
                     help="Файл конфигурации (по умолчанию PAINMAP_CONFIG или ./painmap.toml)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Подробный журнал.")] = False,
    _version_flag: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Показать версию и выйти."),
    ] = False,
) -> None:
    """painmap — мониторинг качества муниципальных услуг."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"config": config}


def _register() -> None:
    from flows.commands import (
        classify,
        crawl,
        demo,
        fleet,
        imports,
        init,
        nightly,
        practice,
        report,
        scores,
        serve,
        token,
        train,
    )

    for module in (init, demo, classify, train, practice, scores, nightly, fleet, serve, report):
        module.register(app)
    app.add_typer(crawl.app, name="crawl")
    app.add_typer(imports.app, name="import")
    app.add_typer(token.app, name="token")


_register()


def main() -> None:
    try:
        app()
    except UserError as exc:
        fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        fail("Прервано пользователем.", 130)
    sys.exit(0)
