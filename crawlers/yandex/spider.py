"""The Scrapy spider for Yandex Maps organisation reviews.

Fetching only: the page is parsed by `crawlers.yandex.page.parse_page` and each review
mapped by `crawlers.yandex.items.review_item` (pure functions tested on recorded pages);
`crawlers.yandex.paging.Paging` decides when to stop. The spider yields, per page, the
page's review items, its rejected reviews, then one page marker — all plain dicts with a
`type` key — so a consumer can keep exactly the pages that were complete.

Run it through `crawlers.yandex.run.crawl` (a subprocess per crawl), never in-process in a
long-lived program: Twisted's reactor cannot be restarted.
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import scrapy
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import DownloadConnectionRefusedError, DownloadTimeoutError
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.asyncio import sleep
from twisted.internet.error import ConnectError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from crawlers.identity import Identity
from crawlers.yandex.fetch import CAPTCHA, CHALLENGE, fetch_url, parse_fetch
from crawlers.yandex.items import ItemError, parse_time, review_item
from crawlers.yandex.page import (
    BY_TIME,
    CAPTCHA_HEADER,
    PageFormatError,
    csrf_token,
    is_captcha,
    org_url,
    page_url,
    parse_page,
    read_state,
)
from crawlers.yandex.paging import STOP_BLOCKED, STOP_ERROR, Paging

PAGES, FETCH = "pages", "fetch"  # how reviews are asked for (setting `strategy` of a source)

# A current desktop Chrome: Yandex serves the SSR page to browsers, and a bot-looking
# User-Agent is the quickest way to a captcha.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
BROWSER_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "Accept-Language": "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7",
    "Upgrade-Insecure-Requests": "1",
}
DEFAULT_DELAY = 3.0  # seconds between requests to one host (randomised ×0.5–1.5 by Scrapy)
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 2.0  # first retry waits this long, then twice as long each time
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]


def crawl_settings(delay: float = DEFAULT_DELAY, timeout: float = DEFAULT_TIMEOUT,
                   retries: int = DEFAULT_RETRIES, backoff: float = DEFAULT_BACKOFF,
                   log_level: str = "WARNING", identity: Identity | None = None) -> dict[str, Any]:
    """Scrapy settings of a polite crawl of one organisation. With an `identity` (a fleet's
    worker) the delay is kept per host and identity in the store (`crawlers.yandex.fleet`)
    instead of in this process, and requests leave through the identity's proxy/address."""
    settings = _own_settings(delay, timeout, retries, backoff, log_level)
    if identity is not None:
        settings |= {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                     "PAINMAP_PACE_IDENTITY": identity.name, "PAINMAP_PACE_INTERVAL": delay,
                     "PAINMAP_PROXY": identity.proxy, "PAINMAP_BIND_ADDRESS": identity.bind_address}
        settings["DOWNLOADER_MIDDLEWARES"] = {**settings["DOWNLOADER_MIDDLEWARES"],
                                              "crawlers.yandex.fleet.IdentityMiddleware": 100,
                                              "crawlers.yandex.fleet.PaceMiddleware": 950}
    return settings


def _own_settings(delay: float, timeout: float, retries: int, backoff: float,
                  log_level: str) -> dict[str, Any]:
    return {
        "BOT_NAME": "painmap",
        # One request at a time per host, and only one host per crawl anyway.
        "CONCURRENT_REQUESTS": 1,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        # Seconds between requests; Scrapy randomises it (×0.5–1.5) to look less mechanical.
        "DOWNLOAD_DELAY": delay,
        "RANDOMIZE_DOWNLOAD_DELAY": True,
        # AutoThrottle stretches the delay when the server slows down (never below DOWNLOAD_DELAY).
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": delay,
        "AUTOTHROTTLE_MAX_DELAY": max(60.0, delay * 10),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        # Transient failures (5xx, 429, timeouts, dropped connections) are retried with an
        # exponential backoff (BackoffRetryMiddleware); a captcha is never retried.
        "RETRY_ENABLED": True,
        "RETRY_TIMES": retries,
        "RETRY_HTTP_CODES": RETRY_HTTP_CODES,
        "RETRY_BACKOFF": backoff,
        "RETRY_BACKOFF_MAX": 120.0,
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawlers.yandex.spider.BackoffRetryMiddleware": 550,
        },
        "DOWNLOAD_TIMEOUT": timeout,
        "USER_AGENT": BROWSER_USER_AGENT,
        "DEFAULT_REQUEST_HEADERS": BROWSER_HEADERS,
        "COOKIES_ENABLED": True,
        # The spider follows one page at a time itself; robots.txt is not consulted for the
        # dozen pages a night of an organisation's own public card.
        "ROBOTSTXT_OBEY": False,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": log_level,
    }


