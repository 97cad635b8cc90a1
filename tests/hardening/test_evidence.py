"""The network reasons on structured evidence, not on its own display text.

Before edges kept `partners` apart, a second step looked for "(domestic-abuse)" in an
edge's detail text; the text of a child *named* in a domestic-abuse incident's summary has
those words too, so the named child became the "partner" of every adult recorded there,
and entered the networks of the other children living with them (and their wrong-place
alerts). Unresolved records are their own persons here, which is when it showed.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kinlink.ingest import ingest_extract
from kinlink.network import build_network
from kinlink.network.graph import children_on
from kinlink.network.view import child_networks
from kinlink.store import Store

DATA = Path(__file__).parent.parent / "data" / "network"
AS_OF = date(2026, 11, 1)


def test_being_named_in_incident_text_makes_nobody_a_partner(store: Store) -> None:
    for agency in ("police", "social-care", "health", "education"):
        ingest_extract(store, DATA / agency, agency)
    build_network(store)
    networks = child_networks(store, children_on(store, AS_OF), as_of=AS_OF)
    second_steps = [(n.child.person_id, person.person.person_id, link.via)
                    for n in networks.values() for person in n.adults + n.children
                    for link in person.links if link.via and link.source == "incident-text"]
    assert second_steps == []
    assert any(link.source == "incident-text" for n in networks.values()
               for person in n.adults for link in person.links)  # the first step is kept
