"""`kl.alerts`: alerts pointing at children whose risk the records hide."""

from __future__ import annotations

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import HEALTH_AGENCIES, Action, Resource, has_basis
from kinlink.network import Alert, get_alert, list_alerts, set_alert_status
from kinlink.review.prompt_reviews import Prompt, list_prompts, review_prompt

Prompts = list[Prompt]  # named here: inside `Alerts`, `list` is its method


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
                                    reason=reason, clock=self.clock)

    def prompts(self, actor: Actor, *, person_id: str | None = None) -> Prompts:
        """The second-look prompts the latest recompute found, each with its reviews (those
        the actor has a lawful basis for: prompts are the partnership's, like alerts)."""
        resource = Resource("person", person_id) if person_id else Resource("alerts")
        with self.gate(actor, Action.ALERTS_LIST, resource,
                       detail={"type": "second-look", "person_id": person_id}):
            found = list_prompts(self.store, person_id=person_id)
        return [p for p in found if p.agency is None or has_basis(actor, p.agency)]

    def review_prompt(self, actor: Actor, alert_id: int, decision: str, *,
                      reason: str) -> Prompt:
        """Record the actor's second look at a prompt: what they decided and why."""
        alert = get_alert(self.store, alert_id)
        with self.gate(actor, Action.ALERTS_CHANGE, _resource(alert), reason=reason,
                       detail={"decision": decision}):
            return review_prompt(self.store, alert_id, decision, actor=actor.username,
                                 reason=reason, clock=self.clock)
