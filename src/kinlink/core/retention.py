"""`kl.retention`: retention reviews, erasure (logged as an erasure) and undoing merges."""

from __future__ import annotations

from datetime import date

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource
from kinlink.retention import DueRecord, Erasure, due_for_review, erase_record, load_policy
from kinlink.review import Decision
from kinlink.review.reverse import reverse_person_event


class Retention(Capability):
    """Which records are due for review, erasing one, and reversing a merge or split."""

    def due(self, actor: Actor, *, on: date | None = None,
            agency: str | None = None) -> list[DueRecord]:
        """Records whose review date (MoPI-style groups) has come, by date."""
        agency = self.scoped_agency(actor, agency)
        day = on or self.clock.today()
        with self.gate(actor, Action.RETENTION_DUE, Resource("source-records", agency=agency),
                       detail={"on": day.isoformat()}):
            due = due_for_review(self.store, day, load_policy(self.settings.retention_config))
            return [d for d in due if agency is None or d.agency == agency]

    def erase(self, actor: Actor, agency: str, record_id: str, *, reason: str) -> Erasure:
        """Erase one source record everywhere; only its metadata remains (and this entry)."""
        with self.gate(actor, Action.RETENTION_ERASE,
                       Resource("record", f"{agency}:{record_id}", agency=agency),
                       reason=reason):
            return erase_record(self.store, agency, record_id, actor=actor.username,
                                reason=reason, at=self.clock.now())

    def reverse(self, actor: Actor, event_id: int, *, reason: str) -> list[Decision]:
        """Undo a resolution run's merge or split by decisions the next run keeps to."""
        with self.gate(actor, Action.RETENTION_REVERSE, Resource("person-event", str(event_id)),
                       reason=reason):
            return reverse_person_event(self.store, event_id, actor=actor.username,
                                        reason=reason, clock=self.clock)
