"""The nightly job: for each configured source ingest what is new, classify new and changed
feedback, recompute the scores of the affected periods, and store a run summary.

A flow that reads like the process it runs; every step is a call into a package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task

from flows.commands.common import prepare_store
from flows.config import AppConfig, load_config

STAGES = ("ingest", "practice", "classify", "scores")


@dataclass
class NightlySummary:
    stages_run: list[str] = field(default_factory=list)
    stages_missing: list[str] = field(default_factory=list)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)


@task(name="prepare-store")
def prepare(config: AppConfig) -> None:
    prepare_store(config)


@flow(name="painmap-nightly", log_prints=False)
def nightly_flow(config_path: str | None = None, source: str | None = None) -> dict[str, Any]:
    logger = get_run_logger()
    config = load_config(Path(config_path) if config_path else None)
    prepare(config)
    summary = NightlySummary()
    for stage in STAGES:
        summary.stages_missing.append(stage)
    logger.info("Хранилище готово; организаций: %d, источников: %d",
                len(config.organisations), len(config.sources()))
    if summary.stages_missing:
        logger.warning("Этапы пока не реализованы: %s", ", ".join(summary.stages_missing))
    return summary.__dict__
