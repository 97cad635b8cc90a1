"""`kl.audit`: checking the chained log, searching it and exporting it (auditors)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from kinlink.audit import AuditEntry, Verification
from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource

LOG = Resource("audit-log")


def _period(since: datetime | None, until: datetime | None) -> dict[str, str]:
    return {k: v.isoformat() for k, v in (("since", since), ("until", until)) if v}


class Audit(Capability):
    """The audit log as its readers see it. Writing to it is the gate's job alone."""

    def verify(self, actor: Actor) -> Verification:
        """Check the whole chain; the result names the first broken entry, if any."""
        with self.gate(actor, Action.AUDIT_VERIFY, LOG):
            return self._core.audit_log.verify()

    def search(self, actor: Actor, *, username: str | None = None, action: str | None = None,
               kind: str | None = None, resource: str | None = None,
               since: datetime | None = None, until: datetime | None = None,
               limit: int = 100) -> list[AuditEntry]:
        """Entries matching every filter given, oldest first."""
        filters = {"username": username, "action": action, "kind": kind, "resource": resource}
        detail = {k: v for k, v in filters.items() if v is not None} | _period(since, until)
        with self.gate(actor, Action.AUDIT_SEARCH, LOG, detail=detail or None):
            return self._core.audit_log.search(**filters, since=since, until=until,
                                               limit=limit)

    def export(self, actor: Actor, *, since: datetime | None = None,
               until: datetime | None = None) -> Iterator[AuditEntry]:
        """Every entry of the period, oldest first, as they are read (a generator: the
        export is logged when it starts)."""
        with self.gate(actor, Action.AUDIT_EXPORT, LOG, detail=_period(since, until) or None):
            pass
        return self._core.audit_log.entries(since=since, until=until)