def is_block(response: Response) -> bool:
    """A refusal rather than an error: HTTP 403 with `X-Yandex-Captcha`, or any answer whose
    body is a captcha page."""
    if response.status == 403 and response.headers.get(CAPTCHA_HEADER):
        return True
    text = response.text if hasattr(response, "text") else ""
    return is_captcha(text, response.url)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry policy plus an exponential, jittered wait before each retry, so a
    struggling server is not hammered (Scrapy itself retries immediately)."""

    def _wait(self, request: Request) -> float:
        settings = self.crawler.settings
        attempt = int(request.meta.get("retry_times", 1))
        base = settings.getfloat("RETRY_BACKOFF", DEFAULT_BACKOFF)
        wait = min(settings.getfloat("RETRY_BACKOFF_MAX", 120.0), base * 2 ** (attempt - 1))
        return wait * random.uniform(0.8, 1.2)

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await sleep(self._wait(result))
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await sleep(self._wait(result))
        return result


@dataclass
class Outcome:
    """How the crawl ended, read by the worker when the spider closes."""

    pages: int = 0
    stop: str | None = None
    blocked_page: int | None = None
    blocked_url: str | None = None
    error: str | None = None


class YandexReviewsSpider(scrapy.Spider):
    name = "yandex_reviews"

    def __init__(self, org_id: str, base_url: str, max_pages: int | None = None, since: str | None = None,
                 slug: str | None = None, ranking: str = BY_TIME, cookies: dict[str, str] | None = None,
                 strategy: str = PAGES, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.org_id, self.base_url, self.slug, self.ranking = str(org_id), base_url, slug, ranking or BY_TIME
        # `pages`: the server-rendered ?page=N; `fetch`: the JSON endpoint the page itself calls.
        self.strategy = strategy or PAGES
        self.csrf_token = ""
        # The site's cookies from the last crawl of this source, and what it sets this time:
        # a visitor who comes back with the cookies of yesterday looks like one.
        self.cookies: dict[str, str] = dict(cookies or {})
        since_at = parse_time(since, "since") if since else None
        self.paging = Paging(max_pages=int(max_pages) if max_pages else None, since=since_at)
        self.outcome = Outcome()

    def request(self, page: int, referer: str) -> Request:
        """A reviews page, asked for as the page's own link would be: with the previous page
        (or the organisation's card) as Referer."""
        url = page_url(self.base_url, self.org_id, page, self.slug, self.ranking)
        return Request(url, callback=self.parse, errback=self.failed, meta={"page": page}, dont_filter=True,
                       headers={"Referer": referer})

    async def start(self) -> AsyncIterator[Request]:
        """The organisation's card first (a visitor opens it before the reviews; its cookies
        come along), then the reviews. The card's own answer does not matter."""
        card = org_url(self.base_url, self.org_id, self.slug)
        jar: dict[str | bytes, str | bytes | bool | float | int] = {k: v for k, v in self.cookies.items()}
        yield Request(card, callback=self.warmed, errback=self.warmed, dont_filter=True, cookies=jar,
                      meta={"handle_httpstatus_all": True, "dont_retry": True}, priority=10)

    def warmed(self, response_or_failure: Any, **kwargs: Any) -> Iterator[Request]:
        if isinstance(response_or_failure, Response):
            self.keep_cookies(response_or_failure)
            self.csrf_token = self.token_of(response_or_failure) or self.csrf_token
        yield self.follow(1, org_url(self.base_url, self.org_id, self.slug))

    @staticmethod
    def token_of(response: Response) -> str | None:
        """The csrf token of a page's state (`config.csrfToken`), when it has one."""
        try:
            return csrf_token(read_state(response.text))
        except (PageFormatError, AttributeError, ValueError):
            return None

    def follow(self, page: int, referer: str) -> Request:
        return self.fetch_request(page) if self.strategy == FETCH else self.request(page, referer)

    def fetch_request(self, page: int, challenges: int = 0) -> Request:
        """A `fetchReviews` call as the reviews page makes it (its Referer, the token, `s`)."""
        url = fetch_url(self.base_url, self.org_id, page, ranking=self.ranking, csrf_token=self.csrf_token)
        referer = page_url(self.base_url, self.org_id, 1, self.slug, self.ranking)
        return Request(url, callback=self.parse_fetch, errback=self.failed, dont_filter=True,
                       meta={"page": page, "challenges": challenges},
                       headers={"Referer": referer, "Accept": "application/json, text/plain, */*"})

    def parse_fetch(self, response: Response, **kwargs: Any) -> Iterator[dict[str, Any] | Request]:
        """A csrf challenge → ask again with the token (twice at most); `{"type": "captcha"}`
        → blocked; reviews → as a page."""
        page = int(response.meta["page"])
        self.keep_cookies(response)
        try:
            answer = parse_fetch(response.text, f"страница {page} (fetchReviews)")
        except PageFormatError as exc:
            self.outcome.stop, self.outcome.error = STOP_ERROR, str(exc)
            return
        if answer.kind == CAPTCHA:
            self.outcome.stop, self.outcome.blocked_page = STOP_BLOCKED, page
            self.outcome.blocked_url = response.url
            return
        if answer.kind == CHALLENGE:
            if response.meta.get("challenges", 0) >= 2 or not answer.csrf_token:
                self.outcome.stop = STOP_ERROR
                self.outcome.error = f"страница {page} (fetchReviews): токен csrf не принят"
                return
            self.csrf_token = answer.csrf_token
            yield self.fetch_request(page, int(response.meta.get("challenges", 0)) + 1)
            return
        self.outcome.pages += 1
        yield from self.emit(page, answer.reviews, answer.params, response.url, {}, [], None)

    def keep_cookies(self, response: Response) -> None:
        for header in response.headers.getlist("Set-Cookie"):
            pair = header.decode("latin-1").split(";", 1)[0]
            name, _, value = pair.partition("=")
            if name.strip():
                self.cookies[name.strip()] = value.strip()

    def parse(self, response: Response, **kwargs: Any) -> Iterator[dict[str, Any] | Request]:
        """Captcha → stop as blocked; broken page → stop with the error, nothing of it
        emitted; else the page's reviews, its marker, and the next page unless paging stops."""
        page = int(response.meta["page"])
        self.keep_cookies(response)
        text = response.text if hasattr(response, "text") else ""
        if is_captcha(text, response.url):
            self.outcome.stop, self.outcome.blocked_page = STOP_BLOCKED, page
            self.outcome.blocked_url = response.url
            return
        where = f"страница {page} ({response.meta.get('redirect_urls', [response.url])[0]})"
        try:
            parsed = parse_page(text, where)
        except PageFormatError as exc:
            self.outcome.stop, self.outcome.error = STOP_ERROR, str(exc)
            return
        self.outcome.pages += 1
        if self.slug is None and parsed.seoname:  # the card's real address from now on
            self.slug = parsed.seoname
        yield from self.emit(page, parsed.reviews, parsed.params, response.url, parsed.rating, parsed.aspects,
                             parsed.seoname)

    def emit(self, page: int, reviews: list[Any], params: dict[str, Any], url: str, rating: dict[str, Any],
             aspects: list[dict[str, Any]], seoname: str | None) -> Iterator[dict[str, Any] | Request]:
        """A read page's reviews, its marker, and the next page unless paging stops."""
        events, ids, published = self.review_events(reviews, page)
        yield from events
        total = params.get("totalPages")
        remained = params.get("reviewsRemained")
        stop = self.paging.after_page(page, ids, published, int(total) if total is not None else None,
                                      int(remained) if remained is not None else None)
        yield {"type": "page", "page": page, "url": url, "reviews": len(reviews), "params": params,
               "stop": stop, "ranking": self.ranking, "rating": rating, "aspects": aspects,
               "seoname": seoname}
        if stop is not None:
            self.outcome.stop = stop
            return
        yield self.follow(page + 1, url)

    def review_events(self, reviews: list[Any], page: int
                      ) -> tuple[list[dict[str, Any]], list[str], list[datetime | None]]:
        """An `item` per usable review, a `rejected` per unusable one; the ids and dates of
        the usable ones feed the paging decision."""
        events: list[dict[str, Any]] = []
        ids: list[str] = []
        published: list[datetime | None] = []
        for position, raw in enumerate(reviews, start=1):
            try:
                item = review_item(raw, self.org_id, page, position)
            except ItemError as exc:
                payload = raw if isinstance(raw, dict) else {"value": raw}
                events.append({"type": "rejected", "page": page, "reason": str(exc), "payload": payload,
                               "location": f"страница {page}, отзыв {position}"})
                continue
            ids.append(item["review_id"])
            published.append(parse_time(item["published_at"]))
            events.append({"type": "item", "page": page, "item": item})
        return events, ids, published

    def failed(self, failure: Failure) -> None:
        """A page that could not be fetched even after the retries: the crawl ends here."""
        request = failure.request  # type: ignore[attr-defined]
        page = request.meta.get("page")
        if failure.check(HttpError):
            response = failure.value.response
            if is_block(response):
                self.outcome.stop, self.outcome.blocked_page = STOP_BLOCKED, page
                self.outcome.blocked_url = response.url
                return
            reason = f"сервер ответил HTTP {response.status}"
        elif failure.check(DownloadTimeoutError, TwistedTimeoutError):
            reason = "нет ответа (тайм-аут)"
        elif failure.check(DownloadConnectionRefusedError, ConnectError):
            reason = "не удалось соединиться с сервером"
        else:
            reason = f"{failure.type.__name__}: {failure.getErrorMessage()}"
        retries = request.meta.get("retry_times", 0)
        tail = f" после {retries} повторов" if retries else ""
        self.outcome.stop = STOP_ERROR
        self.outcome.error = f"страница {page} ({request.url}): {reason}{tail}"
