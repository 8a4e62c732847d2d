"""The ПОС API client against a real HTTP server on loopback: pagination (page numbers and
`next` links), retries with backoff on 503 and timeouts, refusals, bad bodies, and the
import of what it fetches into the store."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from crawlers.pos_api import PosApiClient, PosApiConfig, PosApiError
from ingest.pos import api_records
from ingest.records import FeedbackRecord, Rejected
from models.tables import Feedback, IngestRun, Quarantine

MSK = ZoneInfo("Europe/Moscow")
TOKEN = "s3cret-token"
Reply = tuple[int, dict[str, str], bytes]


def item(n: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"6725{n:07d}", "received_at": f"2025-03-{n % 28 + 1:02d}", "rating": n % 5 + 1,
            "text": f"Сообщение номер {n}", "reply": "Ответ направлен", "category": "ЗАГС",
            "status": "Ответ направлен", "overdue": "Нет", **extra}


ITEMS = [item(n) for n in range(1, 6)]


class Api:
    """A loopback server whose answer to each request is decided by `route`."""

    def __init__(self, route: Callable[[Api, str, dict[str, str], dict[str, str]], Reply]) -> None:
        self.route = route
        self.requests: list[tuple[str, dict[str, str], dict[str, str]]] = []
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                headers = {k.lower(): v for k, v in self.headers.items()}
                api.requests.append((parts.path, query, headers))
                status, extra, body = api.route(api, parts.path, query, headers)
                try:
                    self.send_response(status)
                    for key, value in extra.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/api/v1"

    def __enter__(self) -> Api:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def ok(body: Any) -> Reply:
    return 200, {"Content-Type": "application/json"}, json.dumps(body, ensure_ascii=False).encode()


def paged(items: list[dict[str, Any]]) -> Callable[..., Reply]:
    """`?page=N&per_page=M` with a total, as most gateways paginate."""
    def route(api: Api, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return 401, {}, b'{"error": "unauthorized"}'
        page, per_page = int(query["page"]), int(query["per_page"])
        chunk = items[(page - 1) * per_page: page * per_page]
        return ok({"items": chunk, "total": len(items), "page": page, "per_page": per_page})
    return route


def client(api: Api, sleeps: list[float] | None = None, **overrides: Any) -> PosApiClient:
    config = PosApiConfig(**{"base_url": api.url, "token": TOKEN, "per_page": 2, "backoff": 0.5,
                             "timeout": 2.0, **overrides})
    return PosApiClient(config, sleep=(sleeps.append if sleeps is not None else lambda _: None))


@pytest.fixture
def fake_sleep() -> list[float]:
    return []


def test_page_number_pagination_and_mapping() -> None:
    with Api(paged(ITEMS)) as api, client(api) as pos:
        records = list(api_records(pos.items(), MSK))
    assert [q["page"] for _, q, _ in api.requests] == ["1", "2", "3"]
    assert {p for p, _, _ in api.requests} == {"/api/v1/messages"}
    assert all(isinstance(r, FeedbackRecord) for r in records)
    assert [r.external_id for r in records if isinstance(r, FeedbackRecord)] == [i["id"] for i in ITEMS]
    first = records[0]
    assert isinstance(first, FeedbackRecord)
    assert first.rating == 2.0 and first.published_at == datetime(2025, 3, 2, tzinfo=UTC)
    assert first.text == "Сообщение номер 1" and first.reply_text == "Ответ направлен"
    assert first.extra == {"category": "ЗАГС", "status": "Ответ направлен", "overdue": False}


def test_next_link_pagination_and_since() -> None:
    def route(api: Api, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        cursor = int(query.get("cursor", "0"))
        more = cursor + 2 < len(ITEMS)
        nxt = f"/api/v1/messages?cursor={cursor + 2}&updated_from=2025-03-01" if more else None
        return ok({"items": ITEMS[cursor:cursor + 2], "next": nxt})

    with Api(route) as api, client(api) as pos:
        records = list(api_records(pos.items(since=date(2025, 3, 1)), MSK))
    ids = [r.external_id for r in records if isinstance(r, FeedbackRecord)]
    assert ids == [i["id"] for i in ITEMS]
    assert [q.get("cursor") for _, q, _ in api.requests] == [None, "2", "4"]
    assert api.requests[0][1]["updated_from"] == "2025-03-01"


def test_503_then_success_is_retried_with_backoff(fake_sleep: list[float]) -> None:
    failures = {"left": 2}

    def route(api: Api, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        if query["page"] == "2" and failures["left"]:
            failures["left"] -= 1
            return 503, {}, b"busy"
        return paged(ITEMS)(api, path, query, headers)

    with Api(route) as api, client(api, fake_sleep) as pos:
        records = list(api_records(pos.items(), MSK))
    assert len(records) == 5
    assert [q["page"] for _, q, _ in api.requests] == ["1", "2", "2", "2", "3"]
    assert fake_sleep == [0.5, 1.0]  # exponential backoff


def test_retry_after_header_is_honoured(fake_sleep: list[float]) -> None:
    calls = {"n": 0}

    def route(api: Api, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            return 429, {"Retry-After": "7"}, b""
        return paged(ITEMS[:1])(api, path, query, headers)

    with Api(route) as api, client(api, fake_sleep) as pos:
        assert len(list(api_records(pos.items(), MSK))) == 1
    assert fake_sleep == [7.0]


def test_timeout_is_retried() -> None:
    calls = {"n": 0}

    def route(api: Api, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        calls["n"] += 1
        if calls["n"] == 1:
            time.sleep(0.6)
        return paged(ITEMS[:2])(api, path, query, headers)

    with Api(route) as api, client(api, timeout=0.2) as pos:
        assert len(list(api_records(pos.items(), MSK))) == 2
    assert calls["n"] == 2


@pytest.mark.parametrize(("reply", "message", "attempts"), [
    ((401, {}, b"{}"), r"ПОС API отклонил токен \(HTTP 401\)", 1),
    ((403, {}, b"{}"), r"ПОС API отклонил токен \(HTTP 403\)", 1),
    ((404, {}, b"{}"), "ПОС API ответил HTTP 404", 1),
    ((500, {}, b"oops"), "ПОС API недоступен: .* — HTTP 500 после 3 попыток", 3),
    ((200, {}, b"<html>not json</html>"), "ПОС API вернул не JSON", 1),
    ((200, {}, b"[1, 2]"), "ПОС API вернул не объект JSON", 1),
    ((200, {}, b'{"data": []}'), "нет списка items", 1),
])
def test_failures_are_russian_errors(fake_sleep: list[float], reply: Reply, message: str,
                                     attempts: int) -> None:
    with (Api(lambda *_: reply) as api, client(api, fake_sleep, retries=2) as pos,
          pytest.raises(PosApiError, match=message)):
        list(api_records(pos.items(), MSK))
    assert len(api.requests) == attempts


def test_unreachable_server() -> None:
    config = PosApiConfig(base_url="http://127.0.0.1:9/api", token=TOKEN, retries=1, backoff=0, timeout=1)
    with (PosApiClient(config, sleep=lambda _: None) as pos,
          pytest.raises(PosApiError, match="ошибка соединения")):
        list(api_records(pos.items(), MSK))


def test_bad_items_are_rejected_with_their_place() -> None:
    items = [item(1), item(2, rating=7), item(3, received_at=None), "garbage"]
    with Api(paged(items)) as api, client(api, per_page=10) as pos:
        outcomes = list(api_records(pos.items(), MSK))
    assert [type(o).__name__ for o in outcomes] == ["FeedbackRecord", "Rejected", "Rejected", "Rejected"]
    rejected = [o for o in outcomes if isinstance(o, Rejected)]
    assert [(r.location, r.reason) for r in rejected] == [
        ("ПОС API, страница 1, запись 2", "оценка ответа заявителем: оценка 7 вне шкалы 1–5"),
        ("ПОС API, страница 1, запись 3", "нет даты поступления"),
        ("ПОС API, страница 1, запись 4", "запись не является объектом JSON"),
    ]


@pytest.mark.parametrize(("settings", "env", "message"), [
    ({"token": TOKEN}, None, "не задан адрес ПОС API"),
    ({"base_url": "http://x"}, None, "не задан токен ПОС API"),
])
def test_config_errors(monkeypatch: pytest.MonkeyPatch, settings: dict[str, Any], env: str | None,
                       message: str) -> None:
    from models.settings import get_settings

    monkeypatch.delenv("PAINMAP_POS_API_TOKEN", raising=False)
    get_settings.cache_clear()
    with pytest.raises(PosApiError, match=message):
        PosApiConfig.from_settings(settings)


def test_token_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from models.settings import get_settings

    monkeypatch.setenv("PAINMAP_POS_API_TOKEN", "from-env")
    get_settings.cache_clear()
    try:
        assert PosApiConfig.from_settings({"base_url": "http://x", "per_page": 50}).token == "from-env"
    finally:
        get_settings.cache_clear()


@pytest.fixture
def pos_source(store: str) -> Iterator[int]:
    from models.db import session_scope
    from models.repo import ensure_organisation, ensure_source

    with session_scope() as session:
        org, _ = ensure_organisation(session, "zags", "Управление ЗАГС")
        source = ensure_source(session, org, "pos", "pos-api")
        assert source.id is not None
        source_id = source.id
    yield source_id


def test_import_from_the_api_is_idempotent_and_a_failure_stores_nothing(pos_source: int) -> None:
    from ingest.importers import import_pos_api
    from models.db import session_scope

    items = [*ITEMS, item(6, rating=9)]
    with Api(paged(items)) as api:
        settings = {"base_url": api.url, "token": TOKEN, "per_page": 4}
        first = import_pos_api(pos_source, settings)
        again = import_pos_api(pos_source, settings)
    assert (first.n_new, first.n_quarantined) == (5, 1)
    assert (again.n_new, again.n_updated, again.n_unchanged) == (0, 0, 5)

    def broken(api: Api, path: str, query: dict[str, str], headers: dict[str, str]) -> Reply:
        return (500, {}, b"") if query["page"] == "2" else paged([item(n) for n in range(10, 20)])(
            api, path, query, headers)

    with Api(broken) as api, pytest.raises(PosApiError):
        import_pos_api(pos_source, {"base_url": api.url, "token": TOKEN, "per_page": 4, "retries": 1,
                                    "backoff": 0})
    with session_scope() as session:
        assert len(session.exec(select(Feedback)).all()) == 5  # page 1 of the failed run is not kept
        assert len(session.exec(select(Quarantine)).all()) == 1
        runs = session.exec(select(IngestRun).order_by(IngestRun.id)).all()  # type: ignore[arg-type]
        assert [r.status for r in runs] == ["ok", "ok", "failed"]
        assert "HTTP 500" in (runs[-1].error or "")
