"""The truth about risk: which adults carry which risks, and the incidents that happened.

Risks are drawn for a share of adults (young men likelier), then turned into incidents:
domestic abuse at the victim's home with the household's children present, other offences
with a victim or none, and everyday incidents (antisocial behaviour, concern for welfare,
missing children) with victims, witnesses and reporters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kinlink import vocabulary
from kinlink.synth.config import SynthConfig
from kinlink.synth.population import ADULT1, CHILD, DAY, MALE, YEAR_DAYS, Population

_PRIMARY = ("domestic-abuse-perpetrator", "drug-misuse", "violence", "alcohol-misuse",
            "sexual-offence", "weapons")
_PRIMARY_P = (0.32, 0.25, 0.18, 0.13, 0.05, 0.07)
_OFFENCE_TYPE = {"domestic-abuse-perpetrator": "domestic-abuse", "violence": "violence",
                 "sexual-offence": "sexual-offence", "weapons": "violence",
                 "drug-misuse": "drugs", "alcohol-misuse": "antisocial-behaviour"}
# Which agencies come to know of a marker, and how often.
KNOWN_BY: dict[str, dict[str, float]] = {
    "domestic-abuse-perpetrator": {"police": 0.9},
    "non-molestation-order-respondent": {"police": 0.95},
    "violence": {"police": 0.9},
    "sexual-offence": {"police": 0.95},
    "weapons": {"police": 0.95},
    "drug-misuse": {"police": 0.45, "health": 0.6},
    "alcohol-misuse": {"police": 0.15, "health": 0.7},
    "mental-health": {"health": 0.9},
    "domestic-abuse-victim": {"police": 0.8},
}
ADULT_RISK_MARKERS: tuple[str, ...] = tuple(
    m for m in KNOWN_BY if vocabulary.marker(m).risk_to_child)
"""Markers that make an adult a risk to a child they live with, parent or meet at an incident
(those the borough draws of `kinlink.vocabulary`'s risks to a child)."""


@dataclass
class Risks:
    """True markers (one row per person and marker) and incidents with who was there."""

    person: np.ndarray
    marker: np.ndarray  # object str
    start: np.ndarray  # datetime64[D]
    incident_at: np.ndarray  # datetime64[m], per incident
    incident_type: np.ndarray  # object str, per incident
    incident_address: np.ndarray  # address index, per incident
    attend_incident: np.ndarray  # truth: who was at each incident, in what role
    attend_person: np.ndarray
    attend_role: np.ndarray  # object str (format.INCIDENT_ROLES)


def _years_ago(rng: np.random.Generator, as_of: np.datetime64, low: float, high: float,
               n: int) -> np.ndarray:
    return as_of - (rng.uniform(low, high, n) * YEAR_DAYS).astype(int) * DAY  # type: ignore[no-any-return]


def draw_markers(rng: np.random.Generator, pop: Population,
                 config: SynthConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Adults' true risk markers: (person, marker, start date)."""
    age = pop.age()
    adult = np.flatnonzero(age >= 18)
    young = (age[adult] < 50)
    weight = np.where(pop.sex[adult] == MALE, np.where(young, 3.0, 1.0),
                      np.where(young, 1.0, 0.4))
    n = round(config.risk_adult_rate * len(adult))
    risky = rng.choice(adult, size=n, replace=False, p=weight / weight.sum())
    primary = np.array(_PRIMARY, dtype=object)[rng.choice(len(_PRIMARY), n, p=_PRIMARY_P)]
    persons = [risky]
    markers = [primary]
    # Some domestic abusers are subject to an order; some misuse drugs and alcohol both.
    da = risky[(primary == "domestic-abuse-perpetrator") & (rng.random(n) < 0.3)]
    persons.append(da)
    markers.append(np.full(len(da), "non-molestation-order-respondent", dtype=object))
    both = risky[(primary == "drug-misuse") & (rng.random(n) < 0.25)]
    persons.append(both)
    markers.append(np.full(len(both), "alcohol-misuse", dtype=object))
    # Mental health is recorded for many more people; it is not counted as a risk to a child.
    mh = adult[rng.random(len(adult)) < 0.03]
    persons.append(mh)
    markers.append(np.full(len(mh), "mental-health", dtype=object))
    person = np.concatenate(persons)
    start = _years_ago(rng, pop.as_of, 0.2, 8, len(person))
    start = np.maximum(start, pop.dob[person] + int(16 * YEAR_DAYS) * DAY)
    return person, np.concatenate(markers), start


class _IncidentBuilder:
    def __init__(self, rng: np.random.Generator, pop: Population) -> None:
        self.rng, self.pop = rng, pop
        self.at: list[np.ndarray] = []
        self.kind: list[np.ndarray] = []
        self.address: list[np.ndarray] = []
        self.rows: list[tuple[np.ndarray, np.ndarray, str]] = []
        self.count = 0

    def incidents(self, at: np.ndarray, kind: np.ndarray | str, address: np.ndarray) -> np.ndarray:
        ids = self.count + np.arange(len(at))
        self.count += len(at)
        self.at.append(at)
        self.kind.append(np.broadcast_to(np.asarray(kind, dtype=object), (len(at),)).copy())
        self.address.append(address)
        return ids

    def attend(self, incident: np.ndarray, person: np.ndarray, role: str) -> None:
        self.rows.append((incident, person, role))


def _partner_of(pop: Population) -> dict[int, int]:
    """Each person's current partner, else a former partner (both directions)."""
    out: dict[int, int] = {}
    for kind in ("ex-partner", "partner"):  # later kinds override earlier ones
        pick = pop.rel_type == kind
        for a, b in zip(pop.rel_p1[pick].tolist(), pop.rel_p2[pick].tolist(), strict=True):
            out[a], out[b] = b, a
    return out


def draw_incidents(rng: np.random.Generator, pop: Population, config: SynthConfig,
                   markers: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Risks:
    """Incidents over the last three years that follow from the risks, and everyday ones."""
    person, marker, start = markers
    b = _IncidentBuilder(rng, pop)
    address = pop.current_address()
    age = pop.age()
    children_of_household: dict[int, list[int]] = {}
    for c in np.flatnonzero((pop.role == CHILD) & (age < 18)).tolist():
        children_of_household.setdefault(int(pop.household[c]), []).append(c)
    partner = _partner_of(pop)

    def at(n: int) -> np.ndarray:
        day = _years_ago(rng, pop.as_of, 0.01, 3, n)
        minutes = rng.integers(0, 24 * 60, n).astype("timedelta64[m]")
        return day.astype("datetime64[m]") + minutes  # type: ignore[no-any-return]

    # Domestic abuse: one to four incidents per abuser, at the victim's home.
    da = person[marker == "domestic-abuse-perpetrator"]
    repeats = 1 + rng.poisson(0.8, len(da)).clip(0, 3)
    suspect = np.repeat(da, repeats)
    # dtype given: with no abuser drawn (a small borough) an empty list would become float.
    victim = np.array([partner.get(int(s), -1) for s in suspect.tolist()], dtype=np.int64)
    place = np.where(victim >= 0, address[victim.clip(0)], address[suspect])
    inc = b.incidents(at(len(suspect)), "domestic-abuse", place)
    b.attend(inc, suspect, "suspect")
    b.attend(inc[victim >= 0], victim[victim >= 0], "victim")
    home = pop.household[np.where(victim >= 0, victim, suspect)]
    kids_inc, kids = [], []
    for i, h in zip(inc.tolist(), home.tolist(), strict=True):
        for c in children_of_household.get(h, []):
            if rng.random() < 0.75:
                kids_inc.append(i)
                kids.append(c)
    b.attend(np.array(kids_inc, dtype=int), np.array(kids, dtype=int), "child-present")

    # Other offences: a suspect, often a victim from elsewhere in the borough.
    adults = np.flatnonzero(age >= 18)
    for name, kind in _OFFENCE_TYPE.items():
        if name == "domestic-abuse-perpetrator":
            continue
        who = person[marker == name]
        who = np.repeat(who, 1 + rng.poisson(0.4, len(who)).clip(0, 2))
        inc = b.incidents(at(len(who)), kind, address[who])
        b.attend(inc, who, "suspect")
        if kind in ("violence", "sexual-offence"):
            # A sexual offence's victim is a child one time in four.
            young = np.flatnonzero((age >= 10) & (age < 18))
            pool = np.where(rng.random(len(who)) < (0.25 if kind == "sexual-offence" else 0.08),
                            young[rng.integers(0, len(young), len(who))],
                            adults[rng.integers(0, len(adults), len(who))])
            b.attend(inc, pool, "victim")

    # Everyday incidents with victims, witnesses and reporters.
    n_everyday = int(config.police_adult_rate * len(adults) / 1.6)
    inc = b.incidents(at(n_everyday), np.array(
        ["antisocial-behaviour", "concern-for-welfare", "other", "violence"], dtype=object)[
        rng.choice(4, n_everyday, p=[0.4, 0.25, 0.25, 0.1])], address[adults[
            rng.integers(0, len(adults), n_everyday)]])
    for role, share in (("victim", 0.8), ("reporter", 0.5), ("witness", 0.3)):
        has = inc[rng.random(len(inc)) < share]
        b.attend(has, adults[rng.integers(0, len(adults), len(has))], role)
    # Missing children (mostly teenagers in care or at risk), reported by a parent.
    teens = np.flatnonzero((age >= 11) & (age < 18))
    missing = teens[rng.random(len(teens)) < 0.01]
    inc = b.incidents(at(len(missing)), "missing-person", address[missing])
    b.attend(inc, missing, "victim")
    parent = pop.household[missing]
    first_adult = np.flatnonzero(pop.role == ADULT1)
    head = first_adult[np.searchsorted(pop.household[first_adult], parent).clip(
        0, len(first_adult) - 1)]
    ok = pop.household[head] == parent
    b.attend(inc[ok], head[ok], "reporter")

    attend_incident, attend_person, roles = [], [], []
    for i, p, role in b.rows:
        attend_incident.append(i)
        attend_person.append(p)
        roles.append(np.full(len(i), role, dtype=object))
    att_i, att_p = np.concatenate(attend_incident), np.concatenate(attend_person)
    att_r = np.concatenate(roles)
    # One person, one role per incident (a victim drawn twice is recorded once).
    _, keep = np.unique(np.stack([att_i, att_p]), axis=1, return_index=True)
    keep.sort()
    return Risks(person=person, marker=marker, start=start,
                 incident_at=np.concatenate(b.at), incident_type=np.concatenate(b.kind),
                 incident_address=np.concatenate(b.address), attend_incident=att_i[keep],
                 attend_person=att_p[keep], attend_role=att_r[keep])


def victims_of_domestic_abuse(risks: Risks) -> np.ndarray:
    """Persons who were the victim at a domestic-abuse incident."""
    da = risks.incident_type[risks.attend_incident] == "domestic-abuse"
    return np.unique(risks.attend_person[da & (risks.attend_role == "victim")])
