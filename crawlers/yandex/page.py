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
# What the block pages of Yandex carry (SmartCaptcha «Вы не робот?», the older «Ой!» page):
# the checkbox form posting to /checkcaptcha, its CheckboxCaptcha/AdvancedCaptcha blocks, the
# visible request to confirm. Any of them in the page's markup (not in its scripts) is a block.
CAPTCHA_MARKERS = ("CheckboxCaptcha", "AdvancedCaptcha", "checkbox-captcha-form", "checkcaptcha",
                   CAPTCHA_TEXT)
_SCRIPTS = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.S | re.I)
_CAPTCHA_MARKUP = re.compile(
    r"""\bclass\s*=\s*["'][^"']*\b(?:CheckboxCaptcha|AdvancedCaptcha)\b"""
    r"""|\bid\s*=\s*["']checkbox-captcha-form["']"""
    r"""|\baction\s*=\s*["'][^"']*/checkcaptcha""", re.I)
CAPTCHA_HEADER = "x-yandex-captcha"  # a 403 carrying it is a block, whatever the body
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
    """What a review page says: its reviews and paging params, and about the organisation
    the public rating (`ratingData {ratingValue, ratingCount, reviewCount}`), Yandex's
    aspects, its id and seoname; the csrf token the page's own requests would use."""

    reviews: list[dict[str, Any]]
    params: dict[str, Any] = field(default_factory=dict)
    csrf_token: str | None = None
    rating: dict[str, Any] = field(default_factory=dict)
    aspects: list[dict[str, Any]] = field(default_factory=list)
    business_id: str | None = None
    seoname: str | None = None

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
    return CAPTCHA_TEXT in visible or _CAPTCHA_MARKUP.search(visible) is not None


BY_TIME = "by_time"  # newest first: the nightly increment
# A full crawl reads every sort order: each reaches 12 pages, together well past 600 reviews.
RANKINGS = (BY_TIME, "by_rating_asc", "by_rating_desc", "by_relevance_org")


def org_url(base_url: str, org_id: str, slug: str | None = None) -> str:
    """The organisation's card, where a person arrives before opening its reviews."""
    return f"{base_url.rstrip('/')}/maps/org/{slug or 'org'}/{org_id}/"


def page_url(base_url: str, org_id: str, page: int, slug: str | None = None, ranking: str = BY_TIME) -> str:
    """The SSR review page in one sort order (`seoname` may be any slug: the id decides)."""
    return f"{base_url.rstrip('/')}/maps/org/{slug or 'org'}/{org_id}/reviews/?page={page}&ranking={ranking}"


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


def read_state(html: str, where: str = "страница") -> dict[str, Any]:
    """The page's state JSON; `PageFormatError` naming `where` when it is absent or broken."""
    data = state_json(html)
    if data is None:
        raise PageFormatError(f"{where}: не найден блок состояния (script.state-view)")
    try:
        state = _loads(data)
    except json.JSONDecodeError as exc:
        raise PageFormatError(
            f"{where}: испорченный JSON состояния (позиция {exc.pos}: {exc.msg})"
        ) from None
    if not isinstance(state, dict):
        raise PageFormatError(f"{where}: состояние страницы не объект")
    return state


