"""Local accounts: passwords, lockout, tokens and sessions, each sign-in in the log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kinlink.auth import LOCKOUT, MAX_FAILURES, SESSION_IDLE
from kinlink.core import FixedClock, Forbidden, Kinlink, Role
from kinlink.errors import AuthenticationError, InputError
from kinlink.store.schema.accounts import api_tokens, users

from .conftest import ADMIN, AUDITOR

PASSWORD = "correct horse battery"


def _add(kl: Kinlink, name: str = "asmith", **kwargs: object) -> None:
    kl.users.add(ADMIN, name, role=str(kwargs.pop("role", "social-worker")),
                 agency=str(kwargs.pop("agency", "socialcare")), password=PASSWORD,
                 **kwargs)  # type: ignore[arg-type]


def test_password_is_stored_only_as_an_argon2_hash(kl: Kinlink) -> None:
    _add(kl)
    with kl.store.connect() as conn:
        stored = conn.execute(users.select()).mappings().one()["password_hash"]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    signed = kl.auth.sign_in("asmith", PASSWORD)
    assert (signed.actor.username, signed.actor.role, signed.actor.agency) == (
        "asmith", Role.SOCIAL_WORKER, "socialcare")


def test_wrong_passwords_lock_the_account(kl: Kinlink, clock: FixedClock) -> None:
    _add(kl)
    for _ in range(MAX_FAILURES):
        with pytest.raises(AuthenticationError, match="wrong username or password"):
            kl.auth.sign_in("asmith", "not the password")
    with pytest.raises(AuthenticationError, match="locked"):
        kl.auth.sign_in("asmith", PASSWORD)  # even the right one, while locked
    clock.advance(LOCKOUT + timedelta(seconds=1))
    assert kl.auth.sign_in("asmith", PASSWORD).actor.username == "asmith"
    outcomes = [(e.action, e.outcome) for e in kl.audit.search(AUDITOR, username="asmith")]
    assert outcomes == [("auth.password", "refused")] * (MAX_FAILURES + 1) + [
        ("auth.password", "allowed")]


def test_unknown_user_gets_the_same_answer(kl: Kinlink) -> None:
    with pytest.raises(AuthenticationError, match=r"^wrong username or password$"):
        kl.auth.sign_in("nobody", PASSWORD)


def test_sessions_expire_when_idle_and_on_sign_out(kl: Kinlink, clock: FixedClock) -> None:
    _add(kl)
    first = kl.auth.sign_in("asmith", PASSWORD).session_id
    clock.advance(SESSION_IDLE - timedelta(minutes=1))
    assert kl.auth.session(first).username == "asmith"  # use keeps it alive
    clock.advance(SESSION_IDLE - timedelta(minutes=1))
    assert kl.auth.session(first).username == "asmith"
    clock.advance(SESSION_IDLE)
    with pytest.raises(AuthenticationError, match="sign in again"):
        kl.auth.session(first)
    second = kl.auth.sign_in("asmith", PASSWORD).session_id
    kl.auth.sign_out(second)
    with pytest.raises(AuthenticationError):
        kl.auth.session(second)


def test_tokens_are_shown_once_and_die_with_the_user(kl: Kinlink) -> None:
    added = kl.users.add(ADMIN, "etl-bot", role="data-quality-officer", agency="police",
                         token=True)
    assert added.token and added.token.startswith("kl_")
    with kl.store.connect() as conn:
        assert added.token not in str(conn.execute(api_tokens.select()).all())
    assert kl.auth.token(added.token).role is Role.DATA_QUALITY_OFFICER
    kl.users.disable(ADMIN, "etl-bot")
    with pytest.raises(AuthenticationError):
        kl.auth.token(added.token)
    with pytest.raises(AuthenticationError, match="disabled"):
        kl.auth.local_user("etl-bot")


def test_only_administrators_manage_users(kl: Kinlink) -> None:
    _add(kl)
    social_worker = kl.auth.local_user("asmith")
    with pytest.raises(Forbidden):
        kl.users.add(social_worker, "friend", role="administrator")
    with pytest.raises(InputError, match="acts for one agency"):
        kl.users.add(ADMIN, "pc.nobody", role="police-officer")
    with pytest.raises(InputError, match="unknown role"):
        kl.users.add(ADMIN, "x.y", role="superuser")
    with pytest.raises(InputError, match="already a user"):
        _add(kl)
    assert [a.username for a in kl.users.list(ADMIN)] == ["asmith"]
