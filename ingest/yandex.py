"""Yandex reviews into the store: crawl an organisation (`crawlers.yandex.run.crawl`) and
ingest what came, the way `ingest.importers.import_pos_api` stores the ПОС API. Crawlers
only fetch and parse; what a crawl means for the source's health is decided here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import col

from crawlers.identity import Identity
from crawlers.yandex.page import page_url
from crawlers.yandex.run import CrawlResult, PageProgress, crawl
from ingest.pipeline import IngestResult
from ingest.runs import STATUS_BLOCKED, STATUS_FAILED, STATUS_OK, STATUS_PARTIAL
from models.db import session_scope
from models.tables import Feedback, RatingSnapshot, Source
from vocabulary.errors import UserError


@dataclass
class SourceCrawl:
    """A crawl ingested into a source: the crawl itself, the ingest counts, and the status
    recorded on the run and the source (`ok`, `blocked`, `partial`, `failed`)."""

    crawl: CrawlResult
    ingest: IngestResult | None
    status: str
    note: str | None
    run_id: int

    @property
    def n_new(self) -> int:
        return self.ingest.n_new if self.ingest else 0

    @property
    def n_updated(self) -> int:
        return self.ingest.n_updated if self.ingest else 0

    @property
    def n_unchanged(self) -> int:
        return self.ingest.n_unchanged if self.ingest else 0

    @property
    def n_quarantined(self) -> int:
        return self.ingest.n_quarantined if self.ingest else 0

    @property
    def changed_ids(self) -> list[int]:
        return self.ingest.changed_ids if self.ingest else []


def crawl_into_source(
    source_id: int,
    org_id: str,
    *,
    base_url: str,
    max_pages: int | None = None,
    slug: str | None = None,
    delay: float | None = None,
    incremental: bool = True,
    since: datetime | None = None,
    url: str | None = None,
    progress: Callable[[PageProgress], None] | None = None,
    full: bool = False,
    strategy: str = "pages",
    identity: Identity | None = None,
) -> SourceCrawl:
    """Crawl an organisation and ingest what came into `source_id` (the nightly step and
    `painmap crawl yandex`). Incremental by default: it stops at the first page with nothing
    newer than the newest stored review. What was fetched before a captcha or a broken page
    is ingested; the run and the source are marked `blocked`/`partial` with the reason.
    `full` — and the first crawl of a source, which has nothing stored yet — reads every
    sort order (`crawlers.yandex.run.crawl`), so a new office starts with more than 600."""
    from ingest.runs import latest_published_at

    if not org_id:
        raise UserError(f"у источника {source_id} не задан идентификатор организации Яндекса (external_id)")
    if since is None and incremental:
        since = latest_published_at(source_id, url=url)
        full = full or since is None
    result = crawl(org_id, base_url, max_pages=max_pages, since=since, slug=slug, delay=delay,
                   progress=progress, full=full, cookies=kept_cookies(source_id, url=url, identity=identity),
                   strategy=strategy, identity=identity)
    return ingest_crawl(source_id, result, slug=slug, url=url, identity=identity)


def ingest_crawl(source_id: int, result: CrawlResult, *, slug: str | None = None,
                 url: str | None = None, identity: Identity | None = None) -> SourceCrawl:
    """Store what a crawl fetched into `source_id` and record the run: a captcha or a broken
    page keeps what came before it and marks the run and the source `blocked`/`partial`."""
    from ingest.pipeline import ingest_records
    from ingest.runs import record_failed_run

    status, note = crawl_status(result)
    origin = page_url(result.base_url, result.org_id, 1, slug)
    if status in (STATUS_BLOCKED, STATUS_FAILED) and not result.items and not result.rejected:
        run_id = record_failed_run(source_id, kind="yandex", error=note or status, status=status,
                                   origin=origin, url=url)
        return SourceCrawl(result, None, status, note, run_id)
    ingested = ingest_records(source_id, result.records(), kind="yandex", origin=origin, url=url,
                              status=status, note=note)
    record_rating(source_id, result, url=url)
    keep_cookies(source_id, result.cookies, url=url, identity=identity)
    return SourceCrawl(result, ingested, status, note, ingested.run_id)


def _cookie_key(identity: Identity | None) -> str:
    """Where a crawl identity's cookies live in the source's state: each worker of a fleet
    comes back with its own, never with another address's."""
    return "cookies" if identity is None else f"cookies@{identity.name}"


def kept_cookies(source_id: int, *, url: str | None = None,
                 identity: Identity | None = None) -> dict[str, str]:
    """The site's cookies the last crawl of the source (by this identity) ended with."""
    with session_scope(url) as session:
        source = session.get(Source, source_id)
        state = source.crawl_state if source is not None else {}
    cookies = (state or {}).get(_cookie_key(identity))
    return {str(k): str(v) for k, v in cookies.items()} if isinstance(cookies, dict) else {}


def keep_cookies(source_id: int, cookies: dict[str, str], *, url: str | None = None,
                 identity: Identity | None = None) -> None:
    """Remember the cookies for the next night (a blocked crawl's too: they carry the
    site's memory of us, and throwing them away every night looks more like a robot)."""
    if not cookies:
        return
    with session_scope(url) as session:
        source = session.get(Source, source_id)
        if source is not None:
            source.crawl_state = {**(source.crawl_state or {}), _cookie_key(identity): dict(cookies)}
            session.add(source)


def record_rating(source_id: int, result: CrawlResult, *, url: str | None = None) -> None:
    """Keep the public rating the crawl read (`ratingData`, aspects) with how many of the
    card's reviews the store now holds: its trend and the coverage of the crawl over time."""
    if not result.rating:
        return
    rating = result.rating

    def number(key: str) -> float | None:
        value = rating.get(key)
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

    with session_scope(url) as session:
        stored = session.execute(select(func.count()).select_from(Feedback)
                                 .where(col(Feedback.source_id) == source_id)).scalar_one()
        count, reviews = number("ratingCount"), number("reviewCount")
        session.add(RatingSnapshot(source_id=source_id, rating_value=number("ratingValue"),
                                   rating_count=int(count) if count is not None else None,
                                   review_count=int(reviews) if reviews is not None else None,
                                   reviews_stored=int(stored), aspects=result.aspects))


def crawl_status(result: CrawlResult) -> tuple[str, str | None]:
    """The run status and a Russian note for the people reading the source's health."""
    kept = f"сохранены отзывы с предыдущих страниц: {len(result.items)}" if result.items else \
        "ничего не сохранено"
    if result.blocked:
        return STATUS_BLOCKED, (f"Яндекс показал капчу на странице {result.blocked_page}: источник "
                                f"заблокирован; {kept}")
    if result.error:
        return (STATUS_PARTIAL if result.items else STATUS_FAILED), f"{result.error}; {kept}"
    return STATUS_OK, None
