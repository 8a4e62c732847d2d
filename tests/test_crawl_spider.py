"""The real Scrapy spider, end to end, against the loopback replay server: paging, stops,
captcha, retries, broken pages, politeness. Each crawl runs in its own process, so calling
`crawl()` many times in this one process is part of what is tested."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from crawl_fixtures import NEWEST, corrupt_state, replay, reviews, write_org

from crawlers.replay import ReplayServer
from crawlers.yandex.run import CrawlResult, PageProgress, crawl

__all__ = ["replay"]  # the shared fixture, imported for pytest

ORG = "1000000555"


def _pages(server: ReplayServer) -> list[int]:
    return [int(parse_qs(urlsplit(p).query)["page"][0]) for p in server.log.paths if "/reviews" in p]


def _run(server: ReplayServer, **kwargs: object) -> CrawlResult:
    kwargs.setdefault("delay", 0.01)
    return crawl(ORG, server.base_url, **kwargs)  # type: ignore[arg-type]


def test_several_pages_then_an_empty_one(replay: tuple[Path, ReplayServer]) -> None:
    """The params promise more (count 400), but page 4 comes back empty: stop there."""
    root, server = replay
    write_org(root, ORG, reviews(150, ORG), count=400)
    seen: list[PageProgress] = []
    result = _run(server, progress=seen.append)
    assert result.ok and result.stop == "empty" and result.pages == 4
    assert _pages(server) == [1, 2, 3, 4]
    assert len(result.items) == 150 and len({i["review_id"] for i in result.items}) == 150
    assert [p.items for p in seen] == [50, 100, 150, 150] and seen[0].total_pages == 8
    assert all(i["org_id"] == ORG for i in result.items)


def test_follows_params_not_fifty_per_page(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(50, ORG), limit=20)  # pages of 20, 20, 10
    result = _run(server)
    assert result.stop == "last" and _pages(server) == [1, 2, 3] and len(result.items) == 50


def test_stops_at_the_reachable_cap(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(800, ORG), limit=100)  # 8 pages claimed and served
    result = _run(server)
    assert result.stop == "cap" and len(result.items) == 600 and _pages(server) == [1, 2, 3, 4, 5, 6]


def test_max_pages(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(200, ORG))
    result = _run(server, max_pages=2)
    assert result.stop == "max_pages" and _pages(server) == [1, 2] and len(result.items) == 100


def test_captcha_on_page_two_keeps_page_one(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(150, ORG), scenario={"captcha_pages": [2]})
    result = _run(server)
    assert result.blocked and result.blocked_page == 2 and not result.ok
    assert len(result.items) == 50 and {i["page"] for i in result.items} == {1}
    assert any(p.startswith("/showcaptcha") for p in server.log.paths)  # the redirect was followed
    assert _pages(server) == [1, 2]  # nothing after the captcha, and no retry of it


def test_server_error_then_success_is_retried_with_backoff(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(120, ORG), scenario={"errors": {"2": [503, 500]}})
    result = _run(server, delay=0.01, backoff=0.3)
    assert result.ok and len(result.items) == 120
    assert _pages(server) == [1, 2, 2, 2, 3]
    # 3 review pages and the organisation's card
    assert result.stats["retry/count"] == 2 and result.stats["statuses"] == {"200": 4, "500": 1, "503": 1}
    times = [t for p, t in zip(server.log.paths, server.log.times, strict=True) if "page=2" in p]
    # Exponential backoff: ~0.3 s before the first retry, ~0.6 s before the second (±20 %).
    assert times[1] - times[0] >= 0.22 and times[2] - times[1] >= 0.45


def test_persistent_server_error_ends_the_crawl_naming_the_page(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(120, ORG), scenario={"errors": {"2": [502] * 5}})
    result = _run(server, retries=2, backoff=0.01)
    assert result.stop == "error" and not result.ok and not result.blocked
    assert result.error is not None and "страница 2" in result.error and "HTTP 502" in result.error
    assert "2 повторов" in result.error
    assert len(result.items) == 50 and _pages(server) == [1, 2, 2, 2]


def test_timeouts_are_retried_then_reported(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(10, ORG), scenario={"delay": 1.5})
    result = _run(server, timeout=0.4, retries=1, backoff=0.01)
    assert result.error is not None and "страница 1" in result.error and "тайм-аут" in result.error
    assert result.stats["retry/count"] == 1 and result.items == []


def test_malformed_state_json_stores_nothing_of_that_page(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    directory = write_org(root, ORG, reviews(150, ORG))
    corrupt_state(directory / "page-2.html")
    result = _run(server)
    assert result.stop == "error" and result.error is not None
    assert result.error.startswith("страница 2 (") and "испорченный JSON состояния" in result.error
    assert len(result.items) == 50 and {i["page"] for i in result.items} == {1}
    assert _pages(server) == [1, 2]


def test_incremental_stops_at_the_first_all_old_page(replay: tuple[Path, ReplayServer]) -> None:
    """Seven new reviews on top of 150 stored ones: page 1 mixes new and old, page 2 is all
    old — stop there, not at the first old review and not after every page."""
    root, server = replay
    old = reviews(150, ORG)  # the newest of them is NEWEST, the newest stored date
    fresh = reviews(7, ORG, newest=NEWEST + timedelta(hours=49), first=1000)
    write_org(root, ORG, fresh + old)
    result = _run(server, since=NEWEST)
    assert result.stop == "old" and _pages(server) == [1, 2] and len(result.items) == 100
    assert {r["reviewId"] for r in fresh} <= {i["review_id"] for i in result.items}


def test_polite_one_request_at_a_time_with_browser_headers(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(200, ORG))
    result = _run(server, delay=0.2)
    assert result.ok and server.log.max_in_flight == 1
    gaps = [b - a for a, b in zip(server.log.times, server.log.times[1:], strict=False)]
    assert min(gaps) >= 0.09  # DOWNLOAD_DELAY randomised to 0.5–1.5 × 0.2 s
    headers = server.log.headers[0]
    assert headers["Accept-Language"].startswith("ru-RU")
    assert "Mozilla/5.0" in headers["User-Agent"] and "Scrapy" not in headers["User-Agent"]
    card, *pages = server.log.paths
    assert card == f"/maps/org/org/{ORG}/" and all("ranking=by_time" in p for p in pages)
    referers = [h.get("Referer", "") for h in server.log.headers[1:]]
    assert referers[0].endswith(card)
    assert all(r.endswith(p) for r, p in zip(referers[1:], pages, strict=False))  # the previous page
    # the card's real address (seoname), read from page 1, is used from page 2 on
    assert [urlsplit(p).path.split("/")[3] for p in pages] == ["org"] + [f"office_{ORG[-4:]}"] * 3


def test_two_crawls_in_one_process(replay: tuple[Path, ReplayServer]) -> None:
    """The nightly flow crawls many organisations in one process: no ReactorNotRestartable."""
    root, server = replay
    write_org(root, ORG, reviews(60, ORG))
    write_org(root, "1000000556", reviews(30, "1000000556"))
    first = _run(server)
    second = crawl("1000000556", server.base_url, delay=0.01)
    assert first.ok and second.ok and len(first.items) == 60 and len(second.items) == 30


def test_unreachable_host_is_an_error_not_a_crash() -> None:
    result = crawl(ORG, "http://127.0.0.1:9", delay=0.01, retries=1, backoff=0.01, timeout=2)
    assert result.stop == "error" and result.error is not None and "страница 1" in result.error


def test_a_crashed_worker_is_reported_with_its_output() -> None:
    """A worker that dies without its closing event: the crawl says so, with stderr's tail."""
    from crawlers.yandex.run import _run

    result = CrawlResult(org_id=ORG, base_url="http://127.0.0.1:9")
    command = [sys.executable, "-c",
               'import sys; print(\'{"type": "item", "page": 1, "item": {"review_id": "x"}}\'); '
               'sys.stderr.write("ModuleNotFoundError: scrapy"); sys.exit(2)']
    _run(command, [result], None, deadline=60)
    assert result.stop == "error" and result.items == []  # an item of an unfinished page is dropped
    assert result.error is not None and "кодом 2" in result.error and "ModuleNotFoundError" in result.error


