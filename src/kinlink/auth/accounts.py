"""Users: adding, listing, disabling, and checking a password with lockout."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from kinlink.errors import AuthenticationError, InputError, NotFoundError
from kinlink.store import Store
from kinlink.store.schema.accounts import users

MAX_FAILURES = 5
"""Consecutive wrong passwords before the account is locked."""
LOCKOUT = timedelta(minutes=15)
"""How long a locked account refuses every password, even the right one."""
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 12

_hasher = PasswordHasher()
# Checked against when the user does not exist, so a wrong name takes as long as a wrong
# password and the answer does not tell which names exist.
_DUMMY_HASH = _hasher.hash("not a real password, never matches")
WRONG = "wrong username or password"


@dataclass(frozen=True)
class Account:
    """A user as stored (never the password hash)."""

    username: str
    role: str
    agency: str | None
    disabled: bool
    failed_attempts: int
    locked_until: datetime | None
    created_at: datetime
    created_by: str
    has_password: bool


def _account(row: object) -> Account:
    return account_from(row._mapping)  # type: ignore[attr-defined]


def account_from(values: Mapping[Any, Any]) -> Account:
    """The account of a row holding every column of `users` (other columns ignored)."""
    kept = {column.name: values[column.name] for column in users.c}
    kept["has_password"] = kept.pop("password_hash") is not None
    return Account(**kept)


def check_username(username: str) -> str:
    """The name, if it is 2-64 lower-case letters, digits, '.', '_' or '-'."""
    if not USERNAME.match(username):
        raise InputError(f"username {username!r} must be 2 to 64 lower-case letters, digits, "
                         "'.', '_' or '-', starting with a letter or digit", field="username")
    return username


def add_user(store: Store, username: str, *, role: str, agency: str | None,
             password: str | None, created_by: str, at: datetime) -> Account:
    """Store a new user; the password (if any) only as its argon2 hash."""
    check_username(username)
    if password is not None and len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters",
                         field="password")
    try:
        with store.begin() as conn:
            conn.execute(insert(users).values(
                username=username, role=role, agency=agency,
                password_hash=_hasher.hash(password) if password is not None else None,
                disabled=False, failed_attempts=0, created_at=at, created_by=created_by))
    except IntegrityError as e:
        raise InputError(f"there is already a user {username!r}", field="username") from e
    return get_account(store, username)


def get_account(store: Store, username: str) -> Account:
    """One user; NotFoundError if there is none."""
    with store.connect() as conn:
        return _get(conn, username)


def _get(conn: Connection, username: str) -> Account:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        raise NotFoundError(f"no user {username!r}")
    return _account(row)


def list_users(store: Store) -> list[Account]:
    """Every user, by name."""
    with store.connect() as conn:
        return [_account(r) for r in conn.execute(select(users).order_by(users.c.username))]


def count_users(store: Store) -> int:
    """How many users exist (none: a new store, still to be given its first)."""
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def disable_user(store: Store, username: str) -> Account:
    """Stop the user signing in or using tokens (kept, for the audit log's sake)."""
    with store.begin() as conn:
        _get(conn, username)
        conn.execute(update(users).where(users.c.username == username).values(disabled=True))
        return _get(conn, username)


def authenticate(store: Store, username: str, password: str, *, at: datetime) -> Account:
    """The account if the password is right and the account usable; else
    `AuthenticationError`, counting the failure and locking after `MAX_FAILURES`."""
    with store.begin() as conn:  # the failure count is committed before the error is raised
        refusal = _check_password(conn, username, password, at)
        account = None if refusal else _get(conn, username)
    if account is None:
        raise AuthenticationError(refusal)
    return account


def _check_password(conn: Connection, username: str, password: str, at: datetime) -> str:
    """Why the sign-in is refused ('' if it is not), recording a failure or a success."""
    row = conn.execute(select(users).where(users.c.username == username)
                       .with_for_update()).mappings().first()
    if row is None or row["password_hash"] is None:
        _verify(_DUMMY_HASH, password)
        return WRONG
    if row["disabled"]:
        return f"the account {username!r} is disabled"
    if row["locked_until"] is not None and row["locked_until"] > at:
        return (f"the account {username!r} is locked after {MAX_FAILURES} failed sign-ins; "
                f"try again after {row['locked_until']:%H:%M} UTC")
    if not _verify(row["password_hash"], password):
        failures = row["failed_attempts"] + 1
        locked = at + LOCKOUT if failures >= MAX_FAILURES else None
        conn.execute(update(users).where(users.c.username == username).values(
            failed_attempts=0 if locked else failures, locked_until=locked))
        return WRONG
    values: dict[str, object] = {"failed_attempts": 0, "locked_until": None}
    if _hasher.check_needs_rehash(row["password_hash"]):
        values["password_hash"] = _hasher.hash(password)
    conn.execute(update(users).where(users.c.username == username).values(**values))
    return ""


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