def holder_of(tree: Any, key: str) -> dict[str, Any] | None:
    """The first object (depth first, in document order) holding `key` with an object as
    its value. The front end reshuffles the state between builds: the reviews have sat at
    `stack[0].results.items[0].reviewResults` and elsewhere, so they are searched for."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get(key), dict):
                return node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return None


def csrf_token(state: dict[str, Any]) -> str | None:
    """`config.csrfToken` on real pages (`<40 hex>:<unix time>`); older ones kept it on top."""
    config = state.get("config")
    token = config.get("csrfToken") if isinstance(config, dict) else None
    return token or state.get("csrfToken")


def parse_page(html: str, where: str = "страница") -> ReviewPage:
    """The reviews and paging params of a review page, and what it says about the
    organisation; `PageFormatError` naming `where` when the page is not what we expect."""
    state = read_state(html, where)
    business = holder_of(state, "reviewResults")
    if business is None:
        raise PageFormatError(f"{where}: в состоянии страницы нет блока reviewResults")
    results = business["reviewResults"]
    reviews = results.get("reviews") or []
    if not isinstance(reviews, list):
        raise PageFormatError(f"{where}: reviewResults.reviews не список")
    params = results.get("params") or {}
    if not isinstance(params, dict):
        raise PageFormatError(f"{where}: reviewResults.params не объект")
    rating, aspects, seoname = business.get("ratingData"), business.get("aspects"), business.get("seoname")
    return ReviewPage(
        reviews, params, csrf_token(state),
        rating=dict(rating) if isinstance(rating, dict) else {},
        aspects=[a for a in aspects if isinstance(a, dict)] if isinstance(aspects, list) else [],
        business_id=str(business["id"]) if business.get("id") is not None else None,
        seoname=seoname if isinstance(seoname, str) else None,
    )


def render_page(
    reviews: list[dict[str, Any]], page: int, total: int, org_name: str = "", limit: int = PAGE_SIZE,
    *, org_id: str = "1000000001", rating: dict[str, Any] | None = None, moved: bool = False,
    padding: int = 0,
) -> str:
    """A review page in the shape Yandex renders it: the state JSON in `script.state-view`
    with `config.csrfToken`, the organisation as a `business` item (id, seoname, title,
    `ratingData`, `aspects`) holding `reviewResults`, siblings such as `map` and `search`,
    and the `captchapgrd` script every normal page carries. `moved` nests the business one
    level deeper, as a front-end build may; `padding` adds that many kilobytes of sibling
    state (a real page's state is ~1 MB)."""
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
    business = {
        "type": "business", "requestId": "1779005453-demo", "index": 0, "title": org_name,
        "address": "ул. Ленина, 1", "id": org_id, "seoname": f"office_{org_id[-4:]}",
        "ratingData": rating or {"ratingCount": total, "ratingValue": 4.1, "reviewCount": total},
        "aspects": [{"id": "3502044682", "isTrusted": True, "text": "Вежливый персонал", "count": 12,
                     "positive": 9, "neutral": 1, "negative": 2, "photos": []}],
        "reviewResults": {"reviews": reviews, "params": params},
    }
    results = {"items": [{"type": "group", "items": [business]}]} if moved else {"items": [business]}
    state = {
        "config": {"requestId": "1779005453-demo", "csrfToken": f"{'e2' * 20}:1700000000",
                   "lang": "ru", "tld": "ru", "counters": {"analytics": {"sessionId": "demo"}}},
        "stack": [{"mode": "org", "results": results}],
        "map": {"center": [37.6, 55.7], "zoom": 16},
        "search": {"items": [{"photo": f"https://avatars.example/{i:06d}/%"}
                             for i in range(padding * 1024 // 44)]},  # ~44 bytes each
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
    "<div class=\"CheckboxCaptcha\"><form id=\"checkbox-captcha-form\" method=\"POST\" "
    "action=\"/checkcaptcha?key=demo&amp;retpath=demo\">"
    "<p>Подтвердите, что запросы отправляли вы, а не робот</p>"
    "<input type=\"checkbox\" class=\"CheckboxCaptcha-Button\"></form></div></body></html>"
)
# The older block page: «Ой!» and the same form, without the CheckboxCaptcha blocks.
OOPS_PAGE = (
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Ой!</title></head><body>"
    "<h1>Ой!</h1><p>Нам очень жаль, но запросы, поступившие с вашего IP-адреса, похожи на "
    "автоматические.</p><form id=\"checkbox-captcha-form\" action=\"/checkcaptcha?key=old\" "
    "method=\"POST\"><input type=\"submit\" value=\"Я не робот\"></form></body></html>"
)
