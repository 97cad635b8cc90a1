"""The risk around each waiting child: from the network when it has data, and from the
referral itself.

Network risk is `kinlink.network.risk_summary` for the resolved child (markers of the
adults around the child, weighed by closeness and recency). The referral's own risk is:

- high: a section 47 enquiry started or a strategy discussion held, or triage red;
- medium: triage amber, or primary need N1 (abuse or neglect);
- low: triage green;
- unknown: none of these recorded. Unassessed risk is not low risk, so the queue
  weighs it like medium.

A child gets the higher of the two levels: the network can reveal a risk the referral
does not know, and a red referral stays red whatever the network holds. The network has no
data on a child when the child is not resolved, or when
it finds neither adults nor markers around the child; then the referral's risk is used,
`unknown` included. Every `ChildRisk` says which source set its level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from kinlink.network import RiskSummary, risk_summary
from kinlink.store import Store
from kinlink.timeliness.cases import CasePath


@dataclass(frozen=True)
class ChildRisk:
    """A child's risk level and score (0..1), why, and where it came from."""

    level: str
    score: float
    source: str  # 'network' or 'referral'
    reasons: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        """One line: level, source and the main reasons."""
        why = f": {', '.join(self.reasons[:3])}" if self.reasons else ""
        return f"{self.level} ({self.source}){why}"


def referral_risk(path: CasePath) -> ChildRisk:
    """The documented fallback: risk read from the referral itself."""
    reasons: list[str] = []
    if path.first("s47_start"):
        reasons.append("section 47 enquiry")
    if path.first("strategy_discussion"):
        reasons.append("strategy discussion")
    if path.triage_rating:
        reasons.append(f"triage {path.triage_rating}")
    if path.primary_need == "N1":
        reasons.append("primary need N1 abuse or neglect")
    statutory = path.first("s47_start") or path.first("strategy_discussion")
    if statutory or path.triage_rating == "red":
        return ChildRisk("high", 0.9, "referral", tuple(reasons))
    if path.triage_rating == "amber" or path.primary_need == "N1":
        return ChildRisk("medium", 0.5, "referral", tuple(reasons))
    if path.triage_rating == "green":
        return ChildRisk("low", 0.2, "referral", tuple(reasons))
    return ChildRisk("unknown", 0.5, "referral", ("no triage rating or risk recorded",))


def _from_network(summary: RiskSummary | None) -> ChildRisk | None:
    """The network's summary, or None when it knows nothing around the child."""
    if summary is None:
        return None
    markers = tuple(str(m) for m in summary.top_markers)
    if summary.level == "none" and not markers and not summary.adults:
        return None
    return ChildRisk(str(summary.level), float(summary.score), "network", markers)


_RANK = {"high": 3, "medium": 2, "low": 1, "none": 0}


def combined_risk(network: ChildRisk | None, referral: ChildRisk) -> ChildRisk:
    """The higher of the network's and the referral's levels (network on a tie); the
    referral's `unknown` only when the network has nothing."""
    if network is None:
        return referral
    if _RANK.get(referral.level, -1) > _RANK.get(network.level, 0):
        return ChildRisk(referral.level, max(referral.score, network.score), "referral",
                         (*referral.reasons, f"network: {network.level}"))
    return network


def child_risks(store: Store, children: Iterable[tuple[str, bool, CasePath]], *,
                as_of: datetime | None = None) -> dict[str, ChildRisk]:
    """Risk by child key, for (child key, resolved?, case path) triples. A child with
    several referrals takes the riskiest."""
    children = list(children)
    resolved = sorted({key for key, is_resolved, _ in children if is_resolved})
    network = (risk_summary(store, resolved, as_of=as_of.date() if as_of else None)
               if resolved else {})
    risks: dict[str, ChildRisk] = {}
    for key, _, path in children:
        risk = combined_risk(_from_network(network.get(key)), referral_risk(path))
        if key not in risks or _weightier(risk, risks[key]):
            risks[key] = risk
    return risks


def _weightier(a: ChildRisk, b: ChildRisk) -> bool:
    return (_RANK.get(a.level, 2), a.score) > (_RANK.get(b.level, 2), b.score)
