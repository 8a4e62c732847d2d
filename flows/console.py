"""Rich console, progress bars and the error exit shared by every command."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import NoReturn, TypeVar

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

# Piped output (make, CI logs) gets a wide table instead of Rich's 80-column default.
console = Console(highlight=False, width=None if sys.stdout.isatty() else 150)
err_console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 150)
T = TypeVar("T")


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[bold red]Ошибка:[/] {message}")
    sys.exit(code)


def progress() -> Progress:
    """A progress bar on stderr, so that stdout stays clean for JSON/CSV output."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=not err_console.is_terminal,
    )


def track(items: Iterable[T], description: str, total: int | None = None) -> Iterator[T]:
    with progress() as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)
