"""The small-sample rule: below `[region] min_sample` ratings (30 by default) a channel's
figure is shown as «мало данных» — not interpreted, not compared — in the API, the CLI, the
pages and the report alike."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from scoring.satisfaction import ChannelScore
from service.scores import comparable, shown_level, small_sample
from tests.api_fixtures import Seeded, seed

LEVEL = "Низкий уровень удовлетворенности"


def channel(n: int) -> ChannelScore:
    return ChannelScore("yandex", n, 2.7 if n else None, 54.0 if n else None, LEVEL if n else "нет данных")


@pytest.mark.parametrize(("n", "min_n", "few", "shown"), [
    (0, 30, False, "нет данных"),  # nothing at all is «нет данных», not a small sample
    (1, 30, True, "мало данных (n = 1)"),
    (29, 30, True, "мало данных (n = 29)"),
    (30, 30, False, LEVEL),
    (973, 30, False, LEVEL),
    (9, 5, False, LEVEL),  # the threshold is the config's
])
def test_small_sample_table(n: int, min_n: int, few: bool, shown: str) -> None:
    assert small_sample(n, min_n) is few
    assert shown_level(channel(n), min_n) == shown


@pytest.mark.parametrize(("now", "before", "expected"), [
    (100, 100, True), (100, 9, False), (9, 100, False), (100, 0, False), (100, None, False),
])
def test_a_change_needs_enough_ratings_on_both_sides(now: int, before: int | None, expected: bool) -> None:
    assert comparable(channel(now), channel(before) if before is not None else None, 30) is expected


@pytest.fixture
def site(sqlite_store: str) -> Iterator[tuple[TestClient, Seeded]]:
    seeded = seed()
    with TestClient(create_app(), headers={"Origin": "http://testserver"}) as client:
        yield client, seeded


def test_api_and_dashboard_mark_tiny_samples(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    viewer = {"Authorization": f"Bearer {seeded.tokens['viewer']}"}
    body = client.get("/api/v1/scores?period=2025", headers=viewer).json()
    assert body["min_sample"] == 30
    channels = [c for o in body["organisations"] for c in o["channels"] if c["n"]]
    assert channels and all(c["small_sample"] for c in channels)  # the seed has a handful of ratings
    client.post("/login", data={"token": seeded.tokens["viewer"], "next": "/dashboard"})
    page = client.get("/dashboard?period=2025").text
    table = page.split('id="scores-table"')[1].split("</table>")[0]
    assert "мало данных" in table and "Очень низкий" not in table
