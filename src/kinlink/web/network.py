"""A child's network as cytoscape elements: people coloured by risk, links labelled.

The page draws these with `static/network.js`; the same facts are on the page as tables,
so nothing depends on seeing the picture.
"""

from __future__ import annotations

from typing import Any

from kinlink.network.risk import level_of
from kinlink.network.view import ChildNetwork, Link


def network_elements(network: ChildNetwork) -> list[dict[str, Any]]:
    """Nodes (the child, adults, other children) and one edge per link, for cytoscape."""
    child = network.child
    nodes = [_node(child.person_id, child.name, network.risk.level, kind="child")]
    links: dict[tuple[str, str], tuple[str, list[Link]]] = {}
    for group, kind in ((network.adults, "adult"), (network.children, "other-child")):
        for member in group:
            nodes.append(_node(member.person.person_id, member.person.name,
                               level_of(member.weight), kind=kind, role=member.role))
            for link in member.links:
                # One line per pair of people, whichever way round the links were found.
                ends = sorted((link.via or child.person_id, member.person.person_id))
                links.setdefault((ends[0], ends[1]), (member.person.person_id, []))[1].append(
                    link)
    known = {n["data"]["id"] for n in nodes}
    return nodes + [_edge(source, target, about, found)
                    for (source, target), (about, found) in links.items()
                    if source in known and target in known]


def _node(person_id: str, name: str, level: str, *, kind: str,
          role: str | None = None) -> dict[str, Any]:
    label = f"{name}\n{role}" if role else name
    return {"data": {"id": person_id, "label": label, "level": level, "kind": kind,
                     "href": f"/persons/{person_id}"}}


def _edge(source: str, target: str, about: str, links: list[Link]) -> dict[str, Any]:
    """One line per pair of people, labelled with each relation and whether an agency
    recorded it or Kinlink inferred it (solid when any is recorded)."""
    labels = sorted({f"{link.relation.replace('-', ' ')} "
                     f"({'recorded' if link.recorded else 'inferred'})" for link in links})
    return {"data": {
        "id": f"{source}->{target}", "source": source, "target": target,
        "label": "\n".join(labels), "recorded": any(link.recorded for link in links),
        "href": f"#evidence-{about}",
    }}
