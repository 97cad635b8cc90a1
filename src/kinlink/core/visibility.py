"""What of a child's network an actor may see: evidence only from agencies they have a
lawful basis for (`permissions.has_basis`)."""

from __future__ import annotations

from dataclasses import replace

from kinlink.core.actors import Actor
from kinlink.core.permissions import has_basis
from kinlink.network.view import Adult, ChildNetwork, Link, Marker, Person, network_risk


def agency_of(uid: str) -> str:
    """The agency of a record uid (`police:P1` -> `police`)."""
    return uid.split(":", 1)[0]


def _link(actor: Actor, link: Link) -> Link | None:
    agencies = [a for a in link.agencies if has_basis(actor, a)]
    if not agencies:
        return None
    return replace(link, agencies=agencies,
                   records=[r for r in link.records if has_basis(actor, agency_of(r))])


def _person(actor: Actor, person: Person) -> Person:
    return replace(person, records=[r for r in person.records if has_basis(actor, agency_of(r))])


def _markers(actor: Actor, markers: list[Marker]) -> list[Marker]:
    return [m for m in markers if has_basis(actor, m.agency)]


def _adult(actor: Actor, adult: Adult) -> Adult | None:
    links = [kept for link in adult.links if (kept := _link(actor, link)) is not None]
    if not links:
        return None  # only evidence the actor may not see puts this person here
    return replace(adult, person=_person(actor, adult.person), links=links,
                   markers=_markers(actor, adult.markers))


def visible_network(actor: Actor, network: ChildNetwork) -> ChildNetwork:
    """The network without the evidence this actor has no basis for, its risk recomputed
    from what is left (so a score cannot betray a hidden health marker)."""
    adults = [kept for a in network.adults if (kept := _adult(actor, a)) is not None]
    children = [kept for a in network.children if (kept := _adult(actor, a)) is not None]
    own = _markers(actor, network.own_markers)
    return replace(network, child=_person(actor, network.child), adults=adults,
                   children=children, own_markers=own,
                   risk=network_risk(network.child.person_id, adults, own))
