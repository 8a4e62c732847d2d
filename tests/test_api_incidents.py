"""The incidents through the API and the pages: filters, status changes with history, the
viewer's 403, exports that open in a Russian Excel, and the old follow-up list as a view."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.app import create_app
from tests.api_fixtures import Seeded, seed
from tests.incident_fixtures import seed_incidents


@pytest.fixture
def site(sqlite_store: str) -> Iterator[tuple[TestClient, Seeded, dict[str, int]]]:
    seeded = seed()
    ids = seed_incidents(seeded)
    with TestClient(create_app(), headers={"Origin": "http://testserver"}) as client:
        yield client, seeded, ids


def bearer(seeded: Seeded, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.tokens[role]}"}


@pytest.mark.parametrize(("query", "expected"), [
    ("", {"bad", "spike", "down"}),
    ("?org=szn", {"spike", "down"}),
    ("?signal=bad_rating", {"bad"}),
    ("?overdue=true", {"bad", "down", "spike"}),
    ("?status=closed", set()),
    ("?q=очеред", {"spike"}),
    ("?q=%25", set()),  # a literal «%», not «anything»
])
def test_api_filters(site: tuple[TestClient, Seeded, dict[str, int]], query: str, expected: set[str]) -> None:
    client, seeded, ids = site
    body = client.get(f"/api/v1/incidents{query}", headers=bearer(seeded, "viewer")).json()
    names = {name for name, i in ids.items() if i in {item["id"] for item in body["items"]}}
    assert names == expected and body["total"] == len(expected)


def test_api_status_change_history_and_roles(site: tuple[TestClient, Seeded, dict[str, int]]) -> None:
    client, seeded, ids = site
    url = f"/api/v1/incidents/{ids['spike']}"
    refused = client.patch(url, json={"status": "in_work"}, headers=bearer(seeded, "viewer"))
    assert refused.status_code == 403
    assert client.patch(url, json={"status": "in_work"}).status_code == 401
    done = client.patch(url, json={"status": "in_work", "comment": "выставили второе окно"},
                        headers=bearer(seeded, "analyst")).json()
    assert done["status"] == "in_work" and done["status_name"] == "в работе"
    assert done["responsible"] == "Начальник УСЗН" and done["overdue"] is True
    assert [(h["action"], h["to_status"], h["author"]) for h in done["history"]] == [
        ("created", "new", "ночной прогон"), ("status", "in_work", "test-analyst")]
    bad = client.patch(url, json={"status": "done"}, headers=bearer(seeded, "analyst"))
    assert bad.status_code == 422
    closed = client.patch(url, json={"status": "closed"}, headers=bearer(seeded, "analyst")).json()
    assert closed["overdue"] is False
    assert client.get("/api/v1/incidents?overdue=true", headers=bearer(seeded, "viewer")).json()["total"] == 2
    assert client.patch("/api/v1/incidents/999999", json={"comment": "x"},
                        headers=bearer(seeded, "analyst")).status_code == 404


def test_api_in_openapi(site: tuple[TestClient, Seeded, dict[str, int]]) -> None:
    client, _, _ = site
    paths = client.get("/openapi.json").json()["paths"]
    assert {"get"} <= set(paths["/api/v1/incidents"])
    assert {"get", "patch"} <= set(paths["/api/v1/incidents/{incident_id}"])


def test_exports_open_in_a_russian_excel(site: tuple[TestClient, Seeded, dict[str, int]]) -> None:
    client, seeded, ids = site
    resp = client.get("/api/v1/incidents?format=csv&org=szn", headers=bearer(seeded, "viewer"))
    assert resp.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(resp.text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:5] == ["№", "Создан", "Орган", "Сигнал", "Что случилось"]
    down = next(r for r in rows if r[0] == str(ids["down"]))
    assert down[4].startswith("'=HYPERLINK")  # text, never a formula
    assert down[8] == "да"  # overdue
    xlsx = client.get("/api/v1/incidents?format=xlsx", headers=bearer(seeded, "viewer"))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.title == "Инциденты" and sheet.max_row == 4
    cells = [c for row in sheet.iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_pages_list_change_and_export(site: tuple[TestClient, Seeded, dict[str, int]]) -> None:
    client, seeded, ids = site
    client.post("/login", data={"token": seeded.tokens["viewer"], "next": "/incidents"})
    follow = client.get("/followup", follow_redirects=False)
    assert follow.status_code == 303 and follow.headers["location"] == "/incidents?signal=bad_rating"
    page = client.get("/incidents?signal=bad_rating").text
    assert "«Плохо» на терминале оценки" in page and "Очереди" not in page and "просрочен" in page
    detail = client.get(f"/incidents/{ids['bad']}").text
    assert "Менять статус и комментировать может аналитик" in detail and "перерыв 2 часа" in detail
    assert client.post(f"/incidents/{ids['bad']}", data={"status": "closed"}).status_code == 403
    export = client.get("/incidents/export.xlsx?org=szn")
    assert export.status_code == 200 and export.headers["content-type"].startswith("application/vnd.openxml")

    client.post("/logout")
    client.post("/login", data={"token": seeded.tokens["analyst"], "next": "/incidents"})
    saved = client.post(f"/incidents/{ids['bad']}", data={"status": "answered", "comment": "позвонили"},
                        follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("saved=1")
    detail = client.get(f"/incidents/{ids['bad']}").text
    assert "ответ дан" in detail and "позвонили" in detail and "новый → ответ дан" in detail
    answered = client.get("/incidents?status=answered").text
    assert "«Плохо» на терминале оценки" in answered and "Очереди" not in answered
    foreign = client.post(f"/incidents/{ids['bad']}", data={"status": "closed"},
                          headers={"Origin": "http://evil.example"})
    assert foreign.status_code == 403
