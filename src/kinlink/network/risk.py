"""How much a marker weighs, and each child's risk summary for the waiting queue.

A marker on any source record of a person belongs to the person. What a marker adds to a
child's risk is `severity x recency x closeness x confidence`:

- severity: how grave the marker is for a child near that person (`SEVERITY`, 0..1);
- recency: 1 while the marker is current on the date asked about, then halving every
  `HALF_LIFE_YEARS` after its end date (never below `RECENCY_FLOOR`: history matters);
- closeness: how near the adult is (`CLOSENESS`: a parent or household member 1.0, a
  parent's partner 0.9, someone at an incident with the child 0.8, ...);
- confidence: the weakest identity (cluster) confidence on the path to the marker.

A child's own markers (a child protection plan, missing episodes) count with closeness 1.
The score is `1 - prod(1 - contribution)` over all of them: 0 with no marker, near 1 with
several grave current ones; levels: high >= 0.7, medium >= 0.4, low > 0, none.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from kinlink.store import Store

SEVERITY = {
    "sexual-offence": 1.0, "domestic-abuse-perpetrator": 0.9,
    "non-molestation-order-respondent": 0.9, "child-sexual-exploitation": 0.9,
    "violence": 0.8, "weapons": 0.8, "child-protection-plan": 0.7, "drug-misuse": 0.6,
    "gang-association": 0.6, "missing-episodes": 0.6, "alcohol-misuse": 0.5,
    "mental-health": 0.4, "domestic-abuse-victim": 0.4, "looked-after": 0.4,
    "non-molestation-order-protected": 0.3,
}
DEFAULT_SEVERITY = 0.3
RISK_TO_CHILD = frozenset({
    "domestic-abuse-perpetrator", "drug-misuse", "alcohol-misuse", "violence", "sexual-offence",
    "weapons", "non-molestation-order-respondent", "gang-association",
})
"""Markers that make an adult a risk to a child near them (alerts are raised for these).
The others (mental health, being a victim, a child's own plan) say someone is vulnerable:
they count towards the score but raise no unlinked-risk alert on their own."""
HALF_LIFE_YEARS = 3.0
RECENCY_FLOOR = 0.2
CLOSENESS = {
    "self": 1.0, "parent": 1.0, "step-parent": 1.0, "carer": 1.0, "household member": 1.0,
    "parent's partner": 0.9, "order party": 0.9, "at an incident with the child": 0.8,
    "named at an incident with the child": 0.8, "recorded associate": 0.6,
    "partner": 0.8, "former household member": 0.5, "parent's former partner": 0.5,
    "parent's co-parent": 0.5, "household member's partner": 0.9,
    "parent's household member": 0.8, "household member's former partner": 0.5,
}
LEVELS = ((0.7, "high"), (0.4, "medium"), (0.0, "low"))


def severity(marker: str) -> float:
    return SEVERITY.get(marker, DEFAULT_SEVERITY)


def recency(start: date | None, end: date | None, on: date) -> float:
    """1 while current on `on`; after the end date it halves every HALF_LIFE_YEARS."""
    if end is None or end >= on:
        return 1.0
    years = (on - end).days / 365.25
    return max(RECENCY_FLOOR, math.pow(0.5, years / HALF_LIFE_YEARS))


def level_of(score: float) -> str:
    """high >= 0.7, medium >= 0.4, low > 0, else none."""
    if score <= 0:
        return "none"
    return next(name for bound, name in LEVELS if score >= bound)


def combine(contributions: Iterable[float]) -> float:
    """`1 - prod(1 - c)`: several independent risks add up without exceeding 1."""
    remaining = 1.0
    for c in contributions:
        remaining *= 1.0 - min(max(c, 0.0), 1.0)
    return round(1.0 - remaining, 4)


@dataclass
class RiskSummary:
    """A child's risk as the waiting queue needs it."""

    person_id: str
    score: float  # 0..1
    level: str  # high | medium | low | none
    top_markers: list[str] = field(default_factory=list)  # "domestic-abuse-perpetrator (father)"
    adults: int = 0  # adults within two steps
    adults_with_markers: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def risk_summary(store: Store, person_ids: Sequence[str], *,
                 as_of: date | None = None) -> dict[str, RiskSummary]:
    """The risk summary of each child asked about (any person id; unknown ones score none).

    Reads the stored graph as last built (never rebuilding it), in batches, so
    thousands of children take a few seconds at most.
    """
    from kinlink.network.view import child_networks  # the view builds on the scores here

    networks = child_networks(store, person_ids, as_of=as_of)
    return {pid: networks[pid].risk if pid in networks else
            RiskSummary(person_id=pid, score=0.0, level="none") for pid in person_ids}
