"""Second-look prompts found in the store, kept as alerts of type `second-look`.

`second_look_findings` reads the referrals, incidents and children's networks and applies
the rules of `second_look.toml` (see `kinlink.review.second_look`); `recompute_alerts`
stores what it yields beside the network's alerts, with the same stable keys, so a prompt
found again keeps the status and review a person gave it. A prompt's key is its rule, its
child and adult, and the referral or incident it is about.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from kinlink.network.detect import Finding
from kinlink.network.graph import persons_of
from kinlink.network.view import RECORDED_VISIBLE, Adult, ChildNetwork, Marker, child_networks
from kinlink.review.second_look import SecondLookConfig, load_second_look
from kinlink.store import Store
from kinlink.store.queries import current_rows
from kinlink.store.schema.network import network_persons
from kinlink.store.schema.source import incident_people, incidents

ALERT_TYPE = "second-look"
BATCH = 2000


def _day(value: date | datetime | None) -> date | None:
    return value.date() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class Referral:
    """What the rules read of one referral row, with the person it is about."""

    agency: str
    referral_id: str
    record: str  # the child's record uid
    person_id: str
    received: date
    decided: date | None
    nfa: bool
    assessment_started: date | None
    assessment_authorised: date | None
    plan_started: date | None
    closed: date | None

    @property
    def uid(self) -> str:
        return f"{self.agency}:{self.referral_id}"

    @property
    def last_assessment(self) -> date | None:
        """When its assessment was authorised (else started), None if never assessed."""
        return self.assessment_authorised or self.assessment_started

    def no_further_action(self, closure_days: int) -> tuple[date, str] | None:
        """The date and kind of a decision that nothing more is done, if there was one.

        A no-further-action decision without a decision date is dated by the referral;
        an assessment authorised with no plan and the case closed within `closure_days`
        ended with no services, on the closure date."""
        if self.nfa:
            return self.decided or self.received, "closed with no further action"
        authorised, closed = self.assessment_authorised, self.closed
        if (authorised and closed and self.plan_started is None
                and 0 <= (closed - authorised).days <= closure_days):
            return closed, "closed after its assessment with no services"
        return None


@dataclass(frozen=True)
class Attendance:
    """A child recorded at an incident in one of the rule's roles."""

    agency: str
    incident_id: str
    record: str
    person_id: str
    occurred: date
    type: str
    role: str

    @property
    def uid(self) -> str:
        return f"{self.agency}:{self.incident_id}"


def person_of_records(conn: Connection) -> dict[str, str]:
    """Every record uid of the network's persons, to its person id."""
    out: dict[str, str] = {}
    for pid, records in conn.execute(select(network_persons.c.person_id,
                                            network_persons.c.records)):
        out.update((r, pid) for r in records.split(";"))
    return out


def load_referrals(conn: Connection, person: dict[str, str]) -> list[Referral]:
    """Every current referral row, with its child's person."""
    out = []
    for r in conn.execute(current_rows("referrals")).mappings():
        record = f"{r['agency']}:{r['record_id']}"
        received = _day(r["referral_date"])
        if received is None:
            continue  # ingest refuses a referral without a date: none is stored
        out.append(Referral(
            r["agency"], r["referral_id"], record, person.get(record, record), received,
            _day(r["decision_date"]), bool(r["nfa"]), r["assessment_start_date"],
            r["assessment_authorised_date"], r["cp_plan_start_date"], r["closure_date"]))
    return sorted(out, key=lambda f: (f.person_id, f.received, f.referral_id))


def load_attendances(conn: Connection, person: dict[str, str],
                     types: Sequence[str], roles: Sequence[str]) -> list[Attendance]:
    """Children recorded at incidents of the given types in the given roles."""
    present = current_rows(incident_people).subquery()
    happened = current_rows(incidents).subquery()
    query = select(present.c.agency, present.c.incident_id, present.c.record_id,
                   present.c.role, happened.c.occurred_at, happened.c.type).join(
        happened, (happened.c.agency == present.c.agency)
        & (happened.c.incident_id == present.c.incident_id)).where(
        present.c.role.in_(list(roles)), happened.c.type.in_(list(types)))
    out = []
    for r in conn.execute(query).mappings():
        record = f"{r['agency']}:{r['record_id']}"
        occurred = _day(r["occurred_at"])
        if occurred is not None:
            out.append(Attendance(r["agency"], r["incident_id"], record,
                                  person.get(record, record), occurred, r["type"], r["role"]))
    return out


