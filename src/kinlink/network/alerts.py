"""Stored alerts: recomputed from the network, changed by people, never silently lost.

Each alert has a stable key (a digest of its type, its persons and what else tells it
apart, see `detect.Finding`). A recompute:

- inserts a newly found alert as `open`;
- refreshes an alert found again (summary, evidence, last seen), keeping the status a
  person gave it; an alert Kinlink itself had closed is reopened;
- closes (`resolved`, by "kinlink") an open or acknowledged alert no longer found;
- carries a person's status over when re-resolution changed an alert's persons: a new
  alert of the same type resting on mostly the same records (Jaccard >= 0.5) as one that
  disappeared in the same run takes over its status, and the history says so.

Every status change is an `alert_events` row: who, when, from what, to what, why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from kinlink.clock import SYSTEM_CLOCK, Clock
from kinlink.errors import InputError, NotFoundError
from kinlink.network.detect import ALERT_TYPES, Finding, find_alerts
from kinlink.network.graph import build_network
from kinlink.store import Store
from kinlink.store.schema.network import alert_events, alerts

STATUSES = ("open", "acknowledged", "resolved")
SYSTEM = "kinlink"


@dataclass(frozen=True)
class AlertEvent:
    """One change of an alert's status: who, when, from what, to what, why."""

    id: int
    alert_id: int
    at: datetime
    actor: str
    from_status: str | None
    to_status: str
    reason: str


@dataclass(frozen=True)
class Alert:
    """A stored alert; `history` is filled only when one alert is asked for."""

    id: int
    key: str
    type: str
    status: str
    person_id: str
    other_person_id: str | None
    agency: str | None
    summary: str
    evidence: dict[str, Any]
    detected: bool
    first_detected_at: datetime
    last_detected_at: datetime
    updated_at: datetime
    history: list[AlertEvent] = field(default_factory=list)


@dataclass(frozen=True)
class RecomputeSummary:
    """What a recompute did: the build, the findings by type, and the alerts' changes."""

    as_of: date
    network: dict[str, Any]
    found: dict[str, int]
    new: int
    refreshed: int
    reopened: int
    closed: int
    carried_over: int


def _event(conn: Connection, alert_id: int, actor: str, old: str | None, new: str,
           reason: str, at: datetime) -> None:
    conn.execute(insert(alert_events).values(alert_id=alert_id, at=at, actor=actor,
                                             from_status=old, to_status=new, reason=reason))


def _last_actor(conn: Connection, alert_id: int) -> str | None:
    return conn.execute(select(alert_events.c.actor).where(alert_events.c.alert_id == alert_id)
                        .order_by(alert_events.c.id.desc()).limit(1)).scalar()


def _similar(a: set[str], b: set[str]) -> bool:
    return bool(a | b) and len(a & b) / len(a | b) >= 0.5


def recompute_alerts(store: Store, *, as_of: date | None = None, progress: bool = False,
                     clock: Clock = SYSTEM_CLOCK) -> RecomputeSummary:
    """Rebuild the network, find every alert (and second-look prompt) and bring the stored
    alerts in line."""
    on = as_of or clock.today()
    # Imported here: the prompts read children's networks through this package.
    from kinlink.review.prompts import second_look_findings

    build = build_network(store, progress=progress, clock=clock)
    findings = find_alerts(store, build, on) + second_look_findings(store, on)
    counts = {"new": 0, "refreshed": 0, "reopened": 0, "closed": 0, "carried_over": 0}
    at = clock.now()
    with store.begin() as conn:
        stored = {r["key"]: dict(r) for r in conn.execute(select(alerts)).mappings()}
        found = {f.key: f for f in findings}
        vanished = [r for k, r in stored.items() if k not in found and r["detected"]]
        for key, finding in found.items():
            if key in stored:
                _refresh(conn, stored[key], finding, at, counts)
            else:
                _create(conn, finding, vanished, at, counts)
        for row in vanished:
            _vanish(conn, row, at, counts)
    by_type = {t: sum(1 for f in findings if f.type == t) for t in ALERT_TYPES}
    return RecomputeSummary(as_of=on, network=build.summary(), found=by_type, **counts)


def _refresh(conn: Connection, row: dict[str, Any], f: Finding, at: datetime,
             counts: dict[str, int]) -> None:
    values: dict[str, Any] = {"summary": f.summary, "evidence": f.evidence, "detected": True,
                              "last_detected_at": at, "agency": f.agency}
    if row["status"] == "resolved" and _last_actor(conn, row["id"]) == SYSTEM:
        values.update(status="open", updated_at=at)
        _event(conn, row["id"], SYSTEM, "resolved", "open", "found again by a recompute", at)
        counts["reopened"] += 1
    else:
        counts["refreshed"] += 1
    conn.execute(update(alerts).where(alerts.c.id == row["id"]).values(**values))


