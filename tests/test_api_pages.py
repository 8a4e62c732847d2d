"""The analysts' pages, through the HTTP client: login, heatmap, drill-down with cue words,
label correction, dashboard, follow-up list, and that they need no internet."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.api_fixtures import Seeded, seed


@pytest.fixture
def site(sqlite_store: str) -> Iterator[tuple[TestClient, Seeded]]:
    seeded = seed()
    # As a browser does on every form POST from the pages.
    with TestClient(create_app(), headers={"Origin": "http://testserver"}) as client:
        yield client, seeded


def login(client: TestClient, token: str) -> None:
    resp = client.post("/login", data={"token": token, "next": "/painmap"}, follow_redirects=False)
    assert resp.status_code == 303


def test_pages_require_login(site: tuple[TestClient, Seeded]) -> None:
    client, _ = site
    resp = client.get("/painmap", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")
    bad = client.post("/login", data={"token": "nope"})
    assert "Неверный" in bad.text


def test_heatmap_and_drilldown(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["viewer"])
    page = client.get("/painmap?period=2025").text
    assert "Карта болей клиентов — 2025 год" in page
    assert "Очереди и ожидание" in page and "Соцзащита" in page
    assert 'src="/vendor/plotly.min.js"' in page
    assert "https://" not in re.sub(r'href="https?://[^"]*"', "", page)  # no CDN
    cell = client.get("/painmap/cell?org=szn&category=queue&period=2025").text
    # the sentence that triggered the category is marked, not only a cue word
    assert re.search(r'<mark class="evidence" title="Очереди и ожидание"[^>]*>Очередь на 3 часа</mark>', cell)
    assert "Иванова" not in cell and "[ФИО]" in cell
    older = client.get("/painmap/cell?org=szn&category=queue&period=2024").text
    assert re.search(r"<mark[^>]*>Очередь</mark> огромная", older)  # no evidence stored: the cue word
    item = client.get(f"/feedback/{seeded.ids['q1']}").text
    assert re.search(r'<mark[^>]*data-categories="rudeness"[^>]*>\[ФИО\] нахамила</mark>', item)
    assert client.get("/vendor/plotly.min.js").status_code == 200


def test_viewer_cannot_correct(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["viewer"])
    page = client.get(f"/feedback/{seeded.ids['q2']}").text
    assert "Исправлять разметку может аналитик" in page
    resp = client.post(f"/feedback/{seeded.ids['q2']}", data={"categories": ["queue"]})
    assert resp.status_code == 403


def test_analyst_corrects_labels_on_the_page(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["analyst"])
    item = seeded.ids["q2"]
    resp = client.post(f"/feedback/{item}", data={"categories": ["phone", "information"],
                                                   "polarity": "mixed", "back": "/painmap"},
                       follow_redirects=True)
    assert "Разметка сохранена" in resp.text
    assert 'value="information" checked' in resp.text
    data = client.get(f"/api/v1/feedback/{item}",
                      headers={"Authorization": f"Bearer {seeded.tokens['analyst']}"}).json()
    assert data["categories"] == ["phone", "information"] and data["polarity"] == "mixed"


def test_admin_sees_raw_text(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["admin"])
    assert "Иванова С.И." in client.get(f"/feedback/{seeded.ids['q1']}").text


def test_dashboard_and_followup(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["viewer"])
    dash = client.get("/dashboard?period=2025&granularity=month").text
    assert "Коэффициенты Методики — 2025 год" in dash
    assert "Куд (среднее по каналам)" in dash
    assert json.dumps("мар 2025")[1:-1] in dash  # Russian month names on the axis (JSON-escaped)
    days = client.get("/dashboard?period=2025&granularity=day").text
    assert "слишком много точек" in days
    assert "аналитики ещё не размечали" in dash
    follow = client.get("/followup?period=2025", follow_redirects=False)  # now the incidents' view
    assert follow.headers["location"] == "/incidents?signal=bad_rating"


def test_labelling_queue_least_sure_first(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["analyst"])
    ids = seeded.ids
    page = client.get("/labelling?period=2025").text  # seeded uncertainty: z2 > z1 > q2 > q1
    assert f'data-id="{ids["z2"]}"' in page and "Текст 1 из 4" in page and "не размечено: 4" in page
    assert "<kbd>1</kbd> Очереди и ожидание" in page and "<kbd>=</kbd> Электронные услуги и сайт" in page
    resp = client.post(f"/labelling/{ids['z2']}", data={"categories": ["schedule", "premises"],
                                                        "polarity": "negative", "org": "", "period": "2025"})
    assert f'data-id="{ids["z1"]}"' in resp.text  # on to the next unlabelled text
    assert f"Разметка отзыва №{ids['z2']} сохранена" in resp.text and "не размечено: 3" in resp.text
    back = client.get(f"/labelling?period=2025&item={ids['z2']}").text
    assert "размечено аналитиком" in back and re.search(r'value="premises"[^>]* checked', back)
    api = client.get(f"/api/v1/feedback/{ids['z2']}",
                     headers={"Authorization": f"Bearer {seeded.tokens['viewer']}"})
    assert api.json()["categories"] == ["schedule", "premises"] and api.json()["analyst_labeled"]
    # «Болей нет»: no category is a decision too; after the last one the queue wraps around
    resp = client.post(f"/labelling/{ids['q1']}", data={"org": "", "period": "2025"})
    assert f'data-id="{ids["z1"]}"' in resp.text
    only_szn = client.get("/labelling?period=2025&org=szn").text
    assert f'data-id="{ids["q2"]}"' in only_szn and "Текст 1 из 2" in only_szn
    assert "Нечего размечать" in client.get("/labelling?period=2023").text


def test_viewer_cannot_label_from_the_queue(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["viewer"])
    assert "Размечать тексты может только аналитик" not in client.get("/labelling?period=2025").text
    resp = client.post(f"/labelling/{seeded.ids['q2']}", data={"categories": ["queue"]})
    assert resp.status_code == 403


def test_dashboard_shows_how_often_the_model_agreed_with_analysts(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["analyst"])
    # q1: the model said queue + rudeness; the analyst keeps both (the same) — q2: the model said
    # phone, the analyst says phone + information (not the same) — both are «Соцзащита», 2025
    client.post(f"/feedback/{seeded.ids['q1']}", data={"categories": ["queue", "rudeness"]})
    client.post(f"/feedback/{seeded.ids['q2']}", data={"categories": ["phone", "information"]})
    dash = client.get("/dashboard?period=2025").text
    row = re.search(r"<tr><td>Соцзащита</td>(.*?)</tr>", dash.split('id="agreement-table"')[1]).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["2", "50,00", "0,86"]  # 1 of 2 the same; tp 3, fp 0, fn 1 → F1 6/7
    assert "ЗАГС</td>" not in dash.split('id="agreement-table"')[1].split("</table>")[0]


@pytest.mark.parametrize("target", [
    "//evil.example/phish", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
    "/\t/evil.example", "evil.example", "http:evil.example",
])
def test_login_never_leaves_the_site(site: tuple[TestClient, Seeded], target: str) -> None:
    client, seeded = site
    resp = client.post("/login", data={"token": seeded.tokens["viewer"], "next": target},
                       follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/painmap"
    form = client.get("/login", params={"next": target}).text
    assert 'name="next" value="/painmap"' in form
    page = client.get(f"/feedback/{seeded.ids['q1']}", params={"back": target}).text
    assert "evil.example" not in page


def test_login_keeps_a_local_next(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    resp = client.post("/login", data={"token": seeded.tokens["viewer"], "next": "/followup?period=2025"},
                       follow_redirects=False)
    assert resp.headers["location"] == "/followup?period=2025"


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Origin": "null"},
    {"Origin": "", "Referer": "http://evil.example/page"},
    {"Origin": ""},
])
def test_cross_site_form_posts_are_refused(site: tuple[TestClient, Seeded], headers: dict[str, str]) -> None:
    client, seeded = site
    login(client, seeded.tokens["analyst"])
    item = seeded.ids["q2"]
    resp = client.post(f"/feedback/{item}", data={"categories": ["queue"]}, headers=headers,
                       follow_redirects=False)
    assert resp.status_code == 403 and "не со страниц painmap" in resp.text
    page = client.get(f"/feedback/{item}").text
    assert 'value="phone" checked' in page and 'value="queue" checked' not in page
    assert client.post("/logout", headers=headers, follow_redirects=False).status_code == 403
    assert client.get("/painmap", follow_redirects=False).status_code == 200


def test_same_site_referer_is_enough(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["analyst"])
    resp = client.post(f"/feedback/{seeded.ids['q2']}", data={"categories": ["queue"]},
                       headers={"Origin": "", "Referer": "http://testserver/feedback/1"},
                       follow_redirects=False)
    assert resp.status_code == 303


def test_logout_takes_a_post(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["viewer"])
    page = client.get("/logout")
    assert page.status_code == 200 and 'action="/logout"' in page.text
    assert client.get("/painmap", follow_redirects=False).status_code == 200
    resp = client.post("/logout", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/login"
    assert client.get("/painmap", follow_redirects=False).status_code == 303


def test_the_api_ignores_the_page_cookie(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["admin"])
    assert client.get("/api/v1/feedback").status_code == 401
    resp = client.put(f"/api/v1/feedback/{seeded.ids['q2']}/labels", json={"categories": ["queue"]})
    assert resp.status_code == 401


def test_login_brings_back_to_the_page_with_its_query(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    asked = client.get("/painmap/cell?org=szn&category=queue&period=2025", follow_redirects=False)
    assert asked.headers["location"] == ("/login?next=%2Fpainmap%2Fcell%3Forg%3Dszn"
                                         "%26category%3Dqueue%26period%3D2025")
    back = client.post("/login", data={"token": seeded.tokens["viewer"],
                                       "next": "/painmap/cell?org=szn&category=queue&period=2025"},
                       follow_redirects=False)
    assert back.headers["location"] == "/painmap/cell?org=szn&category=queue&period=2025"


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("period=2025", {"Очередь на 3 часа", "Не дозвониться", "перерыв 2 часа"}, set()),
    ("period=2025&org=zags", {"перерыв 2 часа"}, {"Не дозвониться"}),
    ("period=2025&channel=terminal", {"перерыв 2 часа"}, {"Очередь на 3 часа"}),
    ("period=2025&category=phone", {"Не дозвониться"}, {"перерыв 2 часа"}),
    ("period=2025&q=дозвон", {"Не дозвониться"}, {"Очередь на 3 часа"}),
    ("period=2025&q=100%25", set(), {"Очередь на 3 часа"}),
])
def test_feedback_list_filters_and_search(site: tuple[TestClient, Seeded], query: str, shown: set[str],
                                          hidden: set[str]) -> None:
    client, seeded = site
    login(client, seeded.tokens["viewer"])
    page = re.sub(r"<[^>]+>", "", client.get(f"/feedback?{query}").text)  # cue words are marked up
    assert all(text in page for text in shown) and not any(text in page for text in hidden)
    export = client.get(f"/feedback/export.csv?{query}").content.decode("utf-8-sig")
    assert export.startswith("№;Дата;Орган;Канал;")
    assert all(text in export for text in shown) and not any(text in export for text in hidden)


def test_painmap_filters_numbers_and_export(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["viewer"])
    page = client.get("/painmap?period=2025").text
    table = page.split('id="painmap-table"')[1].split("</table>")[0]
    assert "1 · 50,0&nbsp;%" in table and "−50,0&nbsp;п.&nbsp;п." in table and "50.0" not in table
    only_terminal = client.get("/painmap?period=2025&channel=terminal").text
    assert "Соцзащита" not in only_terminal.split("painmap-table")[1] and "ЗАГС" in only_terminal
    book = client.get("/painmap/export.xlsx?period=2025&org=szn")
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(book.content)).active
    assert sheet is not None and sheet["B1"].value == "Орган"
    assert {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)} == {"szn"}


def test_the_dashboard_offers_the_report(sqlite_store: str) -> None:
    """As `painmap serve` wires it: the real report builder behind the dashboard's links."""
    from io import BytesIO

    from docx import Document
    from openpyxl import load_workbook

    from flows.web import build_for_pages

    seeded = seed()
    origin = {"Origin": "http://testserver"}
    with TestClient(create_app(report_builder=build_for_pages), headers=origin) as client:
        login(client, seeded.tokens["viewer"])
        assert 'id="report-docx"' in client.get("/dashboard?period=2025").text
        docx = client.get("/dashboard/report.docx?period=2025")
        assert docx.status_code == 200 and "attachment" in docx.headers["content-disposition"]
        title = [p.text for p in Document(BytesIO(docx.content)).paragraphs[:4]]
        assert any("за 2025 год" in t for t in title)
        book = load_workbook(BytesIO(client.get("/dashboard/report.xlsx?period=2025").content))
        assert book.sheetnames
        assert client.get("/dashboard/report.docx?period=2025&edition=admin").status_code == 403
    with TestClient(create_app(), headers=origin) as bare:  # without the builder: no links
        login(bare, seeded.tokens["viewer"])
        assert "report-docx" not in bare.get("/dashboard?period=2025").text
        assert bare.get("/dashboard/report.docx?period=2025").status_code == 404


def test_the_dashboard_table_exports(site: tuple[TestClient, Seeded]) -> None:
    client, seeded = site
    login(client, seeded.tokens["viewer"])
    assert 'id="export-xlsx"' in client.get("/dashboard?period=2025").text
    text = client.get("/dashboard/export.csv?period=2025").content.decode("utf-8-sig")
    assert text.startswith("Орган;Период;Показатель;n;CSI;Значение, %")
    assert ";k_ud;" in text and "," in text.splitlines()[1]
