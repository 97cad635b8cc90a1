"""`kl.chronology`: a child's events across agencies, each consultation authorised and logged.

Events from an agency the actor has no lawful basis for (health, for a police officer)
are left out of what is returned, as in `kl.network.child`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kinlink.auth import person_restricted
from kinlink.chronology import Chronology as ChildChronology
from kinlink.chronology import Filters, build_chronology
from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource, has_basis


class Chronology(Capability):
    """Each child's multi-agency chronology."""

    def child(self, actor: Actor, person_id: str, *, as_of: date | None = None,
              filters: Filters | None = None, reason: str | None = None) -> ChildChronology:
        """Every dated event about the child and the adults near them (as of a date, today
        by default), filtered as asked; undated events are kept and flagged."""
        on = as_of or self.clock.today()
        keep = filters or Filters()
        detail = {"as_of": on.isoformat(), "since": keep.since and keep.since.isoformat(),
                  "until": keep.until and keep.until.isoformat(),
                  "agencies": sorted(keep.agencies), "kinds": sorted(keep.kinds)}
        # The same person resource as `kl.network.child`: a person known only through
        # health records needs a basis for them; a restricted one a grant and a reason.
        person = Resource("person", person_id,
                          health=self._core.network._only_health(person_id),
                          restricted=person_restricted(self.store, person_id))
        with self.gate(actor, Action.CHRONOLOGY_VIEW, person, reason=reason, detail=detail):
            self._core.network.require_built()
            found = build_chronology(self.store, person_id, as_of=on, filters=keep)
        return replace(found, events=tuple(e for e in found.events
                                           if has_basis(actor, e.agency)))
