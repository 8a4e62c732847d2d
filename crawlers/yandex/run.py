"""Crawl one organisation's Yandex reviews from any program, any number of times.

`crawl()` runs the Scrapy spider in a child process (`crawlers.yandex.worker`) and reads
its events as they come: no `ReactorNotRestartable` in the nightly flow or in tests, and a
hung crawl can be killed. Items are kept per page: a page counts only once its closing
marker arrived, so a page cut short never reaches the store.

    result = crawl("1000000001", "https://yandex.ru", since=newest_stored)
    result.items, result.pages, result.blocked, result.error, result.records()
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawlers.identity import Identity
from crawlers.yandex.items import iso, to_record
from crawlers.yandex.page import BY_TIME, RANKINGS
from crawlers.yandex.paging import STOP_BLOCKED, STOP_ERROR, STOP_MESSAGES
from crawlers.yandex.spider import DEFAULT_BACKOFF, DEFAULT_DELAY, DEFAULT_RETRIES, DEFAULT_TIMEOUT
from ingest.records import FeedbackRecord, Rejected
from vocabulary.errors import UserError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LOOPBACK_DELAY = 0.05  # the replay server is ours: no need to wait seconds between pages
REPLAY = "replay"


@dataclass
class PageProgress:
    """What a progress display needs after each page."""

    page: int
    reviews: int
    total_pages: int | None
    items: int


@dataclass
class CrawlResult:
    org_id: str
    base_url: str
    items: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    pages: int = 0
    stop: str | None = None
    blocked_page: int | None = None
    error: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    rating: dict[str, Any] = field(default_factory=dict)  # ratingData of the last page read
    aspects: list[dict[str, Any]] = field(default_factory=list)
    rankings: list[str] = field(default_factory=list)  # the sort orders read
    cookies: dict[str, str] = field(default_factory=dict)  # the site's cookies at the end, to keep

    @property
    def review_count(self) -> int | None:
        """How many reviews Yandex says the organisation has (`ratingData.reviewCount`)."""
        value = self.rating.get("reviewCount")
        return int(value) if isinstance(value, int | float) else None

    @property
    def coverage(self) -> float | None:
        """Share of the organisation's reviews this crawl reached (1.0 = all of them)."""
        count = self.review_count
        return round(min(1.0, len(self.items) / count), 3) if count else None

    @property
    def blocked(self) -> bool:
        return self.stop == STOP_BLOCKED

    @property
    def ok(self) -> bool:
        return not self.blocked and self.error is None

    @property
    def stop_message(self) -> str:
        return STOP_MESSAGES.get(self.stop or "", self.stop or "—")

    def records(self) -> list[FeedbackRecord | Rejected]:
        """What the ingest pipeline takes: one record per item, plus the rejected reviews."""
        return [*(to_record(item) for item in self.items), *self.rejected]


