"""`painmap schedule` serves the nightly deployment on the config's cron."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.nightly import deployment
from models.config import load_config


@pytest.mark.parametrize(
    ("schedule", "cron", "tz"),
    [("", "0 2 * * *", "Europe/Moscow"),
     ('[schedule]\ncron = "30 4 * * 1-5"\ntimezone = "Asia/Yekaterinburg"\n', "30 4 * * 1-5",
      "Asia/Yekaterinburg")],
)
def test_deployment_follows_the_config(tmp_path: Path, schedule: str, cron: str, tz: str) -> None:
    path = tmp_path / "painmap.toml"
    path.write_text(schedule, encoding="utf-8")
    built = deployment(load_config(path))
    assert built.name == "painmap-nightly"
    [entry] = built.schedules
    assert entry.schedule.cron == cron and entry.schedule.timezone == tz
    assert built.parameters["config_path"] == str(path.resolve())
