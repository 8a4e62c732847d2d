"""The server-rendered review page of a Yandex Maps organisation: parse it, detect a
captcha, and render one (for the demo and the tests) in the same layout.

Parsing is a pure function of the HTML so that it is tested on recorded pages, apart
from fetching.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import urlsplit

from vocabulary.errors import UserError

STATE_SCRIPT = re.compile(
    r"<script[^>]*\bclass=\"[^\"]*\bstate-view\b[^\"]*\"[^>]*>(?P<json>.*?)</script>", re.S
)
CAPTCHA_TEXT = "Подтвердите, что запросы отправляли вы"
CAPTCHA_MARKERS = ("CheckboxCaptcha", "AdvancedCaptcha", CAPTCHA_TEXT)
_SCRIPTS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_CAPTCHA_CLASS = re.compile(r"""\bclass\s*=\s*["'][^"']*\b(?:CheckboxCaptcha|AdvancedCaptcha)\b""", re.I)
PAGE_SIZE = 50


try:  # a dependency of Prefect; parses the ~1 MB state of a real page several times faster
    from orjson import loads as _fast_loads
except ImportError:  # pragma: no cover
    _fast_loads = None  # type: ignore[assignment]


def _loads(text: str) -> Any:
    return _fast_loads(text) if _fast_loads is not None else json.loads(text)


class PageFormatError(UserError):
    """The page is not a review page we understand (layout changed, truncated JSON…)."""


@dataclass
class ReviewPage:
    reviews: list[dict[str, Any]]
    params: dict[str, Any] = field(default_factory=dict)
    csrf_token: str | None = None

    @property
    def total_pages(self) -> int | None:
        value = self.params.get("totalPages")
        return int(value) if value is not None else None

    @property
    def remained(self) -> int | None:
        value = self.params.get("reviewsRemained")
        return int(value) if value is not None else None

    @property
    def count(self) -> int | None:
        value = self.params.get("count")
        return int(value) if value is not None else None


def is_captcha(html: str, url: str = "") -> bool:
    """A SmartCaptcha page: a `showcaptcha` URL (where the blocked request was redirected),
    a `.CheckboxCaptcha`/`.AdvancedCaptcha` element, or the visible text «Подтвердите, что
    запросы отправляли вы». Not a normal page that merely loads the `captchapgrd` script or
    whose scripts (the state JSON with review texts, bundles) mention those words."""
    if urlsplit(url).path.startswith("/showcaptcha"):
        return True
    if not any(marker in html for marker in CAPTCHA_MARKERS):
        return False  # the usual case, decided without touching the markup
    visible = _SCRIPTS.sub(" ", html)
    return CAPTCHA_TEXT in visible or _CAPTCHA_CLASS.search(visible) is not None


def page_url(base_url: str, org_id: str, page: int, slug: str | None = None) -> str:
    """The SSR review page, newest first (`seoname` may be any slug: the id decides)."""
    return f"{base_url.rstrip('/')}/maps/org/{slug or 'org'}/{org_id}/reviews/?page={page}&ranking=by_time"


def state_json(html: str) -> str | None:
    """The text of the `<script class="state-view">` element. Plain string search first: a
    real page is ~1 MB and the regex alone costs more than parsing the JSON."""
    pos = html.find("state-view")
    while pos != -1:
        tag_start = html.rfind("<script", 0, pos)
        tag_end = html.find(">", pos)
        if tag_start != -1 and tag_end != -1 and html.find(">", tag_start, pos) == -1 \
                and "class=" in html[tag_start:pos]:
            end = html.find("</script>", tag_end)
            if end != -1:
                return html[tag_end + 1:end]
        pos = html.find("state-view", pos + 1)
    match = STATE_SCRIPT.search(html)  # unusual markup (upper case, odd quoting)
    return match.group("json") if match else None


def parse_page(html: str, where: str = "страница") -> ReviewPage:
    """The reviews and paging params of a review page; `PageFormatError` naming `where`
    when the page is not what we expect (no state, broken JSON, another layout)."""
    data = state_json(html)
    if data is None:
        raise PageFormatError(f"{where}: не найден блок состояния (script.state-view)")
    try:
        state = _loads(data)
    except json.JSONDecodeError as exc:
        raise PageFormatError(
            f"{where}: испорченный JSON состояния (позиция {exc.pos}: {exc.msg})"
        ) from None
    try:
        results = state["stack"][0]["results"]["items"][0]["reviewResults"]
    except (KeyError, IndexError, TypeError):
        raise PageFormatError(
            f"{where}: в состоянии нет stack[0].results.items[0].reviewResults"
        ) from None
    if not isinstance(results, dict):
        raise PageFormatError(f"{where}: reviewResults не объект")
    reviews = results.get("reviews") or []
    if not isinstance(reviews, list):
        raise PageFormatError(f"{where}: reviewResults.reviews не список")
    params = results.get("params") or {}
    if not isinstance(params, dict):
        raise PageFormatError(f"{where}: reviewResults.params не объект")
    return ReviewPage(reviews, params, state.get("csrfToken") if isinstance(state, dict) else None)


def render_page(
    reviews: list[dict[str, Any]], page: int, total: int, org_name: str = "", limit: int = PAGE_SIZE
) -> str:
    """A review page as Yandex renders it: the state JSON in `script.state-view`, plus the
    `captchapgrd` script every normal page carries."""
    offset = (page - 1) * limit
    total_pages = max(1, -(-total // limit))
    params = {
        "offset": offset,
        "limit": limit,
        "count": total,
        "loadedReviewsCount": min(total, offset + len(reviews)),
        "page": page,
        "totalPages": total_pages,
        "reviewsRemained": max(0, total - offset - len(reviews)),
    }
    state = {
        "config": {"lang": "ru", "tld": "ru"},
        "csrfToken": "demo-csrf-token:1700000000",
        "stack": [{"results": {"items": [{
            "title": org_name,
            "reviewResults": {"reviews": reviews, "params": params},
        }]}}],
    }
    data = json.dumps(state, ensure_ascii=False).replace("</", "<\\/")
    return (
        "<!DOCTYPE html><html lang=\"ru\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(org_name)} — отзывы — Яндекс Карты</title>"
        "<script src=\"https://yastatic.net/s3/captcha-frontend/captchapgrd.js\"></script>"
        "</head><body><div class=\"app\"><div class=\"business-reviews-card-view\"></div></div>"
        f"<script type=\"application/json\" class=\"state-view\">{data}</script>"
        "</body></html>"
    )


CAPTCHA_PAGE = (
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Вы не робот?</title></head><body>"
    "<div class=\"CheckboxCaptcha\"><form action=\"/checkcaptcha\">"
    "<p>Подтвердите, что запросы отправляли вы, а не робот</p>"
    "<input type=\"checkbox\" class=\"CheckboxCaptcha-Button\"></form></div></body></html>"
)
