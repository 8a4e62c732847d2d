"""The second way to the reviews: the JSON `fetchReviews` endpoint the Maps page itself
calls, for when the `?page=N` pages stop working.

    GET /maps/api/business/fetchReviews?ajax=1&businessId=…&csrfToken=…&locale=ru_RU&page=2
        &pageSize=50&ranking=by_time&reqId=…&s=…&sessionId=…

The query keys go in alphabetical order; `s` is a 32-bit djb2-xor hash of that query
(without `s`), as the page's script computes it (checked against a real request, see
`../shared/reference/yandex/`). Without a valid `csrfToken` the endpoint answers only
`{"csrfToken": "…"}` — ask again with it; a block answers `{"type": "captcha"}`.
Pure functions, tested apart from fetching.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from crawlers.yandex.page import BY_TIME, PAGE_SIZE, PageFormatError

PATH = "/maps/api/business/fetchReviews"
REVIEWS, CHALLENGE, CAPTCHA = "reviews", "challenge", "captcha"


def signature(query: str) -> int:
    """The `s` parameter: djb2 with xor over the URL-encoded, key-sorted query."""
    value = 5381
    for char in query:
        value = ((33 * value) ^ ord(char)) & 0xFFFFFFFF
    return value


def fetch_url(base_url: str, business_id: str, page: int, *, ranking: str = BY_TIME,
              csrf_token: str = "", session_id: str = "", request_id: str = "") -> str:
    params = {"ajax": "1", "businessId": business_id, "csrfToken": csrf_token, "locale": "ru_RU",
              "page": str(page), "pageSize": str(PAGE_SIZE), "ranking": ranking, "reqId": request_id,
              "sessionId": session_id}
    params["s"] = str(signature(urlencode(sorted(params.items()))))
    return f"{base_url.rstrip('/')}{PATH}?{urlencode(sorted(params.items()))}"


@dataclass
class FetchAnswer:
    kind: str  # reviews | challenge | captcha
    reviews: list[dict[str, Any]] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    csrf_token: str | None = None


def parse_fetch(body: str, where: str) -> FetchAnswer:
    """What a `fetchReviews` answer says; `PageFormatError` naming `where` for anything else."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise PageFormatError(f"{where}: ответ fetchReviews не JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise PageFormatError(f"{where}: ответ fetchReviews не объект")
    if data.get("type") == "captcha":
        return FetchAnswer(CAPTCHA)
    if "data" not in data and isinstance(data.get("csrfToken"), str):
        return FetchAnswer(CHALLENGE, csrf_token=data["csrfToken"])
    payload = data.get("data")
    if not isinstance(payload, dict) or not isinstance(payload.get("reviews"), list):
        raise PageFormatError(f"{where}: в ответе fetchReviews нет data.reviews")
    params = payload.get("params")
    return FetchAnswer(REVIEWS, payload["reviews"], params if isinstance(params, dict) else {})
