"""`kl.persons`: finding a person, and everything known about them on one page.

The person page gathers what other capabilities also offer on their own (the network, the
alerts) as one consultation: one authorisation and one log entry naming the parts shown. A
part the actor's role may not see is left out with a note rather than failing the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from kinlink.auth import person_restricted
from kinlink.clock import LOCAL_ZONE
from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.network import NetworkView
from kinlink.core.permissions import HEALTH_AGENCIES, Action, Resource, allowed, has_basis
from kinlink.errors import KinlinkError
from kinlink.ingest.format import AGENCIES
from kinlink.linkage.identity import PersonIdentity, person_agencies, person_identity
from kinlink.linkage.search import PersonQuery, SearchPage, search_persons
from kinlink.network import Alert, list_alerts
from kinlink.timeliness.clocks import ClockState
from kinlink.timeliness.evaluate import evaluate_cases, moment
from kinlink.timeliness.rag import Rag, rag_status


@dataclass(frozen=True)
class ReferralClocks:
    """One referral about the person, with each clock and its red/amber/green."""

    agency: str
    referral_id: str
    team: str | None
    referral_date: datetime | None
    clocks: list[tuple[ClockState, Rag | None]]


@dataclass(frozen=True)
class PersonDetail:
    """Everything the person page shows, as this actor may see it."""

    person_id: str
    name: str
    dob: str | None
    as_of: date
    identity: PersonIdentity
    network: NetworkView | None
    network_note: str | None  # why there is no network, when there is none
    alerts: list[Alert] = field(default_factory=list)
    referrals: list[ReferralClocks] = field(default_factory=list)


class Persons(Capability):
    """Search across agencies and the person page."""

    def search(self, actor: Actor, query: PersonQuery, *, page: int = 1,
               page_size: int = 20) -> SearchPage:
        """Persons like the query (typo-tolerant names, date of birth, postcode, id)."""
        fields = sorted(k for k, v in query.cleaned().__dict__.items() if v)
        with self.gate(actor, Action.PERSONS_SEARCH, Resource("search"),
                       detail={"fields": fields, "page": page}):
            matcher, _, _ = self._core.resolution.matcher(refresh=False)
            return search_persons(self.store, query, rules=matcher.rules, page=page,
                                  page_size=page_size,
                                  agencies=[a for a in AGENCIES if has_basis(actor, a)])

    def detail(self, actor: Actor, person_id: str, *, as_of: date | None = None,
               reason: str | None = None) -> PersonDetail:
        """A person's records across agencies and why they are one person, their network
        and risks, the alerts naming them and their referrals' clocks.

        One consultation, logged once: the parts the actor's role may see (the network
        and alerts need the roles of `network.view` and `alerts.list`) are named in the
        log entry's detail."""
        on = as_of or self.clock.today()
        agencies = person_agencies(self.store, person_id)
        resource = Resource("person", person_id,
                            health=bool(agencies) and agencies <= HEALTH_AGENCIES,
                            restricted=person_restricted(self.store, person_id))
        parts = [name for name, action in (("network", Action.NETWORK_VIEW),
                                           ("alerts", Action.ALERTS_LIST))
                 if allowed(actor, action, resource)]
        with self.gate(actor, Action.PERSONS_VIEW, resource, reason=reason,
                       detail={"as_of": on.isoformat(), "parts": ["records", *parts]}):
            identity = _visible(actor, person_identity(self.store, person_id))
            referrals = self._referrals(identity, as_of)
            network, note = self._network(actor, person_id, on, "network" in parts)
            alerts = ([a for a in list_alerts(self.store, person_id=person_id)
                       if a.agency is None or has_basis(actor, a.agency)]
                      if "alerts" in parts else [])
        first = next((r.person for r in identity.records if r.person), {})
        name = (network.network.child.name if network else
                " ".join(p for p in (first.get("first_name"), first.get("surname")) if p))
        return PersonDetail(person_id=person_id, name=name or person_id, dob=first.get("dob"),
                            as_of=on, identity=identity, network=network, network_note=note,
                            alerts=alerts, referrals=referrals)

    def _network(self, actor: Actor, person_id: str, on: date,
                 may_see: bool) -> tuple[NetworkView | None, str | None]:
        if not may_see:
            return None, f"A {actor.role.value.replace('-', ' ')} does not see networks."
        try:
            return self._core.network.visible_to(actor, person_id, on), None
        except KinlinkError as e:  # not built yet, or not a person of the graph
            return None, f"No network to show: {e}."

    def _referrals(self, identity: PersonIdentity,
                   as_of: date | None) -> list[ReferralClocks]:
        if not any(r.rows.get("referrals") for r in identity.records):
            return []  # most people: no clock to evaluate, no calendar to load
        at = moment(as_of) if as_of else moment(
            self.clock.now().astimezone(LOCAL_ZONE).replace(microsecond=0))
        evaluated = evaluate_cases(self.store, as_of=at, config=self._core.timeliness.config(),
                                   records=[(r.agency, r.record_id) for r in identity.records])
        return [ReferralClocks(agency=e.case.agency, referral_id=e.case.referral_id,
                               team=e.case.team, referral_date=e.case.referral_date,
                               clocks=[(c, rag_status(c, at)) for c in e.clocks])
                for e in sorted(evaluated, key=lambda e: e.case.referral_date or datetime.min)]


def _visible(actor: Actor, identity: PersonIdentity) -> PersonIdentity:
    """The identity without the records of agencies the actor has no lawful basis for."""
    return replace(identity, records=[r for r in identity.records
                                      if has_basis(actor, r.agency)])
