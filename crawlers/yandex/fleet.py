"""Downloader middlewares for a crawl that is one of a fleet's (`crawl_settings(identity=…)`).

`IdentityMiddleware` sends every request through the worker's own proxy or local address;
`PaceMiddleware` books each request's slot in the store (`models.pace`) so that the
politeness delay holds per host and identity across all workers, not per process. Both are
enabled only when their settings are present:

    PAINMAP_PROXY          proxy URL for every request (Scrapy's HttpProxyMiddleware reads meta)
    PAINMAP_BIND_ADDRESS   local address to connect from (Scrapy's `bindaddress` meta)
    PAINMAP_PACE_IDENTITY  the crawl identity whose budget a request spends
    PAINMAP_PACE_INTERVAL  seconds between two requests of the identity to a host
"""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.asyncio import sleep

from models.pace import book_slot, pace_key


class IdentityMiddleware:
    def __init__(self, proxy: str | None, bind_address: str | None) -> None:
        self.proxy, self.bind_address = proxy, bind_address

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IdentityMiddleware:
        proxy, bind = crawler.settings.get("PAINMAP_PROXY"), crawler.settings.get("PAINMAP_BIND_ADDRESS")
        if not proxy and not bind:
            raise NotConfigured
        return cls(proxy, bind)

    def process_request(self, request: Request) -> None:
        if self.proxy:
            request.meta.setdefault("proxy", self.proxy)
        if self.bind_address:
            request.meta.setdefault("bindaddress", (self.bind_address, 0))


class PaceMiddleware:
    def __init__(self, identity: str, interval: float) -> None:
        self.identity, self.interval = identity, interval

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PaceMiddleware:
        identity = crawler.settings.get("PAINMAP_PACE_IDENTITY")
        if not identity:
            raise NotConfigured
        return cls(identity, crawler.settings.getfloat("PAINMAP_PACE_INTERVAL", 3.0))

    async def process_request(self, request: Request) -> Any:
        # Randomised ×0.5–1.5 as Scrapy's own delay would be: an even beat looks mechanical.
        interval = self.interval * random.uniform(0.5, 1.5)
        wait = book_slot(pace_key(urlsplit(request.url).hostname or "", self.identity), interval)
        if wait > 0:
            await sleep(wait)
        return None
