"""Recorded Yandex review pages for the crawler tests, written in the real format.

Reviews carry every field the real pages carry (see `../shared/formats.md`): the author
object with achievements and professions, `textTranslations`, reactions with
`userReaction`, photos with their own objects, `businessComment`. The texts are our own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crawlers.replay import ReplayServer
from crawlers.yandex.page import PAGE_SIZE, render_page

NEWEST = datetime(2026, 4, 20, 9, 30, tzinfo=UTC)
TEXTS = [
    "Записались через Госуслуги, приняли точно по времени, документы оформили за двадцать минут.",
    "Очередь в коридоре на полтора часа, электронная очередь не работает, кондиционера нет.",
    "Дозвониться невозможно: телефон занят с утра до вечера, на почту не отвечают неделю.",
    "Сотрудница в окне 3 очень вежливая, всё объяснила и помогла заполнить заявление.",
    "Отправляли из кабинета в кабинет, каждый раз требовали новую справку.",
]


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def review(i: int, org_id: str, moment: datetime, *, rating: int | None = None, text: str | None = None,
           reply: str | None = None) -> dict[str, Any]:
    """One review object in Yandex's shape."""
    body: dict[str, Any] = {
        "reviewId": f"rv{org_id[-3:]}{i:05d}Xq7LmZ",
        "businessId": org_id,
        "author": {
            "name": f"Житель {i}",
            "publicId": f"pub{i:08d}",
            "avatarUrl": "https://avatars.mds.yandex.net/get-yapic/0/0-0/{size}",
            "professionLevel": f"Знаток города {1 + i % 9} уровня",
            "achievements": [],
            "professions": [],
            "isSubscribed": False,
            "rtb": "",
            "rtbType": "none",
        },
        "text": TEXTS[i % len(TEXTS)] if text is None else text,
        "textLanguage": "ru",
        "textTranslations": {"tr": "Translated text"},
        "rating": 1 + i % 5 if rating is None else rating,
        "updatedTime": stamp(moment),
        "reactions": {"likes": i % 7, "dislikes": i % 2, "userReaction": "NONE"},
        "photos": [] if i % 10 else [{
            "type": "photo", "id": f"ph{i}", "businessId": org_id,
            "urlTemplate": "https://avatars.mds.yandex.net/get-altay/1/2/%s", "createdTime": stamp(moment),
            "moderation": {"status": "ACCEPTED"}, "showReactions": True,
            "reactions": {"likes": 0, "dislikes": 0}, "copyright": "",
        }],
        "videos": [],
    }
    if reply or i % 4 == 0:
        body["businessComment"] = {"text": reply or "Спасибо за отзыв, передали руководителю.",
                                   "updatedTime": stamp(moment + timedelta(days=2))}
    return body


def reviews(n: int, org_id: str, newest: datetime = NEWEST, first: int = 0) -> list[dict[str, Any]]:
    """`n` reviews, newest first, one every 7 hours, numbered from `first`."""
    return [review(first + k, org_id, newest - timedelta(hours=7 * k)) for k in range(n)]


def write_org(root: Path, org_id: str, items: list[dict[str, Any]], *, limit: int = PAGE_SIZE,
              count: int | None = None, scenario: dict[str, Any] | None = None,
              name: str = "Управление ЗАГС", ranking: str | None = None, moved: bool = False) -> Path:
    """Record an organisation's pages as the replay server serves them; `count` is what
    the pages claim in `params` (it may exceed what is reachable). `ranking` records the
    pages of another sort order beside the default ones."""
    directory = root / org_id
    directory.mkdir(parents=True, exist_ok=True)
    suffix = f"-{ranking}" if ranking else ""
    for old in directory.glob(f"page-*{suffix}.html" if ranking else "page-*.html"):
        old.unlink()
    total = len(items) if count is None else count
    for page, start in enumerate(range(0, len(items), limit), start=1):
        html = render_page(items[start:start + limit], page, total, name, limit=limit, org_id=org_id,
                           moved=moved)
        (directory / f"page-{page}{suffix}.html").write_text(html, "utf-8")
    if ranking:
        return directory
    meta = json.dumps({"name": name, "count": total}, ensure_ascii=False)
    (directory / "meta.json").write_text(meta, "utf-8")
    scenario_file = directory / "scenario.json"
    if scenario is not None:
        scenario_file.write_text(json.dumps(scenario), "utf-8")
    elif scenario_file.exists():
        scenario_file.unlink()
    return directory


def corrupt_state(path: Path) -> None:
    """Cut the state JSON in the middle, as a truncated download or a layout change would."""
    html = path.read_text("utf-8")
    start = html.index('class="state-view">') + len('class="state-view">')
    end = html.index("</script>", start)
    middle = start + (end - start) // 2
    path.write_text(html[:middle] + html[end:], "utf-8")


@pytest.fixture
def replay(tmp_path: Path) -> Iterator[tuple[Path, ReplayServer]]:
    """A loopback server replaying the pages written under its root (`write_org`)."""
    root = tmp_path / "yandex"
    root.mkdir()
    with ReplayServer(root) as server:
        yield root, server
