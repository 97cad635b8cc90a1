"""Drawing a child's network: the child in the middle, adults around, risks marked.

networkx lays the neighbourhood out (a shell layout: the child, then one ring per step) and
matplotlib draws it to SVG or PNG, with a legend for node colours and line styles.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
import networkx as nx
from matplotlib.lines import Line2D

from kinlink.errors import InputError
from kinlink.files import check_target, writing
from kinlink.network.chains import MAX_STEPS
from kinlink.network.view import ChildNetwork

COLOURS = {"child": "#4c72b0", "high": "#c44e52", "marker": "#dd8452", "none": "#cccccc",
           "young": "#8fb3de"}


def _label(name: str, pid: str, extra: str) -> str:
    return f"{name}\n{pid}" + (f"\n{extra}" if extra else "")


def check_picture(out: Path) -> None:
    """Refuse a picture path that is not .svg or .png or whose folder does not exist."""
    if out.suffix.lower() not in (".svg", ".png"):
        raise InputError("the picture must be a .svg or .png file", file=str(out))
    check_target(out)


def draw_network(network: ChildNetwork, out: Path) -> Path:
    """Write the picture to `out` (.svg or .png); returns the path."""
    check_picture(out)
    graph = nx.Graph()
    child = network.child
    graph.add_node(child.person_id, colour=COLOURS["child"],
                   label=_label(child.name, child.person_id, f"age {child.age}"))
    for adult in network.adults:
        markers = "\n".join(dict.fromkeys(m.marker for m in adult.markers[:3]))
        colour = (COLOURS["high"] if adult.weight >= 0.5 else
                  COLOURS["marker"] if adult.markers else COLOURS["none"])
        graph.add_node(adult.person.person_id, colour=colour, steps=adult.steps,
                       label=_label(adult.person.name, adult.role, markers))
    for other in network.children:
        graph.add_node(other.person.person_id, colour=COLOURS["young"], steps=other.steps,
                       label=_label(other.person.name, other.role, ""))
    for person in network.adults + network.children:
        for link in person.links:
            start = link.via or child.person_id
            if start not in graph:
                continue
            end = person.person.person_id
            # Several links can join two persons: one drawn edge, recorded if any is.
            recorded = link.recorded or graph.get_edge_data(start, end, {}).get("recorded", False)
            graph.add_edge(start, end, recorded=recorded,
                           hidden=any(not m.visible for m in person.markers))
    shells = [[child.person_id]] + [[n for n, d in graph.nodes(data=True) if d.get("steps") == k]
                                    for k in range(1, MAX_STEPS + 1)]
    layout = nx.shell_layout(graph, [s for s in shells if s])
    figure, axes = plt.subplots(figsize=(11, 8))
    for recorded, style in ((True, "solid"), (False, "dashed")):
        edges = [(a, b, d) for a, b, d in graph.edges(data=True) if d["recorded"] == recorded]
        nx.draw_networkx_edges(graph, layout, edgelist=[(a, b) for a, b, _ in edges],
                               style=style, ax=axes, width=1.5,
                               edge_color=[COLOURS["high"] if d["hidden"] else "#555555"
                                           for _, _, d in edges])
    nx.draw_networkx_nodes(graph, layout, ax=axes, node_size=900,
                           node_color=[d["colour"] for _, d in graph.nodes(data=True)])
    nx.draw_networkx_labels(graph, layout, ax=axes, font_size=7,
                            labels={n: d["label"] for n, d in graph.nodes(data=True)})
    axes.set_title(f"Network of {child.name} ({child.person_id}) as of "
                   f"{network.as_of.isoformat()}: risk {network.risk.level} "
                   f"({network.risk.score:.2f})")
    axes.legend(handles=[
        Line2D([], [], marker="o", ls="", color=COLOURS["child"], label="the child"),
        Line2D([], [], marker="o", ls="", color=COLOURS["high"], label="adult, serious risk"),
        Line2D([], [], marker="o", ls="", color=COLOURS["marker"], label="adult with markers"),
        Line2D([], [], marker="o", ls="", color=COLOURS["none"], label="adult, no marker"),
        Line2D([], [], marker="o", ls="", color=COLOURS["young"], label="another child"),
        Line2D([], [], color="#555555", label="recorded by an agency"),
        Line2D([], [], color="#555555", ls="--", label="inferred by Kinlink"),
        Line2D([], [], color=COLOURS["high"], label="leads to a marker no agency links"),
    ], loc="lower left", fontsize=8)
    axes.margins(0.2)
    axes.axis("off")
    figure.tight_layout()
    try:
        with writing(out) as temporary:
            figure.savefig(temporary, format=out.suffix.lstrip(".").lower())
    finally:
        plt.close(figure)
    return out
