"""The JSON/CSV API: every endpoint, every role, 401/403, masking."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api_fixtures import Seeded, seed


@pytest.fixture
def api(store: str) -> Iterator[tuple[TestClient, Seeded]]:
    seeded = seed()
    with TestClient(create_app()) as client:
        yield client, seeded


def auth(seeded: Seeded, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.tokens[role]}"}


# endpoint, the weakest role allowed
ENDPOINTS = [
    ("GET", "/api/v1/feedback", "viewer"),
    ("GET", "/api/v1/feedback?unmasked=true", "admin"),
    ("GET", "/api/v1/painmap?period=2025", "viewer"),
    ("GET", "/api/v1/ingest-runs", "viewer"),
    ("GET", "/api/v1/sources", "viewer"),
    ("GET", "/api/v1/mentions", "admin"),
    ("GET", "/api/v1/tokens", "admin"),
]
ROLES = ("viewer", "analyst", "admin")


@pytest.mark.parametrize(("method", "path", "weakest"), ENDPOINTS)
def test_roles(api: tuple[TestClient, Seeded], method: str, path: str, weakest: str) -> None:
    client, seeded = api
    assert client.request(method, path).status_code == 401
    assert client.request(method, path, headers={"Authorization": "Bearer nope"}).status_code == 401
    for role in ROLES:
        status = client.request(method, path, headers=auth(seeded, role)).status_code
        expected = 200 if ROLES.index(role) >= ROLES.index(weakest) else 403
        assert status == expected, (path, role)


def test_feedback_is_masked_for_viewer(api: tuple[TestClient, Seeded]) -> None:
    client, seeded = api
    body = client.get("/api/v1/feedback?org=szn", headers=auth(seeded, "viewer")).json()
    assert body["total"] == 3
    texts = " ".join(i["text"] for i in body["items"])
    assert "[ФИО]" in texts and "[ТЕЛЕФОН]" in texts
    assert "Иванова" not in texts and "8-912" not in texts
    assert all("text_raw" not in i for i in body["items"])
    one = client.get(f"/api/v1/feedback/{seeded.ids['q1']}", headers=auth(seeded, "viewer")).json()
    assert "Иванова" not in str(one)


def test_admin_sees_raw_text_and_mentions(api: tuple[TestClient, Seeded]) -> None:
    client, seeded = api
    one = client.get(f"/api/v1/feedback/{seeded.ids['q1']}?unmasked=true",
                     headers=auth(seeded, "admin")).json()
    assert "Иванова С.И." in one["text_raw"]
    assert one["mentions"] == [{"name": "Иванова С.И.", "polarity": "negative"}]
    mentions = client.get("/api/v1/mentions", headers=auth(seeded, "admin")).json()
    assert {m["name"] for m in mentions} == {"Иванова С.И.", "Светлана Ивановна"}


@pytest.mark.parametrize(
    ("query", "keys"),
    [
        ("category=queue", {"q1", "q3"}),
        ("category=queue&period=2025", {"q1"}),
        ("channel=terminal", {"z2"}),
        ("polarity=positive", {"z1"}),
        ("q=дозвон", {"q2"}),
        ("q=иванова", set()),  # raw text is not searchable
        ("org=zags&period=2025-Q2", {"z1", "z2"}),
        ("period=2025-03", {"q1"}),
    ],
)
def test_feedback_filters(api: tuple[TestClient, Seeded], query: str, keys: set[str]) -> None:
    client, seeded = api
    body = client.get(f"/api/v1/feedback?{query}", headers=auth(seeded, "viewer")).json()
    assert {i["external_id"] for i in body["items"]} == keys


def test_feedback_csv(api: tuple[TestClient, Seeded]) -> None:
    client, seeded = api
    resp = client.get("/api/v1/feedback?format=csv&org=szn", headers=auth(seeded, "viewer"))
    assert resp.headers["content-type"].startswith("text/csv")
    text = resp.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("№;Код органа;")  # a Russian Excel: «;», Russian titles
    assert "[ФИО]" in text and "Иванова" not in text


def test_feedback_items_carry_their_evidence(api: tuple[TestClient, Seeded]) -> None:
    client, seeded = api
    item = client.get(f"/api/v1/feedback/{seeded.ids['q1']}", headers=auth(seeded, "viewer")).json()
    assert set(item["evidence"]) == set(item["categories"]) == {"queue", "rudeness"}
    rude = item["evidence"]["rudeness"][0]
    assert rude["text"] == "[ФИО] нахамила" == item["text"][rude["start"]:rude["end"]]
    assert "raw_start" not in rude  # a viewer gets spans of the masked text only
    admin = client.get(f"/api/v1/feedback/{seeded.ids['q1']}?unmasked=true",
                       headers=auth(seeded, "admin")).json()
    raw = admin["evidence"]["rudeness"][0]
    assert admin["text_raw"][raw["raw_start"]:raw["raw_end"]] == "Иванова С.И. нахамила"
    csv_text = client.get("/api/v1/feedback?format=csv&org=szn",
                          headers=auth(seeded, "viewer")).content.decode("utf-8-sig")
    assert "queue: Очередь на 3 часа | rudeness: [ФИО] нахамила" in csv_text


def test_bad_period_is_422(api: tuple[TestClient, Seeded]) -> None:
    client, seeded = api
    resp = client.get("/api/v1/feedback?period=вчера", headers=auth(seeded, "viewer"))
    assert resp.status_code == 422
    assert "период" in resp.json()["detail"]


@pytest.mark.parametrize(("path", "named"), [
    ("/api/v1/painmap", "/api/v1/painmap?period=2025"),
    ("/api/v1/scores", "/api/v1/scores?period=2025"),
    ("/api/v1/replies", "/api/v1/replies?period=2025"),
])
def test_no_period_means_the_latest_year(api: tuple[TestClient, Seeded], path: str, named: str) -> None:
    """As on the pages: without a period the latest year with feedback (2025 in the seed)."""
    client, seeded = api
    default = client.get(path, headers=auth(seeded, "viewer"))
    assert default.status_code == 200
    assert default.json() == client.get(named, headers=auth(seeded, "viewer")).json()


def test_analyst_corrects_labels(api: tuple[TestClient, Seeded]) -> None:
    client, seeded = api
    path = f"/api/v1/feedback/{seeded.ids['q2']}/labels"
    body = {"categories": ["phone", "information"], "polarity": "mixed"}
    assert client.put(path, json=body, headers=auth(seeded, "viewer")).status_code == 403
    resp = client.put(path, json=body, headers=auth(seeded, "analyst"))
    assert resp.status_code == 200
    item = resp.json()
    assert item["categories"] == ["phone", "information"]
    assert item["polarity"] == "mixed" and item["analyst_labeled"]
    # An empty analyst label is a label too: the model's categories no longer count.
    resp = client.put(f"/api/v1/feedback/{seeded.ids['q3']}/labels", json={"categories": []},
                      headers=auth(seeded, "analyst"))
    assert resp.json()["categories"] == []
    queue = client.get("/api/v1/feedback?category=queue", headers=auth(seeded, "viewer")).json()
    assert {i["external_id"] for i in queue["items"]} == {"q1"}
    bad = client.put(path, json={"categories": ["weather"]}, headers=auth(seeded, "analyst"))
    assert bad.status_code == 422


def test_painmap(api: tuple[TestClient, Seeded]) -> None:
    client, seeded = api
    body = client.get("/api/v1/painmap?period=2025", headers=auth(seeded, "viewer")).json()
    assert body["previous_period"] == "2024"
    cells = {(c["org"], c["category"]): c for c in body["cells"]}
    assert cells[("szn", "queue")]["count"] == 1
    assert cells[("szn", "queue")]["share"] == 50.0
    assert cells[("szn", "queue")]["previous_share"] == 100.0
    assert cells[("szn", "queue")]["change"] == -50.0
    assert cells[("zags", "schedule")]["count"] == 1
    csv = client.get("/api/v1/painmap?period=2025&format=csv", headers=auth(seeded, "viewer"))
    assert "Очереди и ожидание" in csv.content.decode("utf-8-sig")


def test_sources_and_runs(api: tuple[TestClient, Seeded]) -> None:
    client, seeded = api
    sources = client.get("/api/v1/sources", headers=auth(seeded, "viewer")).json()
    szn_yandex = next(s for s in sources if s["org"] == "szn" and s["kind"] == "yandex")
    assert szn_yandex["items"] == 2 and szn_yandex["status"] == "ok"
    runs = client.get("/api/v1/ingest-runs", headers=auth(seeded, "viewer")).json()
    assert runs[0]["n_new"] == 5


def test_token_management(api: tuple[TestClient, Seeded]) -> None:
    client, seeded = api
    made = client.post("/api/v1/tokens", json={"role": "viewer", "name": "отдел мониторинга"},
                       headers=auth(seeded, "admin"))
    assert made.status_code == 201
    secret = made.json()["token"]
    assert client.get("/api/v1/sources", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = client.get("/api/v1/tokens", headers=auth(seeded, "admin")).json()
    assert all("token" not in t for t in listed)
    admin = auth(seeded, "admin")
    assert client.delete(f"/api/v1/tokens/{made.json()['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/sources", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert client.post("/api/v1/tokens", json={"role": "root"}, headers=admin).status_code == 422


def test_openapi_docs(api: tuple[TestClient, Seeded]) -> None:
    client, _ = api
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/v1/feedback" in spec["paths"]


def test_csv_and_xlsx_open_in_a_russian_excel(api: tuple[TestClient, Seeded]) -> None:
    """«;» between cells, decimal commas, a BOM, Russian titles; the same table as XLSX."""
    import csv
    import io

    from openpyxl import load_workbook

    client, seeded = api
    text = client.get("/api/v1/painmap?period=2025&format=csv", headers=auth(seeded, "viewer")).content
    assert text.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Код органа", "Орган", "Отзывов с текстом", "Код боли"]
    queue = next(r for r in rows if r[0] == "szn" and r[3] == "queue")
    assert queue[rows[0].index("Доля, %")] == "50,00" and queue[rows[0].index("Изменение, п. п.")] == "-50,00"
    scores = client.get("/api/v1/scores?period=2025&format=csv", headers=auth(seeded, "viewer")).content
    header = scores.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Орган;Период;Показатель;n;CSI;Значение, %")
    book = client.get("/api/v1/scores?period=2025&format=xlsx", headers=auth(seeded, "viewer"))
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert sheet is not None and sheet.title == "Коэффициенты" and sheet["A1"].value == "Орган"