def is_loopback(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


@dataclass
class CrawlJob:
    """One organisation to crawl in a batch (`crawl_many`)."""

    org_id: str
    base_url: str
    max_pages: int | None = None
    since: datetime | None = None
    slug: str | None = None
    ranking: str = BY_TIME
    cookies: dict[str, str] | None = None
    strategy: str = "pages"  # or "fetch": the fetchReviews endpoint (`crawlers.yandex.fetch`)

    def as_args(self) -> dict[str, Any]:
        return {"org_id": str(self.org_id), "base_url": self.base_url, "max_pages": self.max_pages,
                "since": iso(self.since) if self.since is not None else None, "slug": self.slug,
                "ranking": self.ranking, "cookies": self.cookies, "strategy": self.strategy}


def crawl(
    org_id: str,
    base_url: str,
    max_pages: int | None = None,
    since: datetime | None = None,
    slug: str | None = None,
    delay: float | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    backoff: float | None = None,
    progress: Callable[[PageProgress], None] | None = None,
    deadline: float | None = None,
    full: bool = False,
    cookies: dict[str, str] | None = None,
    strategy: str = "pages",
    identity: Identity | None = None,
) -> CrawlResult:
    """Crawl one organisation; never raises for what the site does (captcha, errors,
    broken pages): the result says it. `delay` defaults to 3 s, or 0.05 s on loopback (the
    replay server); `deadline` (seconds) kills a crawl that hangs beyond all retries.

    Newest first by default (the nightly increment). `full` reads every sort order
    (`RANKINGS`, 12 pages each) and merges them by review id: past Yandex's 600 per order."""
    rankings = RANKINGS if full else (BY_TIME,)
    jobs = [CrawlJob(str(org_id), base_url, max_pages, None if full else since, slug, r, cookies, strategy)
            for r in rankings]
    results = crawl_many(jobs, delay, timeout=timeout, retries=retries, backoff=backoff,
                         progress=progress, deadline=deadline, identity=identity)
    return merge(results)


def merge(results: list[CrawlResult]) -> CrawlResult:
    """One organisation's crawls in several sort orders as one: each review once (first seen),
    pages summed; the first block or error ends the merge, what came before it is kept."""
    merged = CrawlResult(org_id=results[0].org_id, base_url=results[0].base_url)
    seen: set[str] = set()
    refused: set[str] = set()
    for result in results:
        merged.items += [i for i in result.items if i["review_id"] not in seen]
        seen.update(i["review_id"] for i in result.items)
        for rejected in result.rejected:  # an unusable review comes back in every order
            key = json.dumps(rejected.payload, sort_keys=True, ensure_ascii=False, default=str)
            if key not in refused:
                refused.add(key)
                merged.rejected.append(rejected)
        merged.pages += result.pages
        merged.rating, merged.aspects = result.rating or merged.rating, result.aspects or merged.aspects
        merged.rankings += result.rankings
        merged.cookies |= result.cookies
        merged.stop, merged.stats = result.stop, result.stats
        merged.blocked_page, merged.error = result.blocked_page, result.error
        if not result.ok:
            break
    return merged


def crawl_many(
    jobs: list[CrawlJob],
    delay: float | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
    backoff: float | None = None,
    progress: Callable[[PageProgress], None] | None = None,
    deadline: float | None = None,
    identity: Identity | None = None,
) -> list[CrawlResult]:
    """Several organisations one after another in one worker process: the same politeness
    (one request at a time, the delay between pages) and one process start for the batch,
    which is what the nightly run uses for its Yandex sources. With an `identity` (a
    fleet's worker) the delay holds per host and identity across every process that shares
    the store (`crawlers.yandex.fleet`), and requests leave through its proxy/address."""
    if not jobs:
        return []
    if delay is None:
        delay = LOOPBACK_DELAY if all(is_loopback(j.base_url) for j in jobs) else DEFAULT_DELAY
    if backoff is None:
        backoff = min(DEFAULT_BACKOFF, max(delay, 0.01))
    command = [sys.executable, "-m", "crawlers.yandex.worker", "--delay", str(delay),
               "--timeout", str(timeout), "--retries", str(retries), "--backoff", str(backoff)]
    if identity is not None:
        command += ["--identity", identity.name]
        command += ["--proxy", identity.proxy] if identity.proxy else []
        command += ["--bind-address", identity.bind_address] if identity.bind_address else []
    if len(jobs) == 1:
        job = jobs[0]
        command += ["--org-id", str(job.org_id), "--base-url", job.base_url]
        if job.max_pages:
            command += ["--max-pages", str(job.max_pages)]
        if job.since is not None:
            command += ["--since", iso(job.since)]
        if job.slug:
            command += ["--slug", job.slug]
        if job.ranking != BY_TIME:
            command += ["--ranking", job.ranking]
        if job.cookies:
            command += ["--cookies", json.dumps(job.cookies, ensure_ascii=False)]
        if job.strategy != "pages":
            command += ["--strategy", job.strategy]
    else:
        command += ["--jobs", json.dumps([j.as_args() for j in jobs], ensure_ascii=False)]
    if deadline is None:
        per_page = delay * 1.5 + (timeout + backoff * 2 ** retries) * (retries + 1)
        deadline = 60 + sum(per_page * ((j.max_pages or 12) + 1) for j in jobs)
    results = [CrawlResult(org_id=str(j.org_id), base_url=j.base_url) for j in jobs]
    _run(command, results, progress, deadline, store=identity is not None)
    return results


def _run(command: list[str], results: list[CrawlResult],
         progress: Callable[[PageProgress], None] | None, deadline: float, store: bool = False) -> None:
    env = dict(os.environ)
    if store:  # the pace is booked in this process's store, whatever set its URL
        from models.db import database_url

        env["PAINMAP_DATABASE_URL"] = database_url()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONUNBUFFERED"] = "1"
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as log:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL,
                                env=env, text=True, encoding="utf-8")
        timer = threading.Timer(deadline, proc.kill)
        timer.start()
        ended: set[int] = set()
        try:
            _consume(_lines(proc), results, progress, ended)
        finally:
            clean = len(ended) == len(results) or all(r.error is None for r in results)
            code = _reap(proc, patience=15 if clean else 0)
            timer.cancel()
        if len(ended) < len(results):
            log.seek(0)
            tail = log.read()[-2000:].strip()
            killed = " (превышено время обхода)" if code in (-9, 137) else ""
            for index, result in enumerate(results):
                if index in ended:
                    continue
                result.stop = STOP_ERROR
                result.error = result.error or (
                    f"процесс обхода завершился с кодом {code}{killed}" + (f": {tail}" if tail else ""))


