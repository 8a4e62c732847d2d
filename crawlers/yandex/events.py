"""The worker's event stream: JSON lines on the process's original stdout.

A module of its own because the worker runs as `__main__`: the item pipeline Scrapy
imports by name must share this module's stream with it.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

_stream: TextIO | None = None
_job: int | None = None  # which job of a multi-organisation worker the events belong to


def set_job(index: int | None) -> None:
    global _job
    _job = index


def open_stream() -> None:
    """Keep the real stdout for events and point fd 1 at stderr, so that nothing printed by
    Scrapy, Twisted or a library can corrupt the stream."""
    global _stream
    _stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr


def close_stream() -> None:
    global _stream
    if _stream is not None:
        _stream.close()
        _stream = None


def emit(event: dict[str, Any]) -> None:
    if _stream is None:
        raise RuntimeError("the event stream is not open (call open_stream() first)")
    if _job is not None:
        event = {**event, "job": _job}
    _stream.write(json.dumps(event, ensure_ascii=False, default=str) + "\n")
    _stream.flush()


class EventPipeline:
    """Scrapy item pipeline: every dict the spider yields goes to the parent as it comes."""

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        emit(item)
        return item
