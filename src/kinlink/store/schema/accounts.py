"""Local accounts, API tokens, server-side sessions, and restricted records with grants.

Secrets are never stored: passwords as argon2 hashes, tokens and session ids as SHA-256
digests (they are long random strings, so a fast digest is safe and lets every request be
checked by one indexed look-up).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from kinlink.store.schema.base import metadata
from kinlink.store.schema.types import UtcDateTime

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("role", String(32), nullable=False),
    Column("agency", String(64)),
    Column("password_hash", Text),  # argon2; None: no password (token-only or OIDC)
    Column("disabled", Boolean, nullable=False, default=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(64), nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), ForeignKey("users.username"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_used_at", UtcDateTime),
    Column("revoked_at", UtcDateTime),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("username", String(64), ForeignKey("users.username"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)
Index("ix_sessions_username", sessions.c.username)

restrictions = Table(
    "restrictions",
    metadata,
    Column("resource", String(160), primary_key=True),  # person:P0000001 | record:police:R1
    Column("reason", Text, nullable=False),
    Column("restricted_by", String(64), nullable=False),
    Column("restricted_at", UtcDateTime, nullable=False),
)

grants = Table(
    "grants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), ForeignKey("users.username"), nullable=False),
    Column("resource", String(160), nullable=False),
    Column("reason", Text, nullable=False),
    Column("granted_by", String(64), nullable=False),
    Column("granted_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime),
)
Index("ix_grants_username", grants.c.username)
