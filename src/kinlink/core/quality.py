"""`kl.quality`: data-quality findings of every area."""

from __future__ import annotations

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource
from kinlink.quality.findings import StoredFinding, list_findings


class Quality(Capability):
    """What the checks found wrong with source records, and why."""

    def findings(self, actor: Actor, *, area: str | None = None, agency: str | None = None,
                 rule: str | None = None, severity: str | None = None) -> list[StoredFinding]:
        """Findings matching every filter given, most severe first."""
        agency = self.scoped_agency(actor, agency)
        detail = {k: v for k, v in (("area", area), ("agency", agency), ("rule", rule),
                                    ("severity", severity)) if v is not None}
        with self.gate(actor, Action.QUALITY_FINDINGS, Resource("findings", agency,
                                                                agency=agency),
                       detail=detail or None):
            return list_findings(self.store, area=area, agency=agency, rule=rule,
                                 severity=severity)
