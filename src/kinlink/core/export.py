"""`kl.export`: the network disclosed as rows (the caller writes them where it likes)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource, has_basis
from kinlink.network.export import LinkRow, PersonRow, link_rows, person_rows
from kinlink.review.prompt_reviews import Prompt, list_prompts


class Export(Capability):
    """Disclosure of the network, to roles allowed to disclose."""

    def links(self, actor: Actor, *, as_of: date | None = None) -> Iterator[LinkRow]:
        """One row per (child, adult within two steps); logged when the export starts."""
        on = as_of or self.clock.today()
        with self.gate(actor, Action.EXPORT_LINKS, Resource("network"),
                       detail={"as_of": on.isoformat()}):
            self._core.network.require_built()
        return link_rows(self.store, as_of=on)

    def persons(self, actor: Actor) -> Iterator[PersonRow]:
        """Every source record the actor has a basis for, with its person."""
        with self.gate(actor, Action.EXPORT_PERSONS, Resource("network")):
            self._core.network.require_built()
        return (row for row in person_rows(self.store) if has_basis(actor, row.agency))

    def prompts(self, actor: Actor) -> list[Prompt]:
        """Every current second-look prompt with its latest review, for `export prompts`."""
        with self.gate(actor, Action.EXPORT_PROMPTS, Resource("alerts")):
            found = list_prompts(self.store)
        return [p for p in found if p.agency is None or has_basis(actor, p.agency)]
