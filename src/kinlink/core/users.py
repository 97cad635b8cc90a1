"""`kl.users`: local accounts, their tokens, and restricted records with their grants."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from kinlink.auth import (
    Account,
    Grant,
    add_grant,
    add_restriction,
    add_user,
    disable_user,
    issue_token,
    list_users,
    revoke_tokens,
)
from kinlink.core.actors import Actor, Role
from kinlink.core.capability import Capability
from kinlink.core.permissions import AGENCY_SCOPED, Action, Resource
from kinlink.errors import InputError
from kinlink.ingest import check_agency

USERS = Resource("users")


@dataclass(frozen=True)
class NewUser:
    """A user just added, and their first API token if one was asked for (shown once)."""

    account: Account
    token: str | None = None


def check_role(role: str, agency: str | None) -> Role:
    """The role, if it exists and has the agency it needs."""
    try:
        parsed = Role(role)
    except ValueError as e:
        raise InputError(f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}",
                         field="role") from e
    if parsed in AGENCY_SCOPED and agency is None:
        raise InputError(f"a {parsed.value} acts for one agency: give --agency", field="agency")
    if agency is not None:
        check_agency(agency)
    return parsed


class Users(Capability):
    """Administration of who may sign in, as what, and who may open restricted records."""

    def add(self, actor: Actor, username: str, *, role: str, agency: str | None = None,
            password: str | None = None, token: bool = False) -> NewUser:
        """Add a local user (a password, a token, or both; neither for OIDC sign-in)."""
        with self.gate(actor, Action.USERS_CHANGE, Resource("user", username),
                       detail={"add": {"role": role, "agency": agency,
                                       "password": password is not None, "token": token}}):
            parsed = check_role(role, agency)
            at = self.clock.now()
            account = add_user(self.store, username, role=parsed.value, agency=agency,
                               password=password, created_by=actor.username, at=at)
            issued = issue_token(self.store, username, at=at) if token else None
        return NewUser(account, issued)

    def list(self, actor: Actor) -> builtins.list[Account]:
        """Every user, by name."""
        with self.gate(actor, Action.USERS_LIST, USERS):
            return list_users(self.store)

    def disable(self, actor: Actor, username: str) -> Account:
        """Stop a user signing in; their tokens are revoked (the user is kept for the log)."""
        with self.gate(actor, Action.USERS_CHANGE, Resource("user", username),
                       detail={"disable": True}):
            account = disable_user(self.store, username)
            revoke_tokens(self.store, username, at=self.clock.now())
        return account

    def issue_token(self, actor: Actor, username: str) -> str:
        """A new API token for the user, returned once."""
        with self.gate(actor, Action.USERS_CHANGE, Resource("user", username),
                       detail={"token": True}):
            return issue_token(self.store, username, at=self.clock.now())

    def restrict(self, actor: Actor, resource: str, *, reason: str) -> None:
        """Restrict a person or record: it opens only with a grant and a stated reason."""
        with self.gate(actor, Action.RESTRICTIONS_CHANGE, Resource("restriction", resource),
                       reason=reason):
            add_restriction(self.store, resource, reason=reason, by=actor.username,
                            at=self.clock.now())

    def grant(self, actor: Actor, username: str, resource: str, *, reason: str) -> Grant:
        """Let a named user open one restricted person or record."""
        with self.gate(actor, Action.RESTRICTIONS_CHANGE, Resource("user", username),
                       reason=reason, detail={"grant": resource}):
            return add_grant(self.store, username, resource, reason=reason,
                             by=actor.username, at=self.clock.now())
