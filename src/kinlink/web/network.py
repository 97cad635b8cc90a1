"""A child's network as cytoscape elements: people coloured by risk, links labelled.

The page draws these with `static/network.js`; the same facts are on the page as tables,
so nothing depends on seeing the picture.
"""

from __future__ import annotations

from typing import Any

from kinlink.network.risk import level_of
from kinlink.network.view import Adult, ChildNetwork, Link


def network_elements(network: ChildNetwork) -> list[dict[str, Any]]:
    """Nodes (the child, adults, other children) and one edge per link, for cytoscape."""
    child = network.child
    nodes = [_node(child.person_id, child.name, network.risk.level, kind="child")]
    edges: list[dict[str, Any]] = []
    for group, kind in ((network.adults, "adult"), (network.children, "other-child")):
        for member in group:
            nodes.append(_node(member.person.person_id, member.person.name,
                               level_of(member.weight), kind=kind, role=member.role))
            edges += [_edge(child.person_id, member, link, n)
                      for n, link in enumerate(member.links)]
    known = {n["data"]["id"] for n in nodes}
    return nodes + [e for e in edges if e["data"]["source"] in known]


def _node(person_id: str, name: str, level: str, *, kind: str,
          role: str | None = None) -> dict[str, Any]:
    label = f"{name}\n{role}" if role else name
    return {"data": {"id": person_id, "label": label, "level": level, "kind": kind,
                     "href": f"/persons/{person_id}"}}


def _edge(child_id: str, member: Adult, link: Link, number: int) -> dict[str, Any]:
    how = "recorded" if link.recorded else "inferred"
    source = link.via if link.via else child_id
    return {"data": {
        "id": f"{member.person.person_id}-{number}",
        "source": source, "target": member.person.person_id,
        "label": f"{link.relation.replace('-', ' ')} ({how})",
        "recorded": link.recorded,
        "href": f"#evidence-{member.person.person_id}",
    }}
