"""`kl.auth`: establishing who the actor is, by password, session, token or local name.

Not gated like the capabilities (there is no actor yet), but every sign-in, successful or
refused, is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import inspect

from kinlink.auth import (
    Account,
    authenticate,
    count_users,
    create_session,
    get_account,
    grants_of,
    revoke_session,
    session_account,
    token_account,
)
from kinlink.core.actors import Actor, Role
from kinlink.core.capability import Capability
from kinlink.errors import AuthenticationError, NotFoundError

CLI_ADMIN = Actor("kinlink-admin", Role.ADMINISTRATOR)
"""Who the CLI acts as when KINLINK_CLI_USER is unset (see `Authentication.cli_actor`)."""


@dataclass(frozen=True)
class SignIn:
    """A new session: its id (for the cookie; not stored) and who it is for."""

    session_id: str
    actor: Actor


class Authentication(Capability):
    """Sign-in, sessions and tokens, each giving the `Actor` later calls are made as."""

    def actor_of(self, account: Account) -> Actor:
        """The actor of an account, with the grants they hold now."""
        return Actor(account.username, Role(account.role), account.agency,
                     grants_of(self.store, account.username))

    def sign_in(self, username: str, password: str) -> SignIn:
        """Check a password and open a server-side session."""
        try:
            account = authenticate(self.store, username, password, at=self.clock.now())
        except AuthenticationError as e:
            self.gate.log_sign_in(username, role=None, agency=None, outcome="refused",
                                  how="password", why=str(e))
            raise
        self.gate.log_sign_in(username, role=account.role, agency=account.agency,
                              outcome="allowed", how="password")
        return SignIn(create_session(self.store, username, at=self.clock.now()),
                      self.actor_of(account))

    def session(self, session_id: str) -> Actor:
        """The actor of a live session (each use keeps it alive)."""
        return self.actor_of(session_account(self.store, session_id, at=self.clock.now()))

    def sign_out(self, session_id: str) -> None:
        """End a session."""
        revoke_session(self.store, session_id, at=self.clock.now())

    def token(self, token: str) -> Actor:
        """The actor of an API token (`Authorization: Bearer TOKEN`)."""
        try:
            account = token_account(self.store, token, at=self.clock.now())
        except AuthenticationError as e:
            self.gate.log_sign_in("-", role=None, agency=None, outcome="refused", how="token",
                                  why=str(e))
            raise
        return self.actor_of(account)

    def local_user(self, username: str) -> Actor:
        """The actor of a named local account, for a process already trusted to act as it
        (the CLI on this machine); refused if the account is unknown or disabled."""
        try:
            account = get_account(self.store, username)
        except NotFoundError as e:
            raise AuthenticationError(f"no user {username!r}: add it with `kinlink users "
                                      "add`, or set KINLINK_CLI_USER to one that exists") from e
        if account.disabled:
            raise AuthenticationError(f"the account {username!r} is disabled")
        return self.actor_of(account)

    def cli_actor(self) -> Actor:
        """Who the `kinlink` command acts as: the local user KINLINK_CLI_USER names; unset,
        a built-in administrator on the embedded SQLite store (one person's machine), and
        on PostgreSQL only until the first user exists (to add them). On a store without
        accounts yet (before the first `db upgrade`) it is the built-in administrator."""
        if not inspect(self.store.engine).has_table("users"):
            return CLI_ADMIN  # a new store: only `kinlink db upgrade` gets this far
        if self.settings.cli_user:
            return self.local_user(self.settings.cli_user)
        if self.store.is_sqlite or count_users(self.store) == 0:
            return CLI_ADMIN
        raise AuthenticationError("set KINLINK_CLI_USER to the user the command acts as "
                                  "(this store has users; `kinlink users list` shows them)")
