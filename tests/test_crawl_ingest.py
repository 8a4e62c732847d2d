"""Crawling straight into the store (`crawl_into_source`, the nightly step) on both back
ends: incremental re-crawls, edits, and what a captcha or a broken page leaves behind."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from crawl_fixtures import NEWEST, corrupt_state, replay, reviews, write_org
from sqlmodel import select

from crawlers.replay import ReplayServer
from ingest.yandex import SourceCrawl, crawl_into_source
from models.db import session_scope
from models.repo import ensure_organisation, ensure_source
from models.tables import Feedback, FeedbackVersion, IngestRun, Quarantine, Source

__all__ = ["replay"]  # the shared fixture, imported for pytest

ORG = "1000000888"


@pytest.fixture
def setup(store: str, replay: tuple[Path, ReplayServer]) -> tuple[Path, ReplayServer, int]:
    with session_scope() as session:
        org, _ = ensure_organisation(session, "szn", "Управление соцзащиты")
        source = ensure_source(session, org, "yandex", external_id=ORG)
        source_id = source.id
    assert source_id is not None
    root, server = replay
    return root, server, source_id


def _into(server: ReplayServer, source_id: int, incremental: bool = True) -> SourceCrawl:
    return crawl_into_source(source_id, ORG, base_url=server.base_url, delay=0.01, incremental=incremental)


def _stored() -> dict[str, Feedback]:
    with session_scope() as session:
        return {f.external_id: f for f in session.exec(select(Feedback)).all()}


def _source(source_id: int) -> Source:
    with session_scope() as session:
        source = session.get(Source, source_id)
        assert source is not None
        return source


def test_incremental_recrawl_adds_only_new_reviews(setup: tuple[Path, ReplayServer, int]) -> None:
    root, server, source_id = setup
    old = reviews(150, ORG)
    write_org(root, ORG, old)
    first = _into(server, source_id)  # a new source: every sort order, 3 pages each
    assert (first.status, first.n_new, first.crawl.pages) == ("ok", 150, 12)
    assert len(first.crawl.rankings) == 4 and first.crawl.coverage == 1.0
    fresh = reviews(7, ORG, newest=NEWEST + timedelta(hours=49), first=1000)
    write_org(root, ORG, fresh + old)
    server.log.paths.clear()
    again = _into(server, source_id)
    assert again.crawl.stop == "old" and len([p for p in server.log.paths if "/reviews" in p]) == 2
    assert (again.n_new, again.n_updated, again.n_unchanged) == (7, 0, 93)
    assert len(again.changed_ids) == 7
    stored = _stored()
    assert len(stored) == 157 and {r["reviewId"] for r in fresh} <= set(stored)
    one = stored[fresh[0]["reviewId"]]
    assert one.extra["author"] == "Житель 1000" and one.published_at == NEWEST + timedelta(hours=49)
    assert "pub" not in str(one.extra)  # the author's public id is not stored


def test_edited_review_updates_in_place(setup: tuple[Path, ReplayServer, int]) -> None:
    root, server, source_id = setup
    items = reviews(60, ORG)
    write_org(root, ORG, items)
    _into(server, source_id)
    before = _stored()[items[3]["reviewId"]]
    items[3] = items[3] | {"text": "Дополняю: после жалобы перезвонили и всё решили.", "rating": 4,
                           "businessComment": {"text": "Рады, что вопрос решён.",
                                               "updatedTime": "2026-04-21T10:00:00.000Z"}}
    write_org(root, ORG, items)
    result = _into(server, source_id, incremental=False)
    assert (result.n_new, result.n_updated, result.n_unchanged) == (0, 1, 59)
    after = _stored()[items[3]["reviewId"]]
    assert after.id == before.id and after.text == "Дополняю: после жалобы перезвонили и всё решили."
    assert after.rating == 4 and after.reply_text == "Рады, что вопрос решён."
    with session_scope() as session:
        version = session.exec(select(FeedbackVersion)).one()
    assert (version.feedback_id, version.text, version.rating) == (before.id, before.text, before.rating)


def test_captcha_keeps_earlier_pages_and_blocks_the_source(setup: tuple[Path, ReplayServer, int]) -> None:
    root, server, source_id = setup
    write_org(root, ORG, reviews(150, ORG), scenario={"captcha_pages": [2]})
    result = _into(server, source_id)
    assert result.status == "blocked" and result.n_new == 50
    assert len(_stored()) == 50
    source = _source(source_id)
    assert source.status == "blocked" and "капчу на странице 2" in (source.status_detail or "")
    with session_scope() as session:
        run = session.exec(select(IngestRun)).one()
    assert run.status == "blocked" and run.n_new == 50


def test_captcha_on_the_first_page_records_a_blocked_run(setup: tuple[Path, ReplayServer, int]) -> None:
    root, server, source_id = setup
    write_org(root, ORG, reviews(10, ORG), scenario={"captcha_pages": [1]})
    result = _into(server, source_id)
    assert result.status == "blocked" and result.ingest is None
    with session_scope() as session:
        run = session.exec(select(IngestRun)).one()
    assert (run.status, run.source_id, run.n_new) == ("blocked", source_id, 0)
    assert _source(source_id).status == "blocked"


def test_broken_page_keeps_what_came_before(setup: tuple[Path, ReplayServer, int]) -> None:
    root, server, source_id = setup
    directory = write_org(root, ORG, reviews(150, ORG))
    corrupt_state(directory / "page-3.html")
    result = _into(server, source_id)
    assert result.status == "partial" and result.n_new == 100
    assert {f.extra["page"] for f in _stored().values()} == {1, 2}
    source = _source(source_id)
    assert source.status == "partial" and "страница 3" in (source.status_detail or "")


def test_an_unusable_review_is_quarantined_with_its_place(setup: tuple[Path, ReplayServer, int]) -> None:
    root, server, source_id = setup
    items = reviews(60, ORG)
    items[2] = items[2] | {"rating": 9}
    write_org(root, ORG, items)
    result = _into(server, source_id)
    assert (result.status, result.n_new, result.n_quarantined) == ("ok", 59, 1)
    with session_scope() as session:
        row = session.exec(select(Quarantine)).one()
    assert row.location == "страница 1, отзыв 3" and "вне шкалы" in row.reason
    assert row.payload["reviewId"] == items[2]["reviewId"] and row.source_id == source_id


def test_each_crawl_keeps_the_public_rating_and_the_api_shows_its_trend(setup: tuple[Path, ReplayServer, int],
                                                                      ) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.api_fixtures import seed

    root, server, source_id = setup
    write_org(root, ORG, reviews(120, ORG), count=160)  # the card claims 160 reviews, 120 reachable
    _into(server, source_id)
    fresh = reviews(10, ORG, newest=NEWEST + timedelta(days=2), first=1000)
    write_org(root, ORG, fresh + reviews(120, ORG), count=170)
    _into(server, source_id)
    tokens = seed().tokens
    with TestClient(create_app()) as client:
        headers = {"Authorization": f"Bearer {tokens['viewer']}"}
        points = client.get("/api/v1/ratings?org=szn", headers=headers).json()
        csv_text = client.get("/api/v1/ratings?org=szn&format=csv", headers=headers).text
    assert [p["review_count"] for p in points] == [160, 170]
    assert [p["reviews_stored"] for p in points] == [120, 130]
    assert points[0]["coverage"] == 0.75 and points[0]["rating_value"] == 4.1
    assert points[0]["aspects"][0]["text"] == "Вежливый персонал"
    assert points[0]["taken_at"] < points[1]["taken_at"] and "Доля собранных" in csv_text.splitlines()[0]


def _region_today() -> date:
    """Today in the region's time zone (Moscow), where the report places the crawl's
    snapshot: after 21:00 UTC it is already tomorrow there."""
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Europe/Moscow")).date()


def test_the_report_gives_the_public_rating(setup: tuple[Path, ReplayServer, int], tmp_path: Path) -> None:
    from docx import Document

    from reports.build import build_report
    from tests.report_fixtures import docx_text
    from vocabulary.periods import days

    root, server, source_id = setup
    write_org(root, ORG, reviews(60, ORG), count=80)
    _into(server, source_id)
    # from the reviews' days to today, when the crawl read the rating
    period = days((NEWEST - timedelta(days=30)).date(), _region_today())
    built = build_report(period, tmp_path / "r.docx", region="Город")
    text = " ".join(docx_text(Document(str(built.docx))).split())
    assert "Управление соцзащиты: рейтинг в Яндекс Картах на" in text
    assert "— 4,1 (оценок — 80, отзывов — 80; собрано отзывов — 75,00%)" in text


def test_reply_statistics_in_the_api_and_the_report(setup: tuple[Path, ReplayServer, int],
                                                    tmp_path: Path) -> None:
    from docx import Document
    from fastapi.testclient import TestClient

    from api.app import create_app
    from reports.build import build_report
    from tests.api_fixtures import seed
    from tests.report_fixtures import docx_text
    from vocabulary.periods import days

    root, server, source_id = setup
    items = reviews(40, ORG)  # every 4th answered two days later; ratings 1..5 in turn
    write_org(root, ORG, items)
    _into(server, source_id)
    answered = [r for r in items if "businessComment" in r]
    unanswered_negative = [r for r in items if "businessComment" not in r and r["rating"] <= 3]
    first = (NEWEST - timedelta(days=30)).date()
    period = f"{first.isoformat()}..{NEWEST.date().isoformat()}"
    tokens = seed().tokens
    with TestClient(create_app()) as client:
        (stats,) = client.get(f"/api/v1/replies?period={period}&org=szn",
                              headers={"Authorization": f"Bearer {tokens['viewer']}"}).json()
    assert (stats["reviews"], stats["replied"]) == (40, len(answered))
    assert stats["reply_rate"] == round(100 * len(answered) / 40, 2)
    assert stats["median_hours_to_reply"] == 48.0
    assert len(stats["unanswered_negative"]) == len(unanswered_negative)
    assert all(u["rating"] <= 3 and u["age_days"] > 0 for u in stats["unanswered_negative"])
    built = build_report(days(first, NEWEST.date()), tmp_path / "r.docx", region="Город")
    text = " ".join(docx_text(Document(str(built.docx))).split())
    assert (f"ответы на отзывы в Яндекс Картах — 25,00% ({len(answered)} из 40), медиана времени до "
            f"ответа — 2,0 дн.; без ответа негативных отзывов (1–3 звезды) — "
            f"{len(unanswered_negative)}") in text


def test_the_dashboard_shows_the_public_rating_and_the_answers(setup: tuple[Path, ReplayServer, int]) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from tests.api_fixtures import seed

    root, server, source_id = setup
    write_org(root, ORG, reviews(40, ORG), count=80)
    _into(server, source_id)
    first = (NEWEST - timedelta(days=30)).date()
    period = f"{first.isoformat()}..{_region_today().isoformat()}"
    tokens = seed().tokens
    with TestClient(create_app(), headers={"Origin": "http://testserver"}) as client:
        client.post("/login", data={"token": tokens["viewer"], "next": "/dashboard"})
        page = client.get(f"/dashboard?period={period}").text
    table = page[page.index('id="yandex-table"'):page.index("</table>", page.index('id="yandex-table"'))]
    (row,) = [r for r in table.split("<tr>")[2:] if "соцзащит" in r.lower()]
    cells = [c.split("<")[0].split(">")[-1] for c in row.split('<td class="num">')[1:]]
    # rating, change, reviews on the card, collected %, answered %, median hours
    assert cells[:6] == ["4,1", "—", "80", "50,00", "25,00", "48,0"]
    assert "самый давний" in row


@pytest.mark.parametrize(("statuses", "days_ago", "rests"), [
    (["blocked"], 0.5, False),  # one block: try again tomorrow
    (["ok", "blocked", "blocked"], 1, True),  # two in a row: wait 2 days after the last try
    (["blocked", "blocked"], 2.1, False),
    (["blocked", "blocked", "blocked"], 3, True),  # three: 4 days
    (["blocked"] * 3, 4.1, False),
    (["blocked"] * 6, 6, True),  # never more than a week
    (["blocked"] * 6, 7.1, False),
    (["blocked", "blocked", "ok"], 0.5, False),  # the last run worked
])
def test_a_source_blocked_night_after_night_is_given_a_rest(setup: tuple[Path, ReplayServer, int],
                                                            statuses: list[str], days_ago: float,
                                                            rests: bool) -> None:
    from ingest.runs import resting

    _, _, source_id = setup
    last = datetime.now(UTC) - timedelta(days=days_ago)
    with session_scope() as session:
        for status in statuses:
            session.add(IngestRun(source_id=source_id, kind="yandex", status=status, finished_at=last))
        source = session.get(Source, source_id)
        assert source is not None
        source.last_run_at = last
        session.add(source)
    reason = resting(source_id)
    assert (reason is not None) is rests
    if rests:
        assert reason is not None and "подряд" in reason and "пауза до" in reason


def test_the_sites_cookies_are_kept_between_nights(setup: tuple[Path, ReplayServer, int]) -> None:
    root, server, source_id = setup
    write_org(root, ORG, reviews(30, ORG))
    _into(server, source_id)
    assert _source(source_id).crawl_state["cookies"] == {"yandexuid": "4242424242"}
    assert "Cookie" not in server.log.headers[0]  # the first visit comes without
    server.log.paths.clear()
    server.log.headers.clear()
    _into(server, source_id)
    assert server.log.paths[0].endswith(f"/{ORG}/")  # the card, then the reviews
    assert "yandexuid=4242424242" in server.log.headers[0].get("Cookie", "")
    assert all("yandexuid=4242424242" in h.get("Cookie", "") for h in server.log.headers)
