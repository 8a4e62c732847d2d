"""Request dependencies: a DB session and the caller's token/role.

Clients send `Authorization: Bearer <token>`; the analyst pages keep the token in an
HttpOnly cookie set by the login form. 401 without a valid token, 403 for a weaker role.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from api.tokens import lookup, role_allows
from models.db import get_engine

COOKIE = "painmap_token"


@dataclass(frozen=True)
class Caller:
    token_id: int
    role: str
    name: str | None

    def can(self, role: str) -> bool:
        return role_allows(self.role, role)


def get_session() -> Iterator[Session]:
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


def _secret(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.cookies.get(COOKIE)


def caller(request: Request, session: Session = Depends(get_session)) -> Caller:
    secret = _secret(request)
    token = lookup(session, secret) if secret else None
    if token is None:
        raise HTTPException(401, "Требуется действующий токен (Authorization: Bearer …).",
                            headers={"WWW-Authenticate": "Bearer"})
    return Caller(token.id, token.role, token.name)  # type: ignore[arg-type]


def require(role: str) -> Callable[..., Caller]:
    def dependency(who: Caller = Depends(caller)) -> Caller:
        if not who.can(role):
            raise HTTPException(403, f"Недостаточно прав: нужна роль {role}.")
        return who

    return dependency
