"""Several organisations in one crawler process (what the nightly run does): each gets its
own result, a captcha on one does not stop the next, and requests stay one at a time."""

from __future__ import annotations

import json
from pathlib import Path

from crawlers.replay import ReplayServer
from crawlers.yandex.run import CrawlJob, crawl_many
from tests.crawl_fixtures import NEWEST, reviews, write_org


def test_batch_crawls_each_organisation_in_turn(tmp_path: Path) -> None:
    write_org(tmp_path, "1000000701", reviews(120, "1000000701"))
    write_org(tmp_path, "1000000702", reviews(80, "1000000702"))
    write_org(tmp_path, "1000000703", reviews(30, "1000000703"))
    (tmp_path / "1000000702" / "scenario.json").write_text(json.dumps({"captcha_pages": [2]}), "utf-8")
    with ReplayServer(tmp_path) as server:
        jobs = [CrawlJob("1000000701", server.base_url), CrawlJob("1000000702", server.base_url),
                CrawlJob("1000000703", server.base_url, since=NEWEST)]
        first, blocked, idle = crawl_many(jobs, delay=0.01)
        assert server.log.max_in_flight == 1
    assert first.ok and len(first.items) == 120 and first.stop in ("last", "empty")
    assert {i["org_id"] for i in first.items} == {"1000000701"}
    assert blocked.blocked and blocked.blocked_page == 2 and len(blocked.items) == 50
    # Incremental: page 1 holds nothing newer than the newest stored review, so it stops there
    # (two requests: the organisation's card, then page 1).
    assert idle.ok and idle.pages == 1 and idle.stats["downloader/request_count"] == 2
