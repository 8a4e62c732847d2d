"""A client for a ПОС-style JSON API of messages, behind a configurable base URL.

No public API of the Платформа обратной связи is documented for authorities (their console
exports `.xlsx`, see `ingest.pos`), so this client targets the shape regional gateways
expose, fixed here as the contract:

    GET {base_url}/{path}?page=N&per_page=M[&updated_from=YYYY-MM-DD]
    Authorization: Bearer <token>

    200 → {"items": [...], "total": 123, "page": 1, "per_page": 100, "next": "…" | null}

- Pagination: when the body has a `next` URL (absolute or relative) it is followed;
  otherwise the next page number is asked for while pages come back full and
  `page × per_page < total`. An empty page ends the walk either way.
- An item uses the keys of the export's semantic columns (`ingest.pos.COLUMNS`): `id`,
  `received_at`, `rating`, `text`, `reply`, `category`, `subcategory`, `fact`, `status`,
  `stage`, `overdue`, `planned_at`, `completed_at`, … Dates are ISO 8601 or `DD.MM.YYYY`.
  Items become records in ingest (`ingest.pos.api_records`), exactly as export rows do.
- Network failures, timeouts, 429 and 5xx are retried with exponential backoff
  (`backoff × 2^attempt`, or the server's `Retry-After`, capped at a minute); 401/403 and
  other 4xx are not retried. Every failure ends in a Russian `UserError`.
- The token comes from the source's settings (`token`) or `PAINMAP_POS_API_TOKEN`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urljoin

import httpx

from models.settings import get_settings
from vocabulary.errors import UserError

log = logging.getLogger(__name__)
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_RETRY_AFTER = 60.0


class PosApiError(UserError):
    """The ПОС API could not be read; nothing of this run is stored."""


@dataclass(frozen=True)
class PosApiConfig:
    base_url: str
    token: str
    path: str = "messages"
    per_page: int = 100
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    max_pages: int = 10_000

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], **overrides: Any) -> PosApiConfig:
        """From a source's settings (`base_url`, `token`, `path`, `per_page`, `timeout`,
        `retries`, `backoff`); the token falls back to PAINMAP_POS_API_TOKEN."""
        values = {k: v for k, v in settings.items() if k in cls.__dataclass_fields__ and v is not None}
        values.update({k: v for k, v in overrides.items() if v is not None})
        if not values.get("base_url"):
            raise PosApiError("не задан адрес ПОС API: укажите base_url в настройках источника "
                              "или --base-url")
        values.setdefault("token", get_settings().pos_api_token)
        if not values.get("token"):
            raise PosApiError("не задан токен ПОС API: укажите его в переменной окружения "
                              "PAINMAP_POS_API_TOKEN")
        return cls(**values)


class PosApiClient:
    """`with PosApiClient(config) as api: for record in api.records(): …`"""

    def __init__(self, config: PosApiConfig, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.sleep = sleep
        self.http = httpx.Client(
            base_url=config.base_url.rstrip("/") + "/",
            headers={"Authorization": f"Bearer {config.token}", "Accept": "application/json",
                     "User-Agent": "painmap (municipal service quality monitoring)"},
            timeout=config.timeout, transport=transport, follow_redirects=True,
        )

    def __enter__(self) -> PosApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.close()

    def pages(self, since: date | None = None) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        """(page number, items) for every page, following `next` links or page numbers."""
        query: dict[str, Any] = {"per_page": self.config.per_page}
        if since is not None:
            query["updated_from"] = since.isoformat()
        url: str = self.config.path
        params: dict[str, Any] | None = {**query, "page": 1}
        for page in range(1, self.config.max_pages + 1):
            body = self._get(url, params)
            items = body.get("items")
            if not isinstance(items, list):
                raise PosApiError(f"ПОС API: в ответе на {self._where(url, params)} нет списка items")
            if not items:
                return
            yield page, items
            link = body.get("next")
            if link:  # the server's own link carries every parameter it needs
                url, params = urljoin(str(self.http.base_url), str(link)), None
            elif self._more(body, page, len(items)):
                url, params = self.config.path, {**query, "page": page + 1}
            else:
                return
        raise PosApiError(f"ПОС API: больше {self.config.max_pages} страниц — проверьте пагинацию сервера")

    def _more(self, body: Mapping[str, Any], page: int, count: int) -> bool:
        total = body.get("total")
        per_page = int(body.get("per_page") or self.config.per_page)
        if isinstance(total, int):
            return page * per_page < total
        return count >= per_page

    def items(self, since: date | None = None) -> Iterator[tuple[str, Any]]:
        """Every message as the API gave it, with where it was (page and position): turning
        it into a record is ingest's job (`ingest.pos.api_records`)."""
        for page, items in self.pages(since):
            for index, item in enumerate(items, start=1):
                yield f"ПОС API, страница {page}, запись {index}", item

    def _get(self, url: str, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """One GET with retries; the body as a dict."""
        where = self._where(url, params)
        failure, retry_after = "", None
        for attempt in range(self.config.retries + 1):
            if attempt:
                self.sleep(self._delay(attempt, retry_after))
            try:
                response = self.http.get(url, params=params)
            except httpx.TimeoutException:
                failure, retry_after = f"нет ответа за {self.config.timeout:g} с", None
                continue
            except httpx.TransportError as exc:
                failure, retry_after = f"ошибка соединения ({type(exc).__name__})", None
                continue
            if response.status_code in RETRY_STATUSES:
                failure, retry_after = f"HTTP {response.status_code}", response.headers.get("Retry-After")
                log.warning("ПОС API %s: HTTP %s, попытка %d", where, response.status_code, attempt + 1)
                continue
            return self._body(response, where)
        raise PosApiError(f"ПОС API недоступен: {where} — {failure} после {self.config.retries + 1} попыток")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        """`Retry-After` seconds when the server sent them, else exponential backoff."""
        if retry_after and retry_after.strip().isdigit():
            return min(float(retry_after), MAX_RETRY_AFTER)
        return min(self.config.backoff * 2 ** (attempt - 1), MAX_RETRY_AFTER)

    def _body(self, response: httpx.Response, where: str) -> dict[str, Any]:
        if response.status_code in (401, 403):
            raise PosApiError(f"ПОС API отклонил токен (HTTP {response.status_code}) на {where}: проверьте "
                              "PAINMAP_POS_API_TOKEN или token в настройках источника")
        if response.status_code >= 400:
            raise PosApiError(f"ПОС API ответил HTTP {response.status_code} на {where}")
        try:
            body = response.json()
        except ValueError:
            raise PosApiError(f"ПОС API вернул не JSON на {where}") from None
        if not isinstance(body, dict):
            raise PosApiError(f"ПОС API вернул не объект JSON на {where}")
        return body

    def _where(self, url: str, params: Mapping[str, Any] | None) -> str:
        request = self.http.build_request("GET", url, params=params)
        return str(request.url)
