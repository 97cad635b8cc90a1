"""`kl.alerts`: alerts pointing at children whose risk the records hide."""

from __future__ import annotations

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import HEALTH_AGENCIES, Action, Resource, has_basis
from kinlink.network import Alert, get_alert, list_alerts, set_alert_status


def _resource(alert: Alert) -> Resource:
    # Alerts are the partnership's: no agency scope, but health ones need a lawful basis.
    return Resource("alert", str(alert.id), health=alert.agency in HEALTH_AGENCIES)


class Alerts(Capability):
    """Listing, reading and changing alerts (recomputing them is `kl.network.rebuild`)."""

    def list(self, actor: Actor, *, type: str | None = None, agency: str | None = None,
             status: str | None = None, person_id: str | None = None, limit: int = 100,
             offset: int = 0) -> list[Alert]:
        """Stored alerts, newest first (those the actor has a lawful basis for)."""
        detail = {k: v for k, v in (("type", type), ("agency", agency), ("status", status),
                                    ("person_id", person_id)) if v is not None}
        resource = Resource("person", person_id) if person_id else Resource("alerts", agency)
        with self.gate(actor, Action.ALERTS_LIST, resource, detail=detail or None):
            found = list_alerts(self.store, type=type, agency=agency, status=status,
                                person_id=person_id, limit=limit, offset=offset)
        return [a for a in found if a.agency is None or has_basis(actor, a.agency)]

    def get(self, actor: Actor, alert_id: int) -> Alert:
        """One alert with the history of its status."""
        alert = get_alert(self.store, alert_id)
        with self.gate(actor, Action.ALERTS_VIEW, _resource(alert)):
            return alert

    def change(self, actor: Actor, alert_id: int, status: str, *, reason: str) -> Alert:
        """Acknowledge, resolve or reopen an alert; the change joins its history."""
        alert = get_alert(self.store, alert_id)
        with self.gate(actor, Action.ALERTS_CHANGE, _resource(alert), reason=reason,
                       detail={"status": status}):
            return set_alert_status(self.store, alert_id, status, actor=actor.username,
                                    reason=reason)

