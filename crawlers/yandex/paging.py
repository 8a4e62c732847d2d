"""When to stop following review pages: a pure decision, tested apart from Scrapy.

Yandex serves pages 1..12 of 50 reviews and empty pages beyond, newest first but not
strictly ordered (`../shared/formats.md`). The crawl follows what the page says about itself
(`params.totalPages`, `params.reviewsRemained`) rather than assuming 50 per page, and stops:

- at an empty page (past the last one, or past what Yandex lets us reach);
- when the page itself says nothing remains (`reviewsRemained == 0`, last of `totalPages`);
- at page 12 of a sort order or the ~600-review cap, beyond which Yandex answers an error
  (a loosely ordered sort repeats reviews, so counting new reviews alone would ask for 13);
- at `max_pages`;
- in incremental mode, at the first page whose reviews are *all* older than the newest
  stored one (one old review among new ones proves nothing: the order is loose);
- at a page that brings no review not already seen in this crawl (a server ignoring
  `page=` would otherwise be followed up to the cap).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

REVIEW_CAP = 600
PAGE_CAP = 12  # Yandex answers pages 1..12 of a sort order; page 13 is an error, not reviews

STOP_EMPTY = "empty"
STOP_LAST = "last"
STOP_CAP = "cap"
STOP_MAX_PAGES = "max_pages"
STOP_OLD = "old"
STOP_REPEATED = "repeated"
STOP_BLOCKED = "blocked"
STOP_ERROR = "error"

STOP_MESSAGES = {
    STOP_EMPTY: "пустая страница",
    STOP_LAST: "последняя страница",
    STOP_CAP: f"достигнут предел Яндекса (~{REVIEW_CAP} отзывов)",
    STOP_MAX_PAGES: "достигнут предел страниц",
    STOP_OLD: "дальше только уже сохранённые отзывы",
    STOP_REPEATED: "страница повторяет уже полученные отзывы",
    STOP_BLOCKED: "капча",
    STOP_ERROR: "ошибка",
}


@dataclass
class Paging:
    """What the crawl knows so far; `after_page` updates it and says whether to go on."""

    max_pages: int | None = None
    since: datetime | None = None
    cap: int = REVIEW_CAP
    reviews: int = 0
    seen: set[str] = field(default_factory=set)

    def after_page(self, page: int, review_ids: list[str], published: list[datetime | None],
                   total_pages: int | None, remained: int | None) -> str | None:
        """Account for a fetched page; return why to stop, or None to fetch page + 1."""
        if not review_ids:
            return STOP_EMPTY
        fresh = [r for r in review_ids if r not in self.seen]
        self.seen.update(review_ids)
        self.reviews += len(fresh)
        if not fresh:
            return STOP_REPEATED
        if self.since is not None and published and all(p is not None and p <= self.since for p in published):
            return STOP_OLD
        if remained is not None and remained <= 0:
            return STOP_LAST
        if total_pages is not None and page >= total_pages:
            return STOP_LAST
        if self.reviews >= self.cap or page >= PAGE_CAP:
            return STOP_CAP
        if self.max_pages is not None and page >= self.max_pages:
            return STOP_MAX_PAGES
        return None
