"""One crawl in its own process: `python -m crawlers.yandex.worker --org-id ID --base-url URL …`.

Twisted's reactor runs once per process, so every crawl gets a fresh process (started by
`crawlers.yandex.run.crawl`); the nightly flow can crawl any number of organisations.
The worker writes events as JSON lines on stdout — `item`, `rejected` and `page` as the
spider yields them, then one `end` with how the crawl ended and Scrapy's counters — and
sends everything else (Scrapy's log, stray prints) to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.utils.reactor import install_reactor
from twisted.internet import defer

from crawlers.identity import Identity
from crawlers.yandex import events
from crawlers.yandex.spider import (
    DEFAULT_BACKOFF,
    DEFAULT_DELAY,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    YandexReviewsSpider,
    crawl_settings,
)

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
STATS_KEPT = ("downloader/request_count", "retry/count", "retry/max_reached", "elapsed_time_seconds",
              "spider_exceptions/count")


def _stats(raw: dict[str, Any]) -> dict[str, Any]:
    kept = {k: raw[k] for k in STATS_KEPT if k in raw}
    kept["statuses"] = {k.rsplit("/", 1)[-1]: v for k, v in raw.items()
                        if k.startswith("downloader/response_status_count/")}
    return kept


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--org-id")
    p.add_argument("--base-url")
    p.add_argument("--jobs", help="JSON list of {org_id, base_url, max_pages, since, slug}: several "
                                  "organisations crawled one after another in this process")
    p.add_argument("--max-pages", type=int)
    p.add_argument("--since", help="ISO 8601: stop at the first page with nothing newer")
    p.add_argument("--slug")
    p.add_argument("--ranking", default="by_time", help="sort order: by_time, by_rating_asc, …")
    p.add_argument("--cookies", help="JSON object of the cookies kept from the last crawl")
    p.add_argument("--strategy", default="pages", help="pages (?page=N) or fetch (fetchReviews)")
    p.add_argument("--delay", type=float, default=DEFAULT_DELAY)
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    p.add_argument("--retries", type=int, default=DEFAULT_RETRIES)
    p.add_argument("--backoff", type=float, default=DEFAULT_BACKOFF)
    p.add_argument("--log-level", default="WARNING")
    p.add_argument("--identity", help="crawl identity of a fleet's worker: the delay is kept per host and "
                                      "identity in the store, across processes")
    p.add_argument("--proxy", help="proxy URL for every request (the identity's)")
    p.add_argument("--bind-address", help="local address to send from (the identity's)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.jobs:
        jobs = json.loads(args.jobs)
    elif args.org_id and args.base_url:
        jobs = [{"org_id": args.org_id, "base_url": args.base_url, "max_pages": args.max_pages,
                 "since": args.since, "slug": args.slug, "ranking": args.ranking,
                 "cookies": json.loads(args.cookies) if args.cookies else None, "strategy": args.strategy}]
    else:
        _parser().error("нужны --org-id и --base-url или --jobs")
    events.open_stream()
    identity = Identity(args.identity, args.proxy, args.bind_address) if args.identity else None
    settings = crawl_settings(args.delay, args.timeout, args.retries, args.backoff, args.log_level, identity)
    # The chain below touches the reactor before the process starts: install Scrapy's first.
    install_reactor(settings.get("TWISTED_REACTOR") or ASYNCIO_REACTOR)
    settings["ITEM_PIPELINES"] = {"crawlers.yandex.events.EventPipeline": 100}
    process = CrawlerProcess(settings)
    _chain(process, jobs, tagged=bool(args.jobs))
    process.start(stop_after_crawl=False)
    events.close_stream()
    return 0


@defer.inlineCallbacks
def _chain(process: CrawlerProcess, jobs: list[dict[str, Any]], tagged: bool) -> Any:
    """One organisation after another in one reactor: one request at a time to the host, and
    one process start for the whole batch."""
    from twisted.internet import reactor

    try:
        for index, job in enumerate(jobs):
            events.set_job(index if tagged else None)
            crawler = process.create_crawler(YandexReviewsSpider)
            yield process.crawl(crawler, **job)
            _end(crawler)
    finally:
        # Twisted types the reactor by zope interfaces, whose methods are declared without `self`;
        # without the mypy-zope plugin mypy reads them one argument off.
        reactor.callLater(0, reactor.stop)  # type: ignore[arg-type, misc]


def _end(crawler: Any) -> None:
    spider: YandexReviewsSpider = crawler.spider
    stats = _stats(crawler.stats.get_stats() if crawler.stats else {})
    outcome = spider.outcome
    error = outcome.error
    if error is None and outcome.stop is None and stats.get("spider_exceptions/count"):
        error = "обход прерван внутренней ошибкой паука (подробности в журнале)"
    events.emit({"type": "end", "pages": outcome.pages, "stop": outcome.stop,
                 "blocked_page": outcome.blocked_page, "blocked_url": outcome.blocked_url, "error": error,
                 "stats": stats, "cookies": spider.cookies})


if __name__ == "__main__":
    sys.exit(main())
