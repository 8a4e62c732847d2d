"""API tokens: random secrets shown once, stored as SHA-256, each with a role.

Roles are ordered: `viewer` (scores, masked text) < `analyst` (+ label corrections) <
`admin` (+ unmasked text, employee mentions, token management).
"""

from __future__ import annotations

import hashlib
import secrets

from sqlmodel import Session, select

from models.tables import ApiToken, utcnow
from vocabulary.errors import UserError

ROLES = ("viewer", "analyst", "admin")
ROLE_NAMES = {"viewer": "наблюдатель", "analyst": "аналитик", "admin": "администратор"}
PREFIX = "pm_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def role_allows(role: str, required: str) -> bool:
    return ROLES.index(role) >= ROLES.index(required)


def create_token(session: Session, role: str, name: str | None = None) -> tuple[ApiToken, str]:
    """Create a token; the secret is returned once and never stored."""
    if role not in ROLES:
        raise UserError(f"неизвестная роль «{role}»; допустимы: {', '.join(ROLES)}")
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(token_hash=hash_token(secret), role=role, name=name)
    session.add(row)
    session.flush()
    return row, secret


def lookup(session: Session, secret: str) -> ApiToken | None:
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    return row


def revoke(session: Session, token_id: int) -> bool:
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    session.add(row)
    return True
