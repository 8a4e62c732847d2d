"""Request dependencies: a DB session and the caller's token/role.

API clients send `Authorization: Bearer <token>`, and the API accepts nothing else: the
analyst pages keep the token in an HttpOnly cookie set by the login form, and a cookie
the browser attaches to any site's request must not drive the API (CSRF). 401 without a
valid token, 403 for a weaker role.

A token's lookup is remembered for a couple of seconds (revocation in this process clears
it at once; another worker process notices within `TOKEN_TTL`), so that a busy client does
not cost a database round trip per request.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from api.tokens import lookup, role_allows
from models.db import get_engine

COOKIE = "painmap_token"
TOKEN_TTL = 2.0


@dataclass(frozen=True)
class Caller:
    token_id: int
    role: str
    name: str | None

    def can(self, role: str) -> bool:
        return role_allows(self.role, role)


_TOKENS: dict[str, tuple[float, Caller | None]] = {}
_TOKENS_LOCK = threading.Lock()


def forget_tokens() -> None:
    """Drop remembered lookups (after a revocation)."""
    with _TOKENS_LOCK:
        _TOKENS.clear()


def get_session() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


def _secret(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def _from_store(secret: str) -> Caller | None:
    with Session(get_engine()) as session:
        token = lookup(session, secret)
        return Caller(token.id, token.role, token.name) if token else None  # type: ignore[arg-type]


async def resolve(secret: str) -> Caller | None:
    key = hashlib.sha256(secret.encode()).hexdigest()
    now = time.monotonic()
    hit = _TOKENS.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    who = await run_in_threadpool(_from_store, secret)
    with _TOKENS_LOCK:
        if len(_TOKENS) > 10_000:
            _TOKENS.clear()
        _TOKENS[key] = (now + TOKEN_TTL, who)
    return who


async def caller(request: Request) -> Caller:
    secret = _secret(request)
    who = await resolve(secret) if secret else None
    if who is None:
        raise HTTPException(401, "Требуется действующий токен (Authorization: Bearer …).",
                            headers={"WWW-Authenticate": "Bearer"})
    return who


def require(role: str) -> Callable[..., Awaitable[Caller]]:
    async def dependency(who: Caller = Depends(caller)) -> Caller:
        if not who.can(role):
            raise HTTPException(403, f"Недостаточно прав: нужна роль {role}.")
        return who

    return dependency
