"""The web app as `painmap serve` runs it, wired here because the pages offer the report for
download and `api/` does not import `reports/` (siblings on top of the read-side service):
the app is given the report builder instead."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from api.app import create_served_app
from models.config import load_config
from reports.build import build_report
from vocabulary.periods import Period


def build_for_pages(period: Period, docx: Path, xlsx: Path | None, named: bool) -> None:
    """The report of the period for all offices, as `painmap report` makes it with the config."""
    config = load_config()
    build_report(period, docx, xlsx, region=config.region.name, tz=config.region.timezone,
                 min_n=config.region.min_sample, named=named)


def served_app() -> FastAPI:
    return create_served_app(report_builder=build_for_pages)
