"""A region outside Moscow: the API, the pages' pain map, the CLI and the report cut a month
at the same local midnight (the region's, from the one configuration)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from flows.cli import app as cli
from models.db import session_scope
from models.repo import ensure_organisation, ensure_source
from models.settings import get_settings
from reports.data import collect
from tests.api_fixtures import seed
from tests.report_fixtures import Writer
from vocabulary.periods import parse_period

EKB = "Asia/Yekaterinburg"  # UTC+5, two hours ahead of Moscow


@pytest.fixture
def region(sqlite_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    config = tmp_path / "painmap.toml"
    config.write_text(f'[region]\nname = "Город Екатеринбург"\ntimezone = "{EKB}"\n', encoding="utf-8")
    monkeypatch.setenv("PAINMAP_CONFIG", str(config))
    get_settings.cache_clear()
    with session_scope() as session:
        org, _ = ensure_organisation(session, "ekb", "МФЦ Екатеринбурга")
        writer, source = Writer(session), ensure_source(session, org, "yandex")
        # 31.01 20:30 UTC is 1 February in Yekaterinburg (and still 31 January in Moscow);
        # 28.02 20:30 UTC is 1 March there (28 February in Moscow).
        for when, rating, cats in (("2025-01-31T20:30:00", 1, {"queue": 0.9}),
                                   ("2025-02-10T09:00:00", 5, {}), ("2025-02-11T09:00:00", 5, {}),
                                   ("2025-02-28T20:30:00", 5, {"rudeness": 0.9})):
            writer.item(source.id, when, rating=rating, text="Отзыв", categories=cats)  # type: ignore[arg-type]
    yield config
    get_settings.cache_clear()


def _yandex(channels: list[dict[str, object]]) -> dict[str, object]:
    return next(c for c in channels if c["channel"] == "yandex")


def test_api_cli_and_report_agree_for_a_month_in_yekaterinburg(region: Path) -> None:
    tokens = seed().tokens
    args = ["--config", str(region), "scores", "--period", "2025-02", "--format", "json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    cli_org = next(o for o in json.loads(result.output)["organisations"] if o["org"] == "ekb")
    with TestClient(create_app()) as client:
        headers = {"Authorization": f"Bearer {tokens['viewer']}"}
        api = client.get("/api/v1/scores?period=2025-02&org=ekb", headers=headers).json()
        pains = client.get("/api/v1/painmap?period=2025-02&org=ekb", headers=headers).json()["cells"]
    api_org = api["organisations"][0]
    with session_scope() as session:
        report = collect(session, parse_period("2025-02"), "ekb", "Город Екатеринбург", EKB)
    (office,) = report.organisations
    channel = office.channel("yandex")
    assert channel is not None
    # February in Yekaterinburg holds the 1-star review of 1 February, not the one of 1 March.
    assert _yandex(cli_org["channels"])["n"] == _yandex(api_org["channels"])["n"] == channel.n == 3
    assert _yandex(cli_org["channels"])["k_ud"] == _yandex(api_org["channels"])["k_ud"]
    assert cli_org["k_ud"] == api_org["k_ud"] == pytest.approx(channel.k_ud, abs=0.005)
    counts = {c["category"]: c["count"] for c in pains}
    assert counts["queue"] == 1 and counts["rudeness"] == 0
    assert office.pains is not None and office.pains.cells["queue"].count == 1
