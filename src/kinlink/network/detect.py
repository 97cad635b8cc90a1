"""Finding the four kinds of alert in a freshly built network.

- unlinked-risk: an adult with a marker that is a risk to a child (`risk.RISK_TO_CHILD`)
  around a child (see `view`), in a role that raises alerts (`chains.toml`), where no
  agency ties that marker's record to a record of the child (no relationship, incident
  or order row of one agency names both). Why it is hidden is guessed for the reader:
  `split-identity` (the adult is linked to the child, but through another record),
  `wrong-place` (the child is only named in incident text or recorded as an associate),
  otherwise `missing-link`;
- split-identity: two or more records of one agency resolved into one person (a
  duplicate for that agency to merge), and pairs inside one agency that the resolution
  left in the review queue as uncertain;
- wrong-place: a child recorded as an adult's associate, or named in an incident's
  summary but not recorded as a person at it;
- breach: the protected person of a current order living with its respondent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import and_, or_, select

from kinlink.network.chains import Rules, default_rules
from kinlink.network.graph import NetworkBuild, children_on
from kinlink.network.risk import RISK_TO_CHILD
from kinlink.network.view import RECORDED_VISIBLE, Adult, ChildNetwork, child_networks
from kinlink.store import Store
from kinlink.store.lists import decode
from kinlink.store.schema.network import network_edges
from kinlink.store.schema.resolution import review_items
from kinlink.vocabulary import ROLES, AlertType

ALERT_TYPES: tuple[str, ...] = tuple(AlertType)
ALERT_ROLES = frozenset(r.name for r in ROLES.values() if r.alerts)
"""Roles of adults whose hidden marker is worth an alert (`kinlink.vocabulary.ROLES`)."""
CHILD_BATCH = 2000
"""Children whose networks are assembled and checked together."""


@dataclass
class Finding:
    """An alert as one recompute found it, before it meets the stored alerts."""

    type: AlertType
    person_id: str
    other_person_id: str | None
    agency: str | None
    summary: str
    evidence: dict[str, Any]
    discriminator: str = ""  # what else, beyond type and persons, tells two alerts apart

    @property
    def key(self) -> str:
        parts = [self.type, self.person_id, self.other_person_id or "", self.discriminator]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]

    @property
    def records(self) -> set[str]:
        return set(self.evidence.get("records", []))


def _hidden_because(network: ChildNetwork, adult: Adult) -> list[str]:
    linked = any(link.recorded and link.via is None and link.source in RECORDED_VISIBLE
                 and link.relation != "associate" for link in adult.links)
    reasons = ["split-identity" if linked else "missing-link"]
    if any(link.source == "incident-text" or link.relation == "associate"
           for link in adult.links):
        reasons.append("wrong-place")
    return reasons


def unlinked_risks(network: ChildNetwork, rules: Rules) -> Iterator[Finding]:
    """A hidden risk marker of an adult whose role raises alerts (`chains.toml`)."""
    for adult in network.adults:
        hidden = [m for m in adult.markers if not m.visible and m.marker in RISK_TO_CHILD]
        if not rules.role(adult.role).alert or not hidden:
            continue
        markers = ", ".join(dict.fromkeys(m.marker for m in hidden))
        probable = sorted({m.uid for m in hidden if m.probable})
        if probable:  # shown as such: nothing joined these records but their name
            markers += f" (probably: {', '.join(probable)}, the same name, not resolved)"
        records = sorted({m.uid for m in hidden} | set(network.child.records))
        yield Finding(
            AlertType.UNLINKED_RISK, network.child.person_id, adult.person.person_id,
            hidden[0].agency,
            f"{network.child.name} ({network.child.person_id}): {adult.role} "
            f"{adult.person.name} ({adult.person.person_id}) has {markers}, and no agency's "
            "records link the child to the record holding it",
            {"role": adult.role, "hidden_because": _hidden_because(network, adult),
             "markers": [_marker_json(m) for m in hidden],
             "links": [_link_json(link) for link in adult.links], "records": records},
        )


def _marker_json(m: Any) -> dict[str, Any]:
    return {"marker": m.marker, "record": m.uid, "start_date": _iso(m.start_date),
            "end_date": _iso(m.end_date), "identity": m.identity, "probable": m.probable}


def _link_json(link: Any) -> dict[str, Any]:
    return {"relation": link.relation, "source": link.source, "recorded": link.recorded,
            "agencies": link.agencies, "records": link.records, "detail": link.detail,
            "from_date": _iso(link.from_date), "to_date": _iso(link.to_date),
            "confidence": link.confidence, "via": link.via}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def wrong_places(network: ChildNetwork) -> Iterator[Finding]:
    child = network.child
    for adult in network.adults:
        for link in adult.links:
            if link.via is not None:
                continue
            if link.relation == "associate" and link.recorded:
                yield Finding(
                    AlertType.WRONG_PLACE, child.person_id, adult.person.person_id,
                    link.agencies[0],
                    f"{child.name} ({child.person_id}), aged {child.age}, is recorded by "
                    f"{', '.join(link.agencies)} as an associate of {adult.person.name}",
                    {"kind": "child recorded as associate", "link": _link_json(link),
                     "records": sorted(link.records)},
                    discriminator="associate:" + ";".join(sorted(link.records)))
    for incident, link in _named_incidents(network):
        agency, incident_id = incident
        yield Finding(
            AlertType.WRONG_PLACE, child.person_id, None, agency,
            f"{child.name} ({child.person_id}), aged {child.age}, is named in the summary of "
            f"{agency} incident {incident_id} but not recorded as a person there",
            {"kind": "child named in incident text", "incident": f"{agency}:{incident_id}",
             "detail": link.detail, "records": sorted(child.records)},
            discriminator=f"incident:{agency}:{incident_id}")


def _named_incidents(network: ChildNetwork) -> Iterator[tuple[tuple[str, str], Any]]:
    """Each incident whose text names the child, once, with a link it gave."""
    seen: set[str] = set()
    for person in network.adults + network.children:
        for link in person.links:
            for incident in link.incidents if link.source == "incident-text" else []:
                if incident not in seen:
                    seen.add(incident)
                    agency, incident_id = incident.split(":", 1)
                    yield (agency, incident_id), link


def duplicates(build: NetworkBuild) -> Iterator[Finding]:
    """Persons holding two or more records of one agency."""
    records = build.persons.filter(pl.col("resolved")).select(
        "person_id", "first_name", "surname", pl.col("records").alias("uid"),
    ).explode("uid").with_columns(agency=pl.col("uid").str.extract(r"^([^:]+):"))
    dupes = records.group_by("person_id", "agency", "first_name", "surname").agg(
        pl.col("uid").sort()).filter(pl.col("uid").list.len() > 1)
    for row in dupes.iter_rows(named=True):
        name = f"{row['first_name'] or ''} {row['surname'] or ''}".strip()
        yield Finding(
            AlertType.SPLIT_IDENTITY, row["person_id"], None, row["agency"],
            f"{row['agency']} holds {len(row['uid'])} records of one person, {name} "
            f"({row['person_id']}): {', '.join(row['uid'])}",
            {"kind": "records resolved into one person", "records": row["uid"]},
            discriminator=row["agency"])


def uncertain_pairs(store: Store, build: NetworkBuild) -> Iterator[Finding]:
    """Open review items between two records of the same agency."""
    person = dict(build.persons.select(
        pl.col("records").alias("uid"), "person_id").explode("uid").iter_rows())
    with store.connect() as conn:
        rows = conn.execute(select(review_items).where(
            (review_items.c.agency_l == review_items.c.agency_r)
            & (review_items.c.status == "open"))).mappings().all()
    for r in rows:
        pid = person.get(r["uid_l"], r["uid_l"])
        yield Finding(
            AlertType.SPLIT_IDENTITY, pid, person.get(r["uid_r"], r["uid_r"]), r["agency_l"],
            f"{r['agency_l']} records {r['uid_l']} and {r['uid_r']} may be one person "
            f"(probability {r['match_probability']:.2f}), awaiting review",
            {"kind": "uncertain pair in one agency", "records": [r["uid_l"], r["uid_r"]],
             "explanation": r["explanation"]},
            discriminator=f"pair:{r['uid_l']}|{r['uid_r']}")


def _active(edge: Any, on: date) -> Any:
    return and_(or_(edge.c.from_date.is_(None), edge.c.from_date <= on),
                or_(edge.c.to_date.is_(None), edge.c.to_date >= on))


def breaches(build: NetworkBuild, on: date) -> Iterator[Finding]:
    """A current order's protected person living with its respondent on the date."""
    order, home = network_edges.alias("order_edge"), network_edges.alias("home_edge")
    query = select(order.c.person_id, order.c.other_person_id, order.c.agencies,
                   order.c.records, order.c.detail, home.c.detail.label("home")).join(
        home, and_(home.c.person_id == order.c.person_id,
                   home.c.other_person_id == order.c.other_person_id)).where(
        order.c.relation == "order-respondent", _active(order, on),
        home.c.relation == "household-member", _active(home, on))
    with build.store.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
    ids = {r[k] for r in rows for k in ("person_id", "other_person_id")}
    names = dict(build.persons.filter(pl.col("person_id").is_in(list(ids))).select(
        "person_id", pl.concat_str(["first_name", "surname"], separator=" ", ignore_nulls=True)
    ).iter_rows())
    for row in rows:
        agencies, records = decode(row["agencies"]), decode(row["records"])
        yield Finding(
            AlertType.BREACH, row["person_id"], row["other_person_id"], agencies[0],
            f"{names.get(row['person_id'])} ({row['person_id']}), protected by an order "
            f"({row['detail']}), lives with its respondent {names.get(row['other_person_id'])} "
            f"({row['other_person_id']}) at {row['home']}",
            {"order": row["detail"], "order_records": records,
             "address": row["home"], "records": sorted(set(records))},
            discriminator=";".join(records))  # as keys were made before lists were JSON


def find_alerts(store: Store, build: NetworkBuild, on: date) -> list[Finding]:
    """Every alert the network shows on the date, one per key."""
    findings: list[Finding] = [*duplicates(build), *uncertain_pairs(store, build),
                               *breaches(build, on)]
    children = children_on(store, on)
    # A batch of networks at a time: all of them at once held gigabytes at 1M people.
    for i in range(0, len(children), CHILD_BATCH):
        for network in child_networks(store, children[i:i + CHILD_BATCH], as_of=on).values():
            findings.extend(unlinked_risks(network, default_rules()))
            findings.extend(wrong_places(network))
    for finding in findings:  # the date ages and current links were judged on
        finding.evidence["as_of"] = on.isoformat()
    return list({f.key: f for f in findings}.values())