def _reap(proc: subprocess.Popen[str], patience: float) -> int:
    """The worker's exit code; one that lingers `patience` seconds after its last event (or
    whose output made no sense) is killed."""
    try:
        if patience:
            return proc.wait(timeout=patience)
    except subprocess.TimeoutExpired:
        pass
    proc.kill()
    return proc.wait()


def _lines(proc: subprocess.Popen[str]) -> Iterator[str]:
    assert proc.stdout is not None
    yield from proc.stdout


def _consume(lines: Iterator[str], results: list[CrawlResult],
             progress: Callable[[PageProgress], None] | None, ended: set[int]) -> None:
    """Apply the worker's events to the results (events carry `job` in a batch); `ended`
    collects the jobs whose closing event arrived."""
    pending: dict[int, list[dict[str, Any]]] = {}
    rejected: dict[int, list[Rejected]] = {}
    for line in lines:
        try:
            event = json.loads(line)
            kind = event.get("type")
            index = int(event.get("job", 0))
            result = results[index]
        except (ValueError, AttributeError, IndexError, TypeError):
            for index, result in enumerate(results):
                if index not in ended:
                    result.error = f"непонятный вывод процесса обхода: {line[:200]!r}"
            return
        if kind == "item":
            pending.setdefault(index, []).append(event["item"])
        elif kind == "rejected":
            rejected.setdefault(index, []).append(Rejected(location=event["location"],
                                                           payload=event["payload"], reason=event["reason"]))
        elif kind == "page":
            result.items.extend(pending.pop(index, []))
            result.rejected.extend(rejected.pop(index, []))
            result.rating = event.get("rating") or result.rating
            result.aspects = event.get("aspects") or result.aspects
            if event.get("ranking") and event["ranking"] not in result.rankings:
                result.rankings.append(event["ranking"])
            if progress is not None:
                params = event.get("params") or {}
                progress(PageProgress(event["page"], event["reviews"], params.get("totalPages"),
                                      len(result.items)))
        elif kind == "end":
            result.pages, result.stop = event["pages"], event["stop"]
            result.blocked_page, result.error = event["blocked_page"], event["error"]
            result.stats = event.get("stats") or {}
            result.cookies = event.get("cookies") or {}
            ended.add(index)
            if len(ended) == len(results):
                return


@contextmanager
def endpoint(base_url: str | None, replay_dir: Path | None = None) -> Iterator[str]:
    """The base URL to crawl. `replay` (the demo's setting) starts the package's loopback
    replay server over `replay_dir` for the duration of the crawl."""
    if base_url != REPLAY:
        yield (base_url or "https://yandex.ru").rstrip("/")
        return
    from crawlers.replay import ReplayServer

    if replay_dir is None or not Path(replay_dir).is_dir():
        raise UserError(
            "источник настроен на воспроизведение (base_url = \"replay\"), но каталог записанных страниц "
            f"не найден: задайте [replay] dir в конфигурации ({replay_dir or 'не задан'})")
    with ReplayServer(Path(replay_dir)) as server:
        yield server.base_url
