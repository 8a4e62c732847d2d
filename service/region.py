"""The region the figures are for, from the one configuration (`models.config`): the API,
the pages, the CLI and the report cut periods at the same local midnight. A region outside
Moscow (Калининград, Екатеринбург, Новосибирск) would otherwise see a month in the API end
two or four hours away from the same month in the report."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from models.config import RegionConfig, config_path, load_config


def region() -> RegionConfig:
    """The configured region (defaults when there is no config); re-read when the config
    file named by `--config`/`PAINMAP_CONFIG`/`./painmap.toml` changes."""
    path = config_path()
    stamp = path.stat().st_mtime_ns if path is not None and path.exists() else None
    return _region(path, stamp)


@lru_cache(maxsize=8)
def _region(path: Path | None, _stamp: int | None) -> RegionConfig:
    return load_config(path).region


def timezone() -> str:
    return region().timezone


def min_sample() -> int:
    """The smallest n a figure is interpreted and compared at (`[region] min_sample`)."""
    return region().min_sample