def test_replay_without_a_directory_is_a_user_error(tmp_path: Path) -> None:
    from crawlers.yandex.run import endpoint
    from vocabulary.errors import UserError

    with pytest.raises(UserError, match=r"\[replay\] dir"), endpoint("replay", tmp_path / "missing"):
        pass
    with endpoint("https://yandex.ru/", None) as base:
        assert base == "https://yandex.ru"


def test_nonsense_on_the_event_stream_is_an_error() -> None:
    from crawlers.yandex.run import _run

    result = CrawlResult(org_id=ORG, base_url="http://127.0.0.1:9")
    command = [sys.executable, "-c", "import time; print('Traceback?', flush=True); time.sleep(30)"]
    _run(command, [result], None, deadline=60)
    assert result.error is not None and "непонятный вывод" in result.error and result.stop == "error"


@pytest.mark.parametrize("block", ["captcha_403_pages", "inline_captcha_pages", "oops_pages"])
def test_every_kind_of_block_keeps_the_pages_before_it(replay: tuple[Path, ReplayServer], block: str) -> None:
    root, server = replay
    write_org(root, ORG, reviews(150, ORG), scenario={block: [2]})
    result = _run(server)
    assert result.blocked and result.blocked_page == 2 and not result.ok and result.error is None
    assert len(result.items) == 50 and {i["page"] for i in result.items} == {1}
    assert _pages(server) == [1, 2]  # a block is not retried


def test_page_thirteen_is_never_asked_for(replay: tuple[Path, ReplayServer]) -> None:
    """A loosely ordered sort repeats a few reviews from page to page: after 12 full pages
    fewer than 600 are new, yet Yandex answers page 13 with an error. The crawl ends «ok»."""
    root, server = replay
    items, previous = [], []
    for page in range(14):
        fresh = reviews(45, ORG, first=page * 45)
        items += previous[-5:] + fresh if previous else reviews(5, ORG, first=10_000) + fresh
        previous = fresh
    write_org(root, ORG, items, count=1000, scenario={"errors": {"13": [500] * 10}})
    result = _run(server)
    assert result.ok and result.stop == "cap" and _pages(server) == list(range(1, 13))
    assert len({i["review_id"] for i in result.items}) == 5 + 12 * 45


def test_a_full_crawl_merges_the_sort_orders_past_600(replay: tuple[Path, ReplayServer]) -> None:
    """800 reviews: newest first reaches the 600 newest, by rating the 600 others overlap them;
    merged by review id each is kept once and the crawl covers all 800."""
    root, server = replay
    everything = reviews(800, ORG)
    write_org(root, ORG, everything)
    write_org(root, ORG, list(reversed(everything)), ranking="by_rating_asc")
    result = _run(server, full=True)
    assert result.ok and result.rankings == ["by_time", "by_rating_asc", "by_rating_desc", "by_relevance_org"]
    ids = [i["review_id"] for i in result.items]
    assert len(ids) == len(set(ids)) == 800 and result.coverage == 1.0
    assert result.rating["reviewCount"] == 800
    rankings = {parse_qs(urlsplit(p).query)["ranking"][0] for p in server.log.paths if "/reviews" in p}
    assert rankings == {"by_time", "by_rating_asc", "by_rating_desc", "by_relevance_org"}


def test_the_nightly_increment_reads_newest_first_only(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(80, ORG))
    result = _run(server)
    assert result.rankings == ["by_time"] and result.coverage == 1.0
    assert all("ranking=by_time" in p for p in server.log.paths if "/reviews" in p)


def test_the_fetch_reviews_strategy_answers_the_csrf_challenge(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(150, ORG))
    result = _run(server, strategy="fetch")
    assert result.ok and len(result.items) == 150 and result.pages == 3
    calls = [p for p in server.log.paths if p.startswith("/maps/api/business/fetchReviews")]
    tokens = [parse_qs(urlsplit(p).query).get("csrfToken", [""])[0] for p in calls]
    assert tokens[0] == "" and all(t == tokens[1] and t for t in tokens[1:])  # challenged once, then kept
    assert [parse_qs(urlsplit(p).query)["page"][0] for p in calls] == ["1", "1", "2", "3"]
    fetch_headers = [h for p, h in zip(server.log.paths, server.log.headers, strict=True) if p in calls]
    assert all("/reviews/" in h.get("Referer", "") for h in fetch_headers)


def test_a_captcha_answer_of_fetch_reviews_is_a_block(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(150, ORG), scenario={"fetch_captcha_pages": [2]})
    result = _run(server, strategy="fetch")
    assert result.blocked and result.blocked_page == 2 and len(result.items) == 50


def test_reviews_at_a_moved_state_path_are_crawled(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(120, ORG), moved=True)
    result = _run(server)
    assert result.ok and len(result.items) == 120 and result.rating["reviewCount"] == 120


def test_twelve_full_pages_then_an_error_on_page_thirteen_is_ok(replay: tuple[Path, ReplayServer]) -> None:
    root, server = replay
    write_org(root, ORG, reviews(700, ORG), scenario={"errors": {"13": [500] * 10}})
    result = _run(server)
    assert result.ok and result.stop == "cap" and len(result.items) == 600 and 13 not in _pages(server)
