"""A real browser (headless Chromium) on the analysts' pages: open the heatmap, drill into a
cell, correct a label and see it persisted. Screenshots go to .ci/artifacts/screenshots."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api_fixtures import Seeded, seed

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
SHOTS = Path(".ci/artifacts/screenshots")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
                       reason="Debian chromium and chromium-driver are not installed"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(sqlite_store: str) -> Iterator[tuple[str, Seeded]]:
    import uvicorn

    from api.app import create_app

    seeded = seed()
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", seeded
    srv.should_exit = True
    thread.join(5)


@pytest.fixture
def browser() -> Iterator[object]:
    """Chromium with no network beyond loopback: a page that needs a CDN shows it here."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--window-size=1400,1000",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def shot(driver: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]


def open_as_analyst(driver: object, server: tuple[str, Seeded], path: str) -> object:
    """Open a page, log in on the form it redirects to, and return a 20-second waiter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, seeded = server
    wait = WebDriverWait(driver, 20)  # type: ignore[arg-type]
    driver.get(f"{base}{path}")  # type: ignore[attr-defined]
    wait.until(ec.presence_of_element_located((By.ID, "token"))).send_keys(seeded.tokens["analyst"])
    driver.find_element(By.ID, "login").click()  # type: ignore[attr-defined]
    return wait


def test_heatmap_drilldown_and_correction(server: tuple[str, Seeded], browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    base, seeded = server
    driver = browser
    wait: Any = open_as_analyst(driver, server, "/painmap?period=2025")
    wait.until(ec.presence_of_element_located((By.ID, "painmap-table")))
    # The heatmap is drawn by plotly served from the package: its SVG must appear.
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "#heatmap .main-svg")))
    shot(driver, "1-heatmap")

    driver.find_element(By.CSS_SELECTOR, 'a[data-org="szn"][data-category="queue"]').click()  # type: ignore[attr-defined]
    wait.until(ec.presence_of_element_located((By.ID, "items")))
    marks = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "#items mark")]  # type: ignore[attr-defined]
    assert "Очередь на 3 часа" in marks  # the evidence sentence is marked
    assert "Иванова" not in driver.page_source  # type: ignore[attr-defined]
    shot(driver, "2-drilldown")

    driver.find_element(By.CSS_SELECTOR, f'.item[data-id="{seeded.ids["q1"]}"] a.edit').click()  # type: ignore[attr-defined]
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, 'input[value="information"]')))
    assert not box.is_selected()
    box.click()
    driver.find_element(By.ID, "save").click()  # type: ignore[attr-defined]
    wait.until(ec.presence_of_element_located((By.ID, "saved")))
    assert driver.find_element(By.CSS_SELECTOR, 'input[value="information"]').is_selected()  # type: ignore[attr-defined]
    shot(driver, "3-corrected")

    item = httpx.get(f"{base}/api/v1/feedback/{seeded.ids['q1']}",
                     headers={"Authorization": f"Bearer {seeded.tokens['viewer']}"}).json()
    assert item["categories"] == ["queue", "rudeness", "information"]
    assert item["analyst_labeled"] is True


def test_labelling_queue_by_keyboard(server: tuple[str, Seeded], browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec

    base, seeded = server
    driver = browser
    wait: Any = open_as_analyst(driver, server, "/labelling?period=2025")
    card = wait.until(ec.presence_of_element_located((By.ID, "queue-item")))
    first = int(card.get_attribute("data-id"))
    assert first == seeded.ids["z2"]  # the text the model is least sure of
    body = driver.find_element(By.TAG_NAME, "body")  # type: ignore[attr-defined]
    body.send_keys("6")  # premises
    assert driver.find_element(By.CSS_SELECTOR, 'input[value="premises"]').is_selected()  # type: ignore[attr-defined]
    shot(driver, "4-labelling")
    body.send_keys(Keys.ENTER)  # one key: save as marked and go on
    wait.until(ec.presence_of_element_located((By.ID, "saved")))
    assert int(driver.find_element(By.ID, "queue-item").get_attribute("data-id")) == seeded.ids["z1"]  # type: ignore[attr-defined]
    driver.find_element(By.TAG_NAME, "body").send_keys("n")  # type: ignore[attr-defined]  # «болей нет»
    def showing(key: str) -> object:
        return lambda d: int(d.find_element(By.ID, "queue-item").get_attribute("data-id")) == seeded.ids[key]

    wait.until(showing("q2"))
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_LEFT)  # type: ignore[attr-defined]
    wait.until(showing("z1"))
    assert driver.find_element(By.ID, "labelled")  # type: ignore[attr-defined]
    shot(driver, "5-labelling-previous")
    headers = {"Authorization": f"Bearer {seeded.tokens['viewer']}"}
    z2 = httpx.get(f"{base}/api/v1/feedback/{seeded.ids['z2']}", headers=headers).json()
    z1 = httpx.get(f"{base}/api/v1/feedback/{seeded.ids['z1']}", headers=headers).json()
    assert z2["categories"] == ["schedule", "premises"] and z2["analyst_labeled"]
    assert z1["categories"] == [] and z1["analyst_labeled"]


def test_incidents_page_filter_and_status_change(server: tuple[str, Seeded], browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select

    from tests.incident_fixtures import seed_incidents

    base, seeded = server
    ids = seed_incidents(seeded)
    driver = browser
    wait: Any = open_as_analyst(driver, server, "/incidents")
    table = wait.until(ec.presence_of_element_located((By.ID, "incidents")))
    assert len(table.find_elements(By.CSS_SELECTOR, "tbody tr.overdue")) == 3  # all three are past 24 h
    Select(driver.find_element(By.ID, "signal")).select_by_value("spike")  # type: ignore[attr-defined]
    wait.until(lambda d: "signal=spike" in d.current_url)
    rows = driver.find_elements(By.CSS_SELECTOR, "#incidents tbody tr")  # type: ignore[attr-defined]
    assert len(rows) == 1 and "Очереди и ожидание" in rows[0].text
    shot(driver, "6-incidents")

    rows[0].find_element(By.TAG_NAME, "a").click()
    wait.until(ec.presence_of_element_located((By.ID, "change-form")))
    Select(driver.find_element(By.ID, "new-status")).select_by_value("in_work")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "comment").send_keys("открыли второе окно")  # type: ignore[attr-defined]
    driver.find_element(By.ID, "save").click()  # type: ignore[attr-defined]
    wait.until(ec.presence_of_element_located((By.ID, "saved")))
    assert driver.find_element(By.ID, "status-now").text == "в работе"  # type: ignore[attr-defined]
    assert "открыли второе окно" in driver.find_element(By.ID, "history").text  # type: ignore[attr-defined]
    shot(driver, "7-incident")

    item = httpx.get(f"{base}/api/v1/incidents/{ids['spike']}",
                     headers={"Authorization": f"Bearer {seeded.tokens['viewer']}"}).json()
    assert item["status"] == "in_work" and item["history"][-1]["comment"] == "открыли второе окно"


def _loaded_from(driver: Any) -> list[str]:
    return list(driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"))


def test_api_docs_render_with_no_network(server: tuple[str, Seeded], browser: object) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    base, _ = server
    driver: Any = browser
    wait = WebDriverWait(driver, 30)
    driver.get(f"{base}/docs")
    title = wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, ".swagger-ui .info .title")))
    assert "painmap API" in title.text
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, '[id^="operations-incidents"]')))
    shot(driver, "8-docs")
    assert all(url.startswith(base) for url in _loaded_from(driver)), _loaded_from(driver)


@pytest.mark.parametrize("path", ["/painmap?period=2025", "/painmap/cell?org=szn&category=queue&period=2025",
                                  "/dashboard?period=2025", "/incidents", "/labelling?period=2025",
                                  "/feedback/{q1}", "/feedback?period=2025&q=очередь"])
def test_pages_fit_the_window(server: tuple[str, Seeded], browser: object, path: str) -> None:
    """No horizontal scroll of the page body at 1400 px; a wide table scrolls in its own box."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec

    _, seeded = server
    driver: Any = browser
    wait: Any = open_as_analyst(driver, server, path.format(**seeded.ids))
    wait.until(ec.presence_of_element_located((By.TAG_NAME, "main")))
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    shot(driver, "fit-" + path.strip("/").split("?")[0].replace("/", "-").replace("{q1}", "item"))
    assert overflow <= 0
    # Chart labels drawn whole: every axis label lies inside its chart's drawing.
    cut = driver.execute_script("""
        const out = [];
        for (const svg of document.querySelectorAll(".js-plotly-plot .main-svg")) {
          const box = svg.getBoundingClientRect();
          for (const t of svg.querySelectorAll(".xtick text, .ytick text")) {
            const r = t.getBoundingClientRect();
            if (r.width && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1
                            || r.bottom > box.bottom + 1)) out.push(t.textContent);
          }
        }
        return out;""")
    assert cut == []
