"""Which chains of links put an adult around a child, in what role: the rules in one place.

The rules are data, in `chains.toml` (documented there and in docs/network.md): each role
lists the chains of up to `MAX_STEPS` links that reach it from the child, its closeness
(what the adult's markers weigh) and whether a hidden risk marker there raises an alert.
`load_rules(path)` reads another file of the same shape.

A link is an edge of the stored graph; its *kind* (`kinds_of`) is read from the relation
the other person has to this one, the edge's dates and, for an incident, its type:

| kind | edge |
|---|---|
| parent, step-parent, carer | the other is this person's parent, step-parent, carer |
| child | the other is this person's child, step-child or cared-for person |
| partner | a current partner |
| former-partner | an ex-partner, or a partner whose relationship has ended |
| domestic-incident | both recorded at a domestic-abuse incident (intimate partners) |
| co-parent | both recorded as parents of one child |
| household, former-household | living at one address now / formerly |
| sibling | a sibling |
| incident, named-incident | at one incident (recorded there / the child named in its text) |
| associate | recorded as an associate |
| order | the other party of a non-molestation order |
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from kinlink.errors import ConfigError
from kinlink.network.graph import active_on
from kinlink.network.probable import RULES_FILE

PACKAGED_RULES = RULES_FILE
MAX_STEPS = 3
KINDS = ("parent", "step-parent", "carer", "child", "partner", "former-partner",
         "domestic-incident", "co-parent", "household", "former-household", "sibling",
         "incident", "named-incident", "associate", "order")
ONLY_FROM_ADULTS = frozenset({"household", "former-household"})
"""Kinds a chain goes on through only when the person they reach is an adult."""
_SAME_KIND = {"parent": "parent", "step-parent": "step-parent", "carer": "carer",
              "child": "child", "step-child": "child", "cared-for": "child",
              "ex-partner": "former-partner", "co-parent": "co-parent", "sibling": "sibling",
              "associate": "associate", "order-respondent": "order",
              "order-protected": "order"}


@dataclass(frozen=True)
class Role:
    """One role an adult can have around a child."""

    name: str
    closeness: float
    alert: bool


@dataclass
class Step:
    """A node of the rules' trie: the role a chain ending here gives, and where it goes on."""

    role: Role | None = None
    next: dict[str, Step] = field(default_factory=dict)


@dataclass(frozen=True)
class Rules:
    """Roles in order of precedence, and the trie of their chains."""

    roles: tuple[Role, ...]
    start: Step
    ranks: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        # Asked for every link of every network: a dictionary, not a scan of the roles.
        object.__setattr__(self, "ranks", {r.name: i for i, r in enumerate(self.roles)})

    def rank(self, role: str) -> int:
        """The role's precedence: lower is shown first."""
        return self.ranks[role]

    def role(self, name: str) -> Role:
        return self.roles[self.ranks[name]]


def kinds_of(edge: dict[str, Any], on: date) -> tuple[str, ...]:
    """The kinds of link an edge is on the date (see the module's table)."""
    relation = edge["relation"]
    if relation == "partner":
        return ("partner",) if active_on(edge, on) else ("former-partner",)
    if relation == "household-member":
        return ("household",) if active_on(edge, on) else ("former-household",)
    if relation == "co-present":
        if edge["source"] == "incident-text":
            return ("named-incident",)
        if "(domestic-abuse)" in (edge["detail"] or ""):
            return ("incident", "domestic-incident")
        return ("incident",)
    kind = _SAME_KIND.get(relation)
    return (kind,) if kind else ()


def load_rules(path: Path | str = PACKAGED_RULES) -> Rules:
    """The roles and chains of a rules file; ConfigError naming the file and what is wrong."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        roles, start = [], Step()
        for entry in data["role"]:
            role = Role(str(entry["name"]), float(entry["closeness"]), bool(entry["alert"]))
            roles.append(role)
            for chain in entry["chains"]:
                _add_chain(start, role, [step.split("|") for step in chain])
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise ConfigError(f"{path}: {e}") from e
    return Rules(tuple(roles), start)


def _add_chain(start: Step, role: Role, steps: list[list[str]]) -> None:
    if not 1 <= len(steps) <= MAX_STEPS:
        raise ValueError(f"role {role.name!r}: a chain has 1 to {MAX_STEPS} steps")
    unknown = {k for step in steps for k in step} - set(KINDS)
    if unknown:
        raise ValueError(f"role {role.name!r}: unknown kind(s) {sorted(unknown)}")
    for kinds in itertools.product(*steps):
        node = start
        for kind in kinds:
            node = node.next.setdefault(kind, Step())
        if node.role is None:  # the first role listed wins a chain named twice
            node.role = role


@cache
def default_rules() -> Rules:
    """The packaged rules (`chains.toml`)."""
    return load_rules()


def relations_after(rules: Rules, steps: int) -> frozenset[str]:
    """The kinds a chain may follow at step `steps + 1` (to fetch only edges that matter)."""
    level = [rules.start]
    for _ in range(steps):
        level = [n for node in level for n in node.next.values()]
    return frozenset(k for node in level for k in node.next)
