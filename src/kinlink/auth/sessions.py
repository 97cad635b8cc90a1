"""Server-side sessions: an opaque random id for the browser, its digest in the store.

The web app puts the id in a cookie (Secure, HttpOnly, SameSite) and does CSRF; here a
session is created, checked (expiring after idleness and after a fixed lifetime), and
revoked.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update

from kinlink.auth.accounts import Account, _get, account_from
from kinlink.auth.tokens import digest
from kinlink.errors import AuthenticationError
from kinlink.store import Store
from kinlink.store.schema.accounts import sessions, users

SESSION_LIFETIME = timedelta(hours=10)
"""A working day: after it, sign in again however active the session was."""
SESSION_IDLE = timedelta(minutes=30)
"""Left this long unused, a session ends."""
SEEN_EVERY = timedelta(minutes=1)
"""How stale a session's stored last use may get before a request writes it anew."""


def create_session(store: Store, username: str, *, at: datetime) -> str:
    """A new session for a user who has just signed in; returns its id (shown once)."""
    session_id = secrets.token_urlsafe(32)
    with store.begin() as conn:
        _get(conn, username)
        conn.execute(insert(sessions).values(
            id_hash=digest(session_id), username=username, created_at=at, last_seen_at=at,
            expires_at=at + SESSION_LIFETIME))
    return session_id


def session_account(store: Store, session_id: str, *, at: datetime) -> Account:
    """The account of a live session, marking it used; `AuthenticationError` when it is
    unknown, revoked, expired, idle too long, or its user disabled.

    Checking is a read; the last use is written only when the stored one is older than
    `SEEN_EVERY` (a page makes several requests, and on SQLite every write waits for the
    one writer), which keeps a session alive up to that much less than `SESSION_IDLE`."""
    digested = digest(session_id)
    with store.connect() as conn:
        row = conn.execute(
            select(users, sessions.c.revoked_at, sessions.c.expires_at,
                   sessions.c.last_seen_at)
            .join(users, users.c.username == sessions.c.username)
            .where(sessions.c.id_hash == digested)).mappings().first()
    if (row is None or row["revoked_at"] is not None or row["disabled"]
            or row["expires_at"] <= at or row["last_seen_at"] + SESSION_IDLE <= at):
        raise AuthenticationError("the session has ended: sign in again")
    account = account_from(row)
    if row["last_seen_at"] + SEEN_EVERY <= at:
        with store.begin() as conn:
            # Only moves forward: a slower request of the same session cannot set it back.
            conn.execute(update(sessions).where(sessions.c.id_hash == digested,
                                                sessions.c.last_seen_at < at)
                         .values(last_seen_at=at))
    return account


def revoke_session(store: Store, session_id: str, *, at: datetime) -> None:
    """End a session (signing out); unknown ids are ignored."""
    with store.begin() as conn:
        conn.execute(update(sessions).where(sessions.c.id_hash == digest(session_id),
                                            sessions.c.revoked_at.is_(None))
                     .values(revoked_at=at))