def _finding(rule: str, child: str, adult: str | None, agency: str, summary: str,
             records: set[str], *, referral: Referral | None = None,
             incident: Attendance | None = None, **evidence: Any) -> Finding:
    about = referral.uid if referral else incident.uid if incident else ""
    return Finding(ALERT_TYPE, child, adult, agency, summary, {
        "rule": rule, "referral_id": referral.referral_id if referral else None,
        "referral": referral.uid if referral else None,
        "incident_id": incident.incident_id if incident else None,
        "incident": incident.uid if incident else None,
        "records": sorted(records), **evidence}, discriminator=f"{rule}:{about}")


def _names(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    rows = persons_of(conn, ids)
    return {pid: " ".join(p for p in (r["first_name"], r["surname"]) if p) or pid
            for pid, r in rows.items()}


def repeat_referrals(referrals: Sequence[Referral], config: SecondLookConfig,
                     names: dict[str, str]) -> Iterator[Finding]:
    """A prompt on each referral that makes `count` or more within `window_days`."""
    rule, by_child = config.repeat, defaultdict(list)
    for r in referrals:
        by_child[r.person_id].append(r)
    for pid, refs in by_child.items():
        for i, ref in enumerate(refs):
            window = [r for r in refs[:i + 1]
                      if (ref.received - r.received).days <= rule.window_days]
            if len(window) < rule.count:
                continue
            listed = ", ".join(f"{r.referral_id} ({r.received})" for r in window)
            yield _finding(
                "repeat-referrals", pid, None, ref.agency,
                f"{names.get(pid, pid)} ({pid}): {len(window)} referrals within "
                f"{rule.window_days} days up to {ref.referral_id}: {listed}",
                {r.record for r in window}, referral=ref,
                referrals=[r.uid for r in window])


def incidents_without_referral(attendances: Sequence[Attendance],
                               referrals: Sequence[Referral], config: SecondLookConfig,
                               on: date, names: dict[str, str]) -> Iterator[Finding]:
    """A prompt per (incident, child) with no referral of the child within the days."""
    days = config.incident.referral_within_days
    received = defaultdict(list)
    for r in referrals:
        received[r.person_id].append(r.received)
    seen: set[tuple[str, str]] = set()
    for a in sorted(attendances, key=lambda a: (a.occurred, a.uid, a.record)):
        until = a.occurred + timedelta(days=days)
        if until > on or (a.uid, a.person_id) in seen:
            continue  # too recent to judge, or the same child on a second record
        seen.add((a.uid, a.person_id))
        if any(a.occurred <= d <= until for d in received[a.person_id]):
            continue
        yield _finding(
            "incident-no-referral", a.person_id, None, a.agency,
            f"{names.get(a.person_id, a.person_id)} ({a.person_id}) was recorded as "
            f"{a.role} at {a.type} incident {a.incident_id} on {a.occurred}, and no referral "
            f"of the child was received within {days} days (by {until})",
            {a.record}, incident=a)


def _linked_records(adult: Adult) -> set[str]:
    """Records an agency itself ties to the child's family (a relationship, incident or
    order row): what the deciding agency's records show about this adult."""
    return {uid for link in adult.links if link.recorded and link.via is None
            and link.source in RECORDED_VISIBLE for uid in link.records}


def unmentioned_markers(adult: Adult, markers: Sequence[str], agency: str) -> list[Marker]:
    """The adult's current serious markers that the agency does not hold on a record it
    links to the child."""
    linked = _linked_records(adult)
    held = {m.marker for m in adult.markers if m.agency == agency and m.uid in linked}
    return [m for m in adult.markers
            if m.marker in markers and m.current and m.marker not in held]


def nfa_with_marker(network: ChildNetwork, referral: Referral, decided: date, outcome: str,
                    config: SecondLookConfig) -> Finding | None:
    """A prompt when an adult near the child carried an unmentioned serious marker on the
    day nothing more was decided (`network` is as of that day)."""
    rule = config.nfa
    found = [(a, unmentioned_markers(a, rule.serious_markers, referral.agency))
             for a in network.adults if a.role in rule.roles]
    found = [(a, ms) for a, ms in found if ms]
    if not found:
        return None
    child = network.child
    told = "; ".join(
        f"{a.role} {a.person.name} ({a.person.person_id}) carried "
        + ", ".join(f"{m.marker} ({m.uid}, from {m.start_date or 'an unknown date'})"
                    for m in ms) for a, ms in found)
    return _finding(
        "nfa-with-serious-marker", child.person_id, found[0][0].person.person_id,
        referral.agency,
        f"Referral {referral.referral_id} for {child.name} ({child.person_id}) was "
        f"{outcome} on {decided} while {told}; no {referral.agency} record linked to the "
        "child holds it",
        {referral.record} | {m.uid for _, ms in found for m in ms}, referral=referral,
        adults=[a.person.person_id for a, _ in found], decided=decided.isoformat())


def adults_joined(network: ChildNetwork, last: Referral, config: SecondLookConfig
                  ) -> Iterator[Finding]:
    """A prompt per adult with a listed marker whose household link began after the
    child's last assessment."""
    rule, assessed = config.joined, last.last_assessment
    assert assessed is not None
    for adult in network.adults:
        markers = [m for m in adult.markers if m.marker in rule.markers]
        joins = [link for link in adult.links if link.via is None
                 and link.relation in rule.join_relations
                 and link.from_date is not None and link.from_date > assessed]
        if not markers or not joins:
            continue
        join = min(joins, key=lambda link: link.from_date or date.max)
        child = network.child
        yield _finding(
            "marker-adult-joined", child.person_id, adult.person.person_id, last.agency,
            f"{adult.person.name} ({adult.person.person_id}), carrying "
            f"{', '.join(dict.fromkeys(m.marker for m in markers))}, became "
            f"{join.relation} of {child.name} ({child.person_id}) on {join.from_date} "
            f"({', '.join(join.agencies)}), after the child's last assessment on {assessed} "
            f"(referral {last.referral_id})",
            set(join.records) | {m.uid for m in markers}, referral=last,
            joined=join.from_date.isoformat() if join.from_date else None)


def _nfa_findings(store: Store, referrals: Sequence[Referral],
                  config: SecondLookConfig) -> Iterator[Finding]:
    """Networks are asked for as of each decision day, a day's children in one batch."""
    by_day: dict[date, list[tuple[Referral, str]]] = defaultdict(list)
    for r in referrals:
        decision = r.no_further_action(config.nfa.no_services_closure_days)
        if decision is not None:
            by_day[decision[0]].append((r, decision[1]))
    for day, refs in sorted(by_day.items()):
        networks = child_networks(store, [r.person_id for r, _ in refs], as_of=day)
        for ref, outcome in refs:
            if ref.person_id in networks:
                finding = nfa_with_marker(networks[ref.person_id], ref, day, outcome, config)
                if finding is not None:
                    yield finding


def _joined_findings(store: Store, referrals: Sequence[Referral], config: SecondLookConfig,
                     on: date) -> Iterator[Finding]:
    last: dict[str, Referral] = {}
    for r in referrals:
        when = r.last_assessment
        if when is not None and when <= on:
            best = last.get(r.person_id)
            if best is None or (when, r.referral_id) > (best.last_assessment, best.referral_id):
                last[r.person_id] = r
    ids = sorted(last)
    for i in range(0, len(ids), BATCH):
        for pid, network in child_networks(store, ids[i:i + BATCH], as_of=on).items():
            yield from adults_joined(network, last[pid], config)


def second_look_findings(store: Store, on: date,
                         config: SecondLookConfig | None = None) -> list[Finding]:
    """Every second-look prompt the records show on the date (rules switched off in the
    configuration are skipped). Reads the network as last built."""
    config = config or load_second_look()
    with store.connect() as conn:
        person = person_of_records(conn)
        referrals = [r for r in load_referrals(conn, person) if r.received <= on]
        attendances = load_attendances(conn, person, config.incident.incident_types,
                                       config.incident.child_roles)
        names = _names(conn, sorted({r.person_id for r in referrals}
                                    | {a.person_id for a in attendances}))
    out: list[Finding] = []
    if config.repeat.enabled:
        out += repeat_referrals(referrals, config, names)
    if config.incident.enabled:
        out += incidents_without_referral(attendances, referrals, config, on, names)
    if config.nfa.enabled:
        out += _nfa_findings(store, referrals, config)
    if config.joined.enabled:
        out += _joined_findings(store, referrals, config, on)
    return out
