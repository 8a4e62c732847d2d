"""Extreme parameters and implausible dates end in Russian 4xx errors or in quarantine,
never in a traceback: the adversarial probes of the hardening pass, one test each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from api.app import create_app
from flows.cli import app as cli
from ingest.pipeline import ingest_records
from ingest.records import FeedbackRecord
from models.db import session_scope
from models.repo import ensure_organisation, ensure_source
from models.tables import Feedback, Quarantine
from tests.api_fixtures import Seeded, seed
from vocabulary.dates import DateWindow
from vocabulary.errors import UserError
from vocabulary.periods import parse_period

EXTREME_PERIODS = ["0001", "0001-Q1", "9999", "9999-12", "9999-12-30..9999-12-31", "0001-01-01..0001-01-02",
                   "1900", "2099-Q1"]


@pytest.mark.parametrize("text", EXTREME_PERIODS)
def test_the_period_parser_refuses_implausible_years(text: str) -> None:
    with pytest.raises(ValueError, match="вне допустимых лет 2000–"):
        parse_period(text)


@pytest.mark.parametrize(("text", "key"), [("2000", "2000"), ("2025-Q3", "2025-Q3"),
                                           ("01.01.2024..31.03.2024", "2024-01-01..2024-03-31")])
def test_plausible_periods_pass(text: str, key: str) -> None:
    assert parse_period(text).key == key


@pytest.fixture
def api(sqlite_store: str) -> Iterator[tuple[TestClient, Seeded]]:
    seeded = seed()
    with TestClient(create_app(), headers={"Origin": "http://testserver"}) as client:
        yield client, seeded


@pytest.mark.parametrize("path", ["/api/v1/painmap?period={p}", "/api/v1/scores?period={p}",
                                  "/api/v1/feedback?period={p}"])
@pytest.mark.parametrize("period", EXTREME_PERIODS)
def test_api_answers_extreme_periods_with_422(api: tuple[TestClient, Seeded], path: str, period: str) -> None:
    client, seeded = api
    resp = client.get(path.format(p=period), headers={"Authorization": f"Bearer {seeded.tokens['viewer']}"})
    assert resp.status_code == 422 and "вне допустимых лет" in resp.text


@pytest.mark.parametrize("page", ["/painmap?period={p}", "/dashboard?period={p}",
                                  "/labelling?period={p}", "/painmap/cell?org=szn&category=queue&period={p}"])
def test_pages_answer_extreme_periods_with_422(api: tuple[TestClient, Seeded], page: str) -> None:
    client, seeded = api
    client.post("/login", data={"token": seeded.tokens["viewer"], "next": "/painmap"})
    for period in ("0001", "0001-Q1", "9999-12-30..9999-12-31"):
        resp = client.get(page.format(p=period))
        assert resp.status_code == 422 and "вне допустимых лет" in resp.text


@pytest.mark.parametrize("page", ["/painmap/cell?org=szn&category=queue&period=2025&offset={o}",
                                  "/incidents?offset={o}", "/api/v1/feedback?offset={o}",
                                  "/api/v1/incidents?offset={o}"])
def test_huge_offsets_are_refused(api: tuple[TestClient, Seeded], page: str) -> None:
    client, seeded = api
    client.post("/login", data={"token": seeded.tokens["viewer"], "next": "/painmap"})
    headers = {"Authorization": f"Bearer {seeded.tokens['viewer']}"}
    for offset in ("99999999999999999999", "-1"):
        assert client.get(page.format(o=offset), headers=headers).status_code == 422
    assert client.get(page.format(o=0), headers=headers).status_code == 200


def test_a_stray_old_date_does_not_list_a_millennium(api: tuple[TestClient, Seeded]) -> None:
    client, seeded = api
    with session_scope() as session:  # stored before the ingest checked dates
        org, _ = ensure_organisation(session, "szn", "Соцзащита")
        src = ensure_source(session, org, "pos")
        for year in (1900, 2099):
            session.add(Feedback(source_id=src.id, external_id=f"y{year}", content_hash=f"y{year}",
                                 published_at=datetime(year, 1, 1, tzinfo=UTC)))
    client.post("/login", data={"token": seeded.tokens["viewer"], "next": "/painmap"})
    page = client.get("/painmap").text
    assert "1900" not in page and "2099" not in page and "2025 год" in page


@pytest.mark.parametrize(("day", "stored"), [
    (datetime(2099, 1, 1, 9, tzinfo=UTC), False),
    (datetime(1900, 1, 1, 9, tzinfo=UTC), False),
    (datetime(1999, 12, 31, 9, tzinfo=UTC), False),
    (datetime(2000, 1, 1, 9, tzinfo=UTC), True),
    (datetime(2025, 6, 1, 9, tzinfo=UTC), True),
])
def test_implausible_dates_are_quarantined(store: str, day: datetime, stored: bool) -> None:
    with session_scope() as session:
        org, _ = ensure_organisation(session, "szn", "Соцзащита")
        source_id = ensure_source(session, org, "pos").id
    result = ingest_records(source_id, [FeedbackRecord(external_id="x", published_at=day, text="очередь",  # type: ignore[arg-type]
                                                       location="f.csv, строка 2")], kind="pos")
    assert (result.n_new, result.n_quarantined) == ((1, 0) if stored else (0, 1))
    if not stored:
        with session_scope() as session:
            reason = session.exec(select(Quarantine.reason)).one()
        assert f"неправдоподобная дата {day:%d.%m.%Y}" in reason and "допустимы даты 01.01.2000–" in reason


def test_the_window_is_configurable(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from models.settings import get_settings

    monkeypatch.setenv("PAINMAP_EARLIEST_DATE", "1995-01-01")
    get_settings.cache_clear()
    try:
        with session_scope() as session:
            org, _ = ensure_organisation(session, "szn", "Соцзащита")
            source_id = ensure_source(session, org, "pos").id
        record = FeedbackRecord(external_id="x", published_at=datetime(1998, 5, 1, tzinfo=UTC))
        assert ingest_records(source_id, [record], kind="pos").n_new == 1  # type: ignore[arg-type]
    finally:
        get_settings.cache_clear()
    assert DateWindow().why_not(datetime(1998, 5, 1, tzinfo=UTC))


@pytest.mark.parametrize("args", [
    ["report", "--period", "0001", "--out", "r.docx"],
    ["report", "--period", "9999", "--out", "r.docx"],
    ["scores", "--period", "0001-Q1"],
    ["scores", "--from", "9999-12-30", "--to", "9999-12-31"],
])
def test_cli_answers_extreme_periods_in_russian(sqlite_store: str, args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)  # `painmap` prints a UserError in Russian, exit 1
    assert isinstance(result.exception, UserError) and "вне допустимых лет" in str(result.exception)


@pytest.mark.parametrize(("q", "n"), [("%", 0), ("_", 0), ("очередь", 2)])
def test_search_is_literal(api: tuple[TestClient, Seeded], q: str, n: int) -> None:
    client, seeded = api
    headers = {"Authorization": f"Bearer {seeded.tokens['viewer']}"}
    resp = client.get("/api/v1/feedback", params={"q": q}, headers=headers)
    assert resp.json()["total"] == n


@pytest.mark.parametrize(("query", "message"), [
    ("offset=99999999999999999999", "offset: должно быть не больше 10000000"),
    ("offset=-1", "offset: должно быть не меньше 0"),
    ("limit=abc", "limit: ожидается целое число"),
    ("format=pdf", "format: допустимые значения: json, csv, xlsx"),
])
def test_validation_errors_are_russian(api: tuple[TestClient, Seeded], query: str, message: str) -> None:
    client, seeded = api
    headers = {"Authorization": f"Bearer {seeded.tokens['viewer']}"}
    resp = client.get(f"/api/v1/feedback?{query}", headers=headers)
    assert resp.status_code == 422
    assert [e["msg"] for e in resp.json()["detail"]] == [message]