def _create(conn: Connection, f: Finding, vanished: list[dict[str, Any]], at: datetime,
            counts: dict[str, int]) -> None:
    predecessor = next((r for r in vanished if r["type"] == f.type and r["status"] != "resolved"
                        and _similar(set(r["evidence"].get("records", [])), f.records)), None)
    status = predecessor["status"] if predecessor else "open"
    alert_id = conn.execute(insert(alerts).values(
        key=f.key, type=f.type, status=status, person_id=f.person_id,
        other_person_id=f.other_person_id, agency=f.agency, summary=f.summary,
        evidence=f.evidence, detected=True, first_detected_at=at, last_detected_at=at,
        updated_at=at).returning(alerts.c.id)).scalar_one()
    if predecessor is None:
        _event(conn, alert_id, SYSTEM, None, "open", "found by a recompute", at)
        counts["new"] += 1
        return
    _event(conn, alert_id, SYSTEM, None, status,
           f"carried over from alert {predecessor['id']}: its persons were re-resolved", at)
    vanished.remove(predecessor)
    conn.execute(update(alerts).where(alerts.c.id == predecessor["id"]).values(
        status="resolved", detected=False, updated_at=at))
    _event(conn, predecessor["id"], SYSTEM, predecessor["status"], "resolved",
           f"superseded by alert {alert_id} after re-resolution", at)
    counts["carried_over"] += 1


def _vanish(conn: Connection, row: dict[str, Any], at: datetime, counts: dict[str, int]) -> None:
    values: dict[str, Any] = {"detected": False}
    if row["status"] != "resolved":
        values.update(status="resolved", updated_at=at)
        _event(conn, row["id"], SYSTEM, row["status"], "resolved",
               "no longer found by a recompute (the records changed)", at)
        counts["closed"] += 1
    conn.execute(update(alerts).where(alerts.c.id == row["id"]).values(**values))


def _check(value: str | None, allowed: Sequence[str], name: str) -> None:
    if value is not None and value not in allowed:
        raise InputError(f"unknown {name} {value!r}; choose from {', '.join(allowed)}",
                         field=name)


def list_alerts(store: Store, *, type: str | None = None, agency: str | None = None,
                status: str | None = None, person_id: str | None = None, limit: int = 100,
                offset: int = 0) -> list[Alert]:
    """Stored alerts, newest first, filtered by type, agency, status and person."""
    _check(type, ALERT_TYPES, "type")
    _check(status, STATUSES, "status")
    query = select(alerts).order_by(alerts.c.id.desc()).limit(limit).offset(offset)
    for column, value in ((alerts.c.type, type), (alerts.c.agency, agency),
                          (alerts.c.status, status)):
        if value is not None:
            query = query.where(column == value)
    if person_id is not None:
        query = query.where((alerts.c.person_id == person_id)
                            | (alerts.c.other_person_id == person_id))
    with store.connect() as conn:
        return [Alert(**r) for r in conn.execute(query).mappings()]


def get_alert(store: Store, alert_id: int) -> Alert:
    """One alert with its history; NotFoundError if there is none."""
    with store.connect() as conn:
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
        if row is None:
            raise NotFoundError(f"no alert {alert_id}")
        history = conn.execute(select(alert_events).where(alert_events.c.alert_id == alert_id)
                               .order_by(alert_events.c.id)).mappings().all()
    return Alert(**row, history=[AlertEvent(**h) for h in history])


def set_alert_status(store: Store, alert_id: int, status: str, *, actor: str,
                     reason: str, clock: Clock = SYSTEM_CLOCK) -> Alert:
    """A person acknowledges, resolves or reopens an alert; the change joins its history."""
    _check(status, STATUSES, "status")
    if not actor.strip() or not reason.strip():
        raise InputError("say who you are (actor) and why (reason)")
    with store.begin() as conn:
        change_status(conn, alert_id, status, actor=actor, reason=reason, at=clock.now())
    return get_alert(store, alert_id)


def change_status(conn: Connection, alert_id: int, status: str, *, actor: str,
                  reason: str, at: datetime) -> None:
    """`set_alert_status` inside a caller's transaction (a prompt's review and its status
    change are stored together)."""
    row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).mappings().first()
    if row is None:
        raise NotFoundError(f"no alert {alert_id}")
    conn.execute(update(alerts).where(alerts.c.id == alert_id).values(
        status=status, updated_at=at))
    _event(conn, alert_id, actor.strip(), row["status"], status, reason.strip(), at)
