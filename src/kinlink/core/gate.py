"""The one gate every core call passes: authorise, then log (refusals too)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kinlink.audit import AuditLog, NewEntry
from kinlink.clock import Clock
from kinlink.core.actors import Actor
from kinlink.core.permissions import Action, Kind, Resource, allowed
from kinlink.errors import Forbidden, ReasonRequired


class Gate:
    """Asks `permissions.allowed`, raises `Forbidden` on no, and appends to the audit log.

    The entry is written before the work is done, so that nothing is consulted or
    disclosed without a trace; if the work then fails, a second entry says so.
    """

    def __init__(self, audit: AuditLog, clock: Clock) -> None:
        self.audit = audit
        self.clock = clock

    @contextmanager
    def __call__(self, actor: Actor, action: Action, resource: Resource, *,
                 reason: str | None = None, detail: dict[str, Any] | None = None
                 ) -> Iterator[None]:
        reason = reason.strip() if reason and reason.strip() else None
        decision = allowed(actor, action, resource)
        if decision and resource.restricted and reason is None:
            self._log(actor, action, resource, "refused", reason,
                      (detail or {}) | {"why": "no reason given"})
            raise ReasonRequired(f"{resource} is restricted: say why you are opening it "
                                 "(a reason is required and kept in the audit log)")
        if not decision:
            self._log(actor, action, resource, "refused", reason,
                      (detail or {}) | {"why": decision.why})
            raise Forbidden(f"not allowed: {decision.why}")
        self._log(actor, action, resource, "allowed", reason, detail)
        try:
            yield
        except Exception as e:
            self._log(actor, action, resource, "failed", reason,
                      (detail or {}) | {"error": type(e).__name__})
            raise

    def log(self, actor: Actor, action: Action, resource: Resource, *,
            outcome: str = "allowed", reason: str | None = None,
            detail: dict[str, Any] | None = None) -> None:
        """Record an action decided outside the gate (a schema upgrade, which may have to
        create the log before it can be written to)."""
        self._log(actor, action, resource, outcome, reason, detail)

    def log_sign_in(self, username: str, *, role: str | None, agency: str | None,
                    outcome: str, how: str, why: str | None = None) -> None:
        """Record a sign-in (password, token, session) that succeeded or was refused."""
        self.audit.append(NewEntry(
            username=username, role=role or "-", agency=agency, kind=Kind.AUTHENTICATION.value,
            action=f"auth.{how}", resource=f"user:{username}", outcome=outcome,
            detail={"why": why} if why else None), at=self.clock.now())

    def _log(self, actor: Actor, action: Action, resource: Resource, outcome: str,
             reason: str | None, detail: dict[str, Any] | None) -> None:
        self.audit.append(NewEntry(
            username=actor.username, role=actor.role.value, agency=actor.agency,
            kind=action.kind.value, action=action.label, resource=str(resource),
            outcome=outcome, reason=reason, detail=detail or None), at=self.clock.now())
