"""A loopback HTTP server that replays recorded Yandex review pages.

Tests and the demo point the real spider at it (`base_url`), so the whole crawl — requests,
politeness, retries, captcha handling — runs for real without the internet.

Layout of the directory it serves::

    <root>/<org_id>/page-<N>.html   recorded pages (a missing page is served empty, as
                                    Yandex serves pages past the last one); page-<N>-<ranking>.html
                                    for a sort order other than the default
    <root>/<org_id>/meta.json       {"name": ..., "count": ...} for the empty pages
    <root>/<org_id>/scenario.json   optional misbehaviour: {"errors": {"2": [503]},
                                    "captcha_pages": [3], "delay": 0.0}; a captcha page can
                                    also come as 403 + X-Yandex-Captcha ("captcha_403_pages"),
                                    inline at the reviews URL ("inline_captcha_pages") or as
                                    the older «Ой!» page ("oops_pages")
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from crawlers.yandex.fetch import PATH as FETCH_PATH
from crawlers.yandex.fetch import signature
from crawlers.yandex.page import CAPTCHA_PAGE, OOPS_PAGE, parse_page, render_page

REVIEWS_PATH = re.compile(r"^/maps/org/[^/]+/(?P<org>\d+)/reviews/?$")
ORG_PATH = re.compile(r"^/maps/org/[^/]+/\d+/?$")
REPLAY_TOKEN = "e223a1df9d0251e4a035980afc10861c0755a1f9:1700000000"


@dataclass
class RequestLog:
    """What the server saw, for tests of the crawler's manners: paths, request headers and
    arrival times (monotonic seconds), and the most requests it had in flight at once."""

    paths: list[str] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class ReplayServer:
    """`with ReplayServer(root) as server: server.base_url`."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.root = Path(root)
        self.log = RequestLog()
        self._consumed: dict[tuple[str, str], int] = {}
        handler = self._handler_class()
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReplayServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _scenario(self, org: str) -> dict:
        path = self.root / org / "scenario.json"
        return json.loads(path.read_text("utf-8")) if path.exists() else {}

    def respond(self, path: str) -> tuple[int, dict[str, str], bytes]:
        """Decide the response for a request path (pure apart from the error counters)."""
        parts = urlsplit(path)
        if parts.path.startswith("/showcaptcha"):
            return 200, {"Content-Type": "text/html; charset=utf-8"}, CAPTCHA_PAGE.encode()
        if parts.path == FETCH_PATH:
            return self.fetch_reviews(parts.query)
        if ORG_PATH.match(parts.path):  # the organisation's card: a crawl opens it first
            return 200, {"Content-Type": "text/html; charset=utf-8",
                         "Set-Cookie": "yandexuid=4242424242; Path=/; Max-Age=31536000"}, \
                b"<!DOCTYPE html><html></html>"
        match = REVIEWS_PATH.match(parts.path)
        if not match:
            return 404, {"Content-Type": "text/plain"}, b"not found"
        org = match.group("org")
        query = parse_qs(parts.query)
        page, ranking = query.get("page", ["1"])[0], query.get("ranking", ["by_time"])[0]
        scenario = self._scenario(org)
        if scenario.get("delay"):
            time.sleep(float(scenario["delay"]))
        errors = scenario.get("errors", {}).get(page, [])
        used = self._consumed.get((org, page), 0)
        if used < len(errors):
            self._consumed[(org, page)] = used + 1
            return int(errors[used]), {"Content-Type": "text/plain"}, b"server error"
        if int(page) in scenario.get("captcha_pages", []):
            return 302, {"Location": f"/showcaptcha?retpath={page}"}, b""
        if int(page) in scenario.get("captcha_403_pages", []):  # refused outright, with the header
            return 403, {"Content-Type": "text/html; charset=utf-8", "X-Yandex-Captcha": "captcha"}, \
                CAPTCHA_PAGE.encode()
        if int(page) in scenario.get("inline_captcha_pages", []):  # a 200 at the reviews URL itself
            return 200, {"Content-Type": "text/html; charset=utf-8"}, CAPTCHA_PAGE.encode()
        if int(page) in scenario.get("oops_pages", []):
            return 200, {"Content-Type": "text/html; charset=utf-8"}, OOPS_PAGE.encode()
        file = self.root / org / f"page-{page}-{ranking}.html"  # a recorded page of that sort order
        if not file.exists():
            file = self.root / org / f"page-{page}.html"
        if file.exists():
            body = file.read_bytes()
        else:
            meta_path = self.root / org / "meta.json"
            meta = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
            body = render_page([], int(page), int(meta.get("count", 0)), meta.get("name", "")).encode()
        return 200, {"Content-Type": "text/html; charset=utf-8"}, body

    def fetch_reviews(self, query: str) -> tuple[int, dict[str, str], bytes]:
        """`fetchReviews` as Yandex answers it: a wrong `s` is HTTP 400, a missing or stale
        token gets the csrf challenge, a `fetch_captcha_pages` page `{"type": "captcha"}`,
        else the reviews and params of the recorded page."""
        pairs = parse_qsl(query, keep_blank_values=True)
        params = dict(pairs)
        unsigned = urlencode(sorted((k, v) for k, v in pairs if k != "s"))
        json_type = {"Content-Type": "application/json; charset=utf-8"}
        if params.get("s") != str(signature(unsigned)):
            return 400, json_type, b'{"error": "bad signature"}'
        if params.get("csrfToken") != REPLAY_TOKEN:
            return 200, json_type, json.dumps({"csrfToken": REPLAY_TOKEN}).encode()
        org, page = params.get("businessId", ""), params.get("page", "1")
        if int(page) in self._scenario(org).get("fetch_captcha_pages", []):
            return 200, json_type, b'{"type": "captcha"}'
        _, _, body = self.respond(f"/maps/org/org/{org}/reviews/?page={page}&ranking={params.get('ranking')}")
        parsed = parse_page(body.decode("utf-8"))
        answer = {"data": {"reviews": parsed.reviews, "params": parsed.params}}
        return 200, json_type, json.dumps(answer, ensure_ascii=False).encode()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                log = server.log
                with log.lock:
                    log.paths.append(self.path)
                    log.headers.append(dict(self.headers.items()))
                    log.times.append(time.monotonic())
                    log.in_flight += 1
                    log.max_in_flight = max(log.max_in_flight, log.in_flight)
                try:
                    status, headers, body = server.respond(self.path)
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                finally:
                    with log.lock:
                        log.in_flight -= 1

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler
