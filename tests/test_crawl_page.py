"""Parsing recorded Yandex review pages, captcha detection, review items and the paging
decision: pure functions, no network, no Scrapy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from crawl_fixtures import NEWEST, corrupt_state, review, reviews, write_org

from crawlers.yandex.fetch import fetch_url, parse_fetch, signature
from crawlers.yandex.items import ItemError, review_item, to_record
from crawlers.yandex.page import (
    CAPTCHA_PAGE,
    OOPS_PAGE,
    PageFormatError,
    csrf_token,
    holder_of,
    is_captcha,
    page_url,
    parse_page,
    read_state,
    render_page,
)
from crawlers.yandex.paging import (
    STOP_CAP,
    STOP_EMPTY,
    STOP_LAST,
    STOP_MAX_PAGES,
    STOP_OLD,
    STOP_REPEATED,
    Paging,
)
from ingest.records import FeedbackRecord, Rejected

REAL = Path(__file__).resolve().parents[2] / "shared" / "reference" / "yandex"
REFERENCE = REAL / "yandex-fetchReviews-82071161567-page2-reviews-array.json"
REAL_STATE_PAGE = REAL / "yandex-maps-search-page-spb-state-view.html"
ORG = "1000000777"


def test_parse_recorded_page(tmp_path: Path) -> None:
    directory = write_org(tmp_path, ORG, reviews(120, ORG), count=130)
    page = parse_page((directory / "page-2.html").read_text("utf-8"), "страница 2")
    assert len(page.reviews) == 50 and page.reviews[0]["reviewId"] == review(50, ORG, NEWEST)["reviewId"]
    assert (page.total_pages, page.remained, page.count) == (3, 30, 130)
    assert page.params["offset"] == 50 and page.csrf_token


@pytest.mark.parametrize(("html", "message"), [
    ("<html><body>Ничего</body></html>", "не найден блок состояния"),
    ('<script class="state-view">{"stack": []}</script>', "нет блока reviewResults"),
    ('<script class="state-view">{"stack": [{"results": {"items": [{"reviewResults": '
     '{"reviews": {"a": 1}}}]}}]}</script>', "reviews не список"),
])
def test_unexpected_layouts_are_named(html: str, message: str) -> None:
    with pytest.raises(PageFormatError, match=message):
        parse_page(html, "страница 4")


def test_truncated_state_json_is_a_clear_error(tmp_path: Path) -> None:
    directory = write_org(tmp_path, ORG, reviews(60, ORG))
    corrupt_state(directory / "page-1.html")
    with pytest.raises(PageFormatError, match=r"страница 1: испорченный JSON состояния \(позиция \d+"):
        parse_page((directory / "page-1.html").read_text("utf-8"), "страница 1")


def _page_with_text(text: str) -> str:
    return render_page([review(1, ORG, NEWEST, text=text)], 1, 1, "Отдел")


@pytest.mark.parametrize(("html", "url", "captcha"), [
    (CAPTCHA_PAGE, "https://yandex.ru/showcaptcha?retpath=x", True),
    (CAPTCHA_PAGE, "https://yandex.ru/maps/org/x/1/reviews/", True),  # served in place, no redirect
    ("<html><body>…</body></html>", "https://yandex.ru/showcaptcha?cc=1", True),
    ('<div class="AdvancedCaptcha AdvancedCaptcha_silhouette"><img src="c.png"></div>', "", True),
    ("<p>Подтвердите, что запросы отправляли вы, а не робот</p>", "", True),
    # Every normal page loads captchapgrd: not a captcha.
    (render_page(reviews(3, ORG), 1, 3, "Отдел"), "https://yandex.ru/maps/org/x/1/reviews/?page=1", False),
    # Review texts live in the state script: a citizen quoting the captcha is not one.
    (_page_with_text("Сайт просил: «Подтвердите, что запросы отправляли вы», CheckboxCaptcha"), "", False),
    ('<script>window.f=function(){return "AdvancedCaptcha"}</script><div class="app"></div>', "", False),
    ("<html>captchapgrd</html>", "https://yandex.ru/maps/org/showcaptcha-fan/1/reviews/", False),
])
def test_captcha_detection(html: str, url: str, captcha: bool) -> None:
    assert is_captcha(html, url) is captcha


def test_page_url_asks_for_newest_first() -> None:
    assert page_url("http://127.0.0.1:8000/", "42", 3, "zags") == \
        "http://127.0.0.1:8000/maps/org/zags/42/reviews/?page=3&ranking=by_time"


def test_review_item_reads_every_field() -> None:
    raw = review(0, ORG, NEWEST)  # has a reply and a photo
    item = review_item(raw, ORG, 2, 7)
    assert item == {
        "review_id": raw["reviewId"], "org_id": ORG, "rating": 1, "text": raw["text"],
        "published_at": "2026-04-20T09:30:00.000Z", "reply_text": raw["businessComment"]["text"],
        "reply_at": "2026-04-22T09:30:00.000Z", "author": "Житель 0",
        "author_level": "Знаток города 1 уровня",
        "language": "ru", "likes": 0, "dislikes": 0, "photos": 1, "videos": 0, "page": 2, "position": 7,
    }
    assert "pub00000000" not in json.dumps(item)  # the author's public id is not kept


@pytest.mark.parametrize(("changes", "field", "expected"), [
    ({"rating": 0}, "rating", None),  # no stars
    ({"rating": "4"}, "rating", 4),
    ({"text": ""}, "text", None),  # rating-only review
    ({"text": None}, "text", None),
    ({"businessComment": None}, "reply_text", None),
    ({"updatedTime": "2026-04-20T09:30:00Z"}, "published_at", "2026-04-20T09:30:00.000Z"),
    ({"updatedTime": "2026-04-20T12:30:00.5+03:00"}, "published_at", "2026-04-20T09:30:00.500Z"),
    ({"reactions": {}}, "likes", 0),
])
def test_review_item_tolerates_what_real_reviews_omit(changes: dict[str, Any], field: str,
                                                      expected: object) -> None:
    assert review_item(review(1, ORG, NEWEST) | changes, ORG, 1, 1)[field] == expected


@pytest.mark.parametrize(("changes", "message"), [
    ({"reviewId": None}, "reviewId"),
    ({"reviewId": "  "}, "reviewId"),
    ({"rating": 6}, "вне шкалы"),
    ({"rating": 2.5}, "вне шкалы"),
    ({"rating": "пять"}, "не число"),
    ({"updatedTime": None}, "нет даты"),
    ({"updatedTime": "вчера"}, "ISO 8601"),
])
def test_unusable_reviews_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ItemError, match=message):
        review_item(review(1, ORG, NEWEST) | changes, ORG, 1, 1)


def test_item_becomes_a_record() -> None:
    item = review_item(review(8, ORG, NEWEST), ORG, 3, 9)
    record = to_record(item)
    assert isinstance(record, FeedbackRecord)
    assert record.external_id == item["review_id"] and record.rating == 4 and record.rating_raw == "4"
    assert record.published_at == NEWEST and record.published_at.tzinfo is not None
    assert record.text == item["text"] and record.reply_text == item["reply_text"]
    assert record.extra["author"] == "Житель 8" and record.extra["likes"] == 1 and record.extra["page"] == 3
    assert record.location == "страница 3, отзыв 9"
    broken = to_record(item | {"published_at": "не дата"})
    assert isinstance(broken, Rejected) and broken.location == "страница 3, отзыв 9"


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference recording not available")
def test_real_reviews_map_completely() -> None:
    """Every real review of the reference recording maps, with nothing lost on the way."""
    raw_reviews = json.loads(REFERENCE.read_text("utf-8"))
    items = [review_item(raw, "ref", 1, i) for i, raw in enumerate(raw_reviews, start=1)]
    assert len({i["review_id"] for i in items}) == len(raw_reviews)
    for raw, item in zip(raw_reviews, items, strict=True):
        assert item["rating"] == raw["rating"] and item["text"] == (raw["text"] or None)
        assert item["published_at"][:19] == raw["updatedTime"][:19]
        assert item["likes"] == raw["reactions"]["likes"] and item["photos"] == len(raw["photos"])
        if raw.get("businessComment", {}).get("text"):
            assert item["reply_text"] == raw["businessComment"]["text"]
        assert isinstance(to_record(item), FeedbackRecord)
    html = render_page(raw_reviews, 1, len(raw_reviews), "ref")
    assert not is_captcha(html, "https://yandex.ru/maps/org/x/1/reviews/")
    assert len(parse_page(html).reviews) == len(raw_reviews)


# --- paging -------------------------------------------------------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _ids(page: int, n: int = 50) -> list[str]:
    return [f"p{page}-{k}" for k in range(n)]


def _times(newest_hours: int, n: int = 50) -> list[datetime | None]:
    return [T0 + timedelta(hours=newest_hours - k) for k in range(n)]


@pytest.mark.parametrize(("paging", "page", "ids", "total_pages", "remained", "expected"), [
    (Paging(), 1, _ids(1), 12, 550, None),
    (Paging(), 1, [], 12, 550, STOP_EMPTY),
    (Paging(), 3, _ids(3, 20), 3, 0, STOP_LAST),  # pages of 20: the page's params decide, not 50
    (Paging(), 2, _ids(2, 20), 5, 0, STOP_LAST),
    (Paging(), 4, _ids(4), 4, None, STOP_LAST),
    (Paging(reviews=550), 12, _ids(12), 30, 900, STOP_CAP),
    (Paging(max_pages=2), 2, _ids(2), 12, 500, STOP_MAX_PAGES),
    (Paging(seen=set(_ids(1))), 2, _ids(1), 12, 500, STOP_REPEATED),
])
def test_paging_stops(paging: Paging, page: int, ids: list[str], total_pages: int | None,
                      remained: int | None, expected: str | None) -> None:
    assert paging.after_page(page, ids, _times(0, len(ids)), total_pages, remained) == expected


@pytest.mark.parametrize(("newest_hours", "expected"), [
    (100, None),  # everything newer than what is stored
    (1, None),  # the newest review on the page is newer: keep going (order is loose)
    (0, STOP_OLD),  # all reviews at or before the newest stored one
    (-50, STOP_OLD),
])
def test_incremental_stops_only_when_a_whole_page_is_old(newest_hours: int, expected: str | None) -> None:
    paging = Paging(since=T0)
    assert paging.after_page(1, _ids(1), _times(newest_hours), 12, 550) == expected


def test_cap_counts_distinct_reviews() -> None:
    paging = Paging(cap=100)
    assert paging.after_page(1, _ids(1), _times(0), 12, 550) is None
    assert paging.after_page(2, _ids(2), _times(0), 12, 500) == STOP_CAP
    assert paging.reviews == 100



# --- the real shapes -------------------------------------------------------------------------

def test_reviews_are_found_where_a_build_moved_them() -> None:
    rating = {"ratingCount": 163, "ratingValue": 4.4, "reviewCount": 117}
    for moved in (False, True):
        html = render_page(reviews(50, ORG), 1, 117, "МФЦ", org_id=ORG, rating=rating, moved=moved,
                           padding=900)
        page = parse_page(html)
        assert len(page.reviews) == 50 and page.count == 117
        assert page.rating == rating and page.business_id == ORG and page.aspects[0]["text"]
        assert page.csrf_token and page.csrf_token.split(":")[1].isdigit()
    assert len(html) > 900_000  # the size of a real page's state


@pytest.mark.parametrize(("html", "url", "blocked"), [
    (CAPTCHA_PAGE, "https://yandex.ru/maps/org/x/1/reviews/?page=2", True),
    (OOPS_PAGE, "https://yandex.ru/maps/org/x/1/reviews/?page=2", True),
    ("<html><body>ok</body></html>", "https://yandex.ru/showcaptcha?retpath=x", True),
    (render_page(reviews(3, ORG), 1, 3), "https://yandex.ru/maps/org/x/1/reviews/", False),
    # a review quoting the words of a block page stays a review
    (render_page([review(1, ORG, NEWEST) | {"text": "форма checkbox-captcha-form и /checkcaptcha"}], 1, 1),
     "https://yandex.ru/maps/org/x/1/reviews/", False),
])
def test_every_kind_of_block_page(html: str, url: str, blocked: bool) -> None:
    assert is_captcha(html, url) is blocked


@pytest.mark.skipif(not REAL_STATE_PAGE.exists(), reason="reference recording not available")
def test_the_real_state_page() -> None:
    """The real 1.4 MB page: csrf token under config, the rating and aspects of a business;
    the real reviews placed at a path no fixture uses are still found."""
    html = REAL_STATE_PAGE.read_text("utf-8")
    state = read_state(html)
    token = csrf_token(state)
    assert token and len(token.split(":")[0]) == 40 and token.split(":")[1].isdigit()
    business = holder_of(state, "ratingData")
    assert business is not None and business["type"] == "business"
    assert set(business["ratingData"]) >= {"ratingCount", "ratingValue", "reviewCount"}
    with pytest.raises(PageFormatError, match="нет блока reviewResults"):
        parse_page(html)  # a search page carries no reviews
    if REFERENCE.exists():
        real_reviews = json.loads(REFERENCE.read_text("utf-8"))
        items = state["stack"][0]["results"]["items"]
        items[-1]["reviewResults"] = {"reviews": real_reviews, "params": {"page": 2, "totalPages": 3}}
        page = parse_page(html.replace(_state_text(html), json.dumps(state, ensure_ascii=False)))
        assert len(page.reviews) == len(real_reviews) and page.rating == items[-1]["ratingData"]
        assert page.seoname == items[-1]["seoname"] and page.business_id == str(items[-1]["id"])


def _state_text(html: str) -> str:
    from crawlers.yandex.page import state_json

    text = state_json(html)
    assert text is not None
    return text


# --- fetchReviews ----------------------------------------------------------------------------

REAL_REQUEST = REAL / "yandex-fetchReviews-request-82071161567.json"


@pytest.mark.parametrize(("body", "kind"), [
    ('{"csrfToken": "abc:1"}', "challenge"),
    ('{"type": "captcha"}', "captcha"),
    ('{"data": {"reviews": [], "params": {"page": 2}}}', "reviews"),
])
def test_fetch_answers(body: str, kind: str) -> None:
    assert parse_fetch(body, "страница 2").kind == kind


@pytest.mark.parametrize("body", ["<html>", '{"data": {"reviews": {}}}', "[]"])
def test_unexpected_fetch_answers_are_named(body: str) -> None:
    with pytest.raises(PageFormatError, match="страница 2"):
        parse_fetch(body, "страница 2")


@pytest.mark.skipif(not REAL_REQUEST.exists(), reason="reference recording not available")
def test_the_signature_is_the_one_the_real_page_computes() -> None:
    real = json.loads(REAL_REQUEST.read_text("utf-8"))[0]["url"]
    query = dict(parse_qsl(urlsplit(real).query))
    ours = fetch_url("https://yandex.ru", query["businessId"], int(query["page"]), ranking=query["ranking"],
                     csrf_token=query["csrfToken"], session_id=query["sessionId"], request_id=query["reqId"])
    assert ours == real


def test_the_signature_covers_the_sorted_query() -> None:
    assert signature("") == 5381
    first = fetch_url("https://yandex.ru", "1", 1, csrf_token="t:1")
    second = fetch_url("https://yandex.ru", "1", 2, csrf_token="t:1")
    assert parse_qs(urlsplit(first).query)["s"] != parse_qs(urlsplit(second).query)["s"]
    keys = [k for k, _ in parse_qsl(urlsplit(first).query)]
    assert keys == sorted(keys)
