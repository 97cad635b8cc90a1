"""API tokens for machine clients: shown once when issued, stored only as a digest."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import insert, select, update

from kinlink.auth.accounts import Account, _get
from kinlink.errors import AuthenticationError
from kinlink.store import Store
from kinlink.store.schema.accounts import api_tokens, users

PREFIX = "kl_"
"""Marks a Kinlink token, so a leaked one is easy to recognise (and to scan for)."""


def digest(secret: str) -> str:
    """The SHA-256 of a token or session id: what the store keeps instead of it."""
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(store: Store, username: str, *, at: datetime) -> str:
    """A new token for the user. Returned once; only its digest is stored."""
    token = PREFIX + secrets.token_urlsafe(32)
    with store.begin() as conn:
        _get(conn, username)
        conn.execute(insert(api_tokens).values(username=username, token_hash=digest(token),
                                               created_at=at))
    return token


def token_account(store: Store, token: str, *, at: datetime) -> Account:
    """The account a bearer token belongs to; `AuthenticationError` if it is unknown,
    revoked, or its user disabled."""
    with store.begin() as conn:
        row = conn.execute(
            select(api_tokens.c.id, users.c.disabled, users.c.username)
            .join(users, users.c.username == api_tokens.c.username)
            .where(api_tokens.c.token_hash == digest(token),
                   api_tokens.c.revoked_at.is_(None))).first()
        if row is None or row.disabled:
            raise AuthenticationError("the token is not valid")
        conn.execute(update(api_tokens).where(api_tokens.c.id == row.id)
                     .values(last_used_at=at))
        return _get(conn, row.username)


def revoke_tokens(store: Store, username: str, *, at: datetime) -> int:
    """Revoke every token of the user; how many were live."""
    with store.begin() as conn:
        return conn.execute(update(api_tokens).where(
            api_tokens.c.username == username, api_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)).rowcount
