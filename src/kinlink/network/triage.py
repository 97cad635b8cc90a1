"""The alerts inbox: alerts grouped by child and ranked by what matters, with what to do next.

A borough raises thousands of open alerts; nobody can work through them unranked. Each
alert gets a priority of `severity x closeness x recency` (the same three factors as the
child's risk score, `network.risk`):

- severity: the gravest risk marker the alert is about (an order's breach counts as the
  order; an identity or wrong-place alert, which points at records rather than a risk, as a
  fixed share, `TYPE_SEVERITY`);
- closeness: how near the adult is to the child (`kinlink.vocabulary`, by the alert's role);
- recency: 1 for a current marker, halving every few years after it ended.

Children are ordered by their most pressing alert; within a child, alerts by priority, then
the newest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, select

from kinlink.network.alerts import Alert
from kinlink.network.graph import persons_of
from kinlink.network.risk import closeness, recency, severity
from kinlink.store import Store
from kinlink.store.schema.identity import record_persons
from kinlink.store.schema.source import referrals

TYPE_SEVERITY = {"split-identity": 0.4, "wrong-place": 0.6}
"""What an alert that names no marker weighs: records to fix rather than a risk found."""

NEXT_STEPS = {
    "unlinked-risk": "Check the links and the marker's evidence. If the adult is around the "
                     "child, record the link in your agency's system and share it with the "
                     "child's social worker; consider a strategy discussion.",
    "split-identity": "Compare the records side by side. If they are one person, merge them in "
                      "the agency's system (or decide on the duplicate review screen); if not, "
                      "say so there so the next resolution keeps them apart.",
    "wrong-place": "The child is recorded where their record is not linked: add the child to the "
                   "incident or correct the record in the agency's system, then check who else "
                   "was there.",
    "breach": "An order's respondent is recorded at the protected person's address: tell the "
              "police public-protection team today and check the children living there.",
}


@dataclass(frozen=True)
class RankedAlert:
    """An alert with its priority and the factors behind it."""

    alert: Alert
    priority: float
    severity: float
    closeness: float
    recency: float

    @property
    def next_step(self) -> str:
        return NEXT_STEPS.get(self.alert.type, "Look at the evidence and decide.")


@dataclass(frozen=True)
class ChildAlerts:
    """One child's alerts, the most pressing first."""

    person_id: str
    name: str
    alerts: list[RankedAlert]

    @property
    def priority(self) -> float:
        return self.alerts[0].priority


@dataclass(frozen=True)
class Inbox:
    """The children with alerts, most pressing first, and the teams to filter by."""

    children: list[ChildAlerts]
    teams: list[str]

    @property
    def alerts(self) -> int:
        return sum(len(c.alerts) for c in self.children)


def rank_alert(alert: Alert, on: date) -> RankedAlert:
    """The alert's priority as of a date."""
    evidence = alert.evidence or {}
    markers: Sequence[Mapping[str, Any]] = evidence.get("markers") or []
    if markers:
        grave = max(markers, key=lambda m: severity(str(m.get("marker"))))
        sev = severity(str(grave.get("marker")))
        rec = max(recency(_date(m.get("start_date")), _date(m.get("end_date")), on)
                  for m in markers)
    elif evidence.get("order"):
        sev, rec = severity(str(evidence["order"])), 1.0
    else:
        sev, rec = TYPE_SEVERITY.get(alert.type, 0.5), 1.0
    near = closeness(str(evidence["role"])) if evidence.get("role") else 1.0
    return RankedAlert(alert, round(sev * near * rec, 4), sev, near, rec)


def group_by_child(store: Store, alerts: Iterable[Alert], on: date) -> list[ChildAlerts]:
    """Alerts grouped by the child (or person) they are about, most pressing first."""
    groups: dict[str, list[RankedAlert]] = {}
    for alert in alerts:
        groups.setdefault(alert.person_id, []).append(rank_alert(alert, on))
    with store.connect() as conn:
        persons = persons_of(conn, sorted(groups))
    ranked = [ChildAlerts(person_id, _name(persons.get(person_id), person_id),
                          sorted(items, key=_order))
              for person_id, items in groups.items()]
    return sorted(ranked, key=lambda g: (_order(g.alerts[0]), g.person_id))


def teams_of(store: Store, person_ids: Iterable[str]) -> dict[str, set[str]]:
    """person id -> the teams of the referrals about any of the person's records."""
    wanted = sorted(set(person_ids))
    rp = record_persons.c
    query = (select(rp.person_id, referrals.c.team)
             .join(referrals, and_(referrals.c.agency == rp.agency,
                                   referrals.c.record_id == rp.record_id))
             .where(referrals.c.team.is_not(None)).distinct())
    found: dict[str, set[str]] = {}
    with store.connect() as conn:
        for start in range(0, len(wanted), 500):
            for person_id, team in conn.execute(
                    query.where(rp.person_id.in_(wanted[start:start + 500]))):
                found.setdefault(person_id, set()).add(team)
    return found


def _order(item: RankedAlert) -> tuple[float, float]:
    return (-item.priority, -item.alert.first_detected_at.timestamp())


def _name(person: Mapping[str, Any] | None, person_id: str) -> str:
    if not person:
        return person_id
    return " ".join(p for p in (person.get("first_name"), person.get("surname")) if p) or person_id


def _date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else None
