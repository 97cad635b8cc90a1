"""The police extract: people at incidents, incidents with officers' summaries, markers.

Children present at an incident are where police recording goes wrong: some get an
`incident_people` row as `child-present`, some are recorded as an `associate` of an adult
with adult-like details, some are named only in the summary text, some not at all.
"""

from __future__ import annotations

import numpy as np

from kinlink.synth.arrays import blanked
from kinlink.synth.config import SynthConfig
from kinlink.synth.identifiers import pnc_ids
from kinlink.synth.population import DAY, YEAR_DAYS, Population
from kinlink.synth.records import (
    AgencyData,
    corrupt_and_store,
    date_text,
    make_records,
    person_values,
    record_relationships,
    recorded_dates,
)
from kinlink.synth.risk import KNOWN_BY, Risks, victims_of_domestic_abuse
from kinlink.synth.summaries import child_mention, incident_summary

RECORDED, ASSOCIATE, FREE_TEXT, NOT_RECORDED = "row", "associate", "free-text", "not-recorded"


def child_fates(rng: np.random.Generator, risks: Risks, config: SynthConfig) -> np.ndarray:
    """How police recorded each attendance row (only children present can go wrong)."""
    rates = config.agencies["police"]
    cuts = np.cumsum([rates.rate("wrong-place-associate"), rates.rate("wrong-place-free-text"),
                      rates.rate("child-not-recorded")])
    draw = rng.random(len(risks.attend_person))
    fate = np.select([draw < cuts[0], draw < cuts[1], draw < cuts[2]],
                     [ASSOCIATE, FREE_TEXT, NOT_RECORDED], RECORDED).astype(object)
    fate[risks.attend_role != "child-present"] = RECORDED
    return fate  # type: ignore[no-any-return]


def known_markers(rng: np.random.Generator, risks: Risks, agency: str) -> np.ndarray:
    """Which true markers `agency` knows of."""
    p = np.array([KNOWN_BY.get(m, {}).get(agency, 0.0) for m in risks.marker])
    return rng.random(len(p)) < p  # type: ignore[no-any-return]


def build_police(rng: np.random.Generator, pop: Population, risks: Risks, config: SynthConfig,
                 fate: np.ndarray, nhs: np.ndarray) -> AgencyData:
    """The police extract, from the incidents and the risks police know of."""
    police = AgencyData("police", config.agencies["police"])
    knows = known_markers(rng, risks, "police")
    victims = victims_of_domestic_abuse(risks)
    attended = risks.attend_person[fate == RECORDED]
    held = np.unique(np.concatenate([attended, risks.person[knows], victims]))
    make_records(police, pop, held, rng, id_format="PN{:07d}")
    values = person_values(police, pop, np.full(len(pop), None, dtype=object))
    suspects = np.unique(risks.attend_person[risks.attend_role == "suspect"])
    charged = np.isin(police.person, suspects) & (rng.random(len(police.person)) < 0.7)
    corrupt_and_store(police, pop, values, rng,
                      recorded_dates(pop, police.person, rng, pop.as_of - 3650 * DAY),
                      {"pnc_id": _pnc_ids(rng, pop, police.person, charged)})
    ids = incident_ids(risks)
    _associates(rng, pop, risks, police, fate, ids)
    _incidents(rng, pop, risks, police, fate, ids)
    _markers(rng, pop, risks, police, knows, victims)
    record_relationships(police, pop, rng)
    return police


def _pnc_ids(rng: np.random.Generator, pop: Population, person: np.ndarray,
             charged: np.ndarray) -> np.ndarray:
    """PNC ids for people police have charged (one per person: duplicates share it)."""
    first_arrest = (pop.dob[person] + (rng.uniform(17, 40, len(person)) * YEAR_DAYS)
                    .astype(int) * DAY).clip(max=pop.as_of)
    year = first_arrest.astype("datetime64[Y]").astype(int) + 1970
    # One serial per person police hold, so a duplicate record carries the same id.
    held, which = np.unique(person, return_inverse=True)
    serial = rng.choice(9_999_999, len(held), replace=False)[which] + 1
    ids = pnc_ids(year, serial)
    by_person = dict(zip(person[charged].tolist(), ids[charged].tolist(), strict=True))
    return np.array([by_person.get(p) for p in person.tolist()], dtype=object)


def _associates(rng: np.random.Generator, pop: Population, risks: Risks, police: AgencyData,
                fate: np.ndarray, incident_refs: np.ndarray) -> None:
    """Children recorded as an adult's associate: a new record with adult-like details."""
    rows = np.flatnonzero(fate == ASSOCIATE)
    if not len(rows):
        return
    child = risks.attend_person[rows]
    incident = risks.attend_incident[rows]
    # The adult they are linked to: the incident's suspect (or first recorded person).
    adult_of = {}
    for i, p, role in zip(risks.attend_incident.tolist(), risks.attend_person.tolist(),
                          risks.attend_role.tolist(), strict=True):
        if role != "child-present" and (i not in adult_of or role == "suspect"):
            adult_of[i] = p
    adult = np.array([adult_of.get(i, -1) for i in incident.tolist()])
    keep = (adult >= 0) & police.holds()[adult.clip(0)]
    child, adult, incident = child[keep], adult[keep], incident[keep]
    n = len(child)
    serial = rng.choice(np.arange(10_000_000, 20_000_000), n, replace=False)
    ids = np.array([f"PN{s:08d}" for s in serial], dtype=object)
    # Adult-like details: no date of birth, or one decades out (an adult's year typed in).
    no_dob = rng.random(n) < 0.6
    shifted = pop.dob[child] - (rng.uniform(18, 35, n) * YEAR_DAYS).astype(int) * DAY
    dob = blanked(no_dob, date_text(shifted))
    # Where police do not record sex (a noise profile), associates have none either.
    sex_missing = police.config.rate("sex-missing")
    no_sex = rng.random(n) < sex_missing if sex_missing > 0 else np.zeros(n, dtype=bool)
    first_record = len(police.person)
    people = police.people
    new = {
        "record_id": ids, "first_name": pop.first[child], "middle_names": np.full(n, None),
        "surname": pop.surname[child], "dob": dob,
        "sex": blanked(no_sex, np.where(pop.sex[child] == 0, "F", "M").astype(object)),
        "recorded_at": date_text(risks.incident_at[incident].astype("datetime64[D]")),
    }
    for column, values in people.items():
        people[column] = np.concatenate([values, new.get(column, np.full(n, None))])
    police.person = np.concatenate([police.person, child])
    police.record_id = np.concatenate([police.record_id, ids])
    police.duplicate = np.concatenate([police.duplicate, np.zeros(n, bool)])
    for k in range(n):
        police.log.add(first_record + k, "dob", "wrong-place-associate",
                       f"{incident_refs[incident[k]]}: child T{child[k] + 1:07d} recorded as "
                       "an associate")
        if no_sex[k]:
            police.log.add(first_record + k, "sex", "sex-missing", "")
    adult_rec = police.record_of(adult, rng)
    police.add_table("relationships", {
        "record_id": ids, "related_record_id": police.record_id[adult_rec],
        "type": np.full(n, "associate", dtype=object),
        "from_date": new["recorded_at"], "to_date": np.full(n, None, dtype=object),
    })


def incident_ids(risks: Risks) -> np.ndarray:
    """Police reference numbers of the incidents: year and serial."""
    year = risks.incident_at.astype("datetime64[Y]").astype(int) + 1970
    return np.array([f"INC-{y}-{i:07d}" for y, i in zip(year, np.arange(len(year)),
                                                        strict=True)], dtype=object)


def _incidents(rng: np.random.Generator, pop: Population, risks: Risks, police: AgencyData,
               fate: np.ndarray, ids: np.ndarray) -> None:
    """The incidents with their summaries, who police recorded at each, and the children
    they left out (named only in the summary, or not at all)."""
    recorded = fate == RECORDED
    rec = police.record_of(risks.attend_person[recorded], rng)
    police.add_table("incident_people", {
        "incident_id": ids[risks.attend_incident[recorded]],
        "record_id": police.record_id[rec],
        "role": risks.attend_role[recorded],
    })
    mentions: dict[int, list[str]] = {}
    for row in np.flatnonzero(fate == FREE_TEXT).tolist():
        i, child = int(risks.attend_incident[row]), int(risks.attend_person[row])
        age = int((risks.incident_at[i].astype("datetime64[D]") - pop.dob[child]) / DAY
                  / YEAR_DAYS)
        mentions.setdefault(i, []).append(child_mention(rng, pop.first[child],
                                                        pop.surname[child], age,
                                                        pop.sex[child]))
        police.extra_log.append(("", "incident_people", "wrong-place-free-text",
                                 f"{ids[i]}: child T{child + 1:07d} named only in summary"))
    for row in np.flatnonzero(fate == NOT_RECORDED).tolist():
        i, child = int(risks.attend_incident[row]), int(risks.attend_person[row])
        police.extra_log.append(("", "incident_people", "child-not-recorded",
                                 f"{ids[i]}: child T{child + 1:07d} not recorded"))
    suspect = {int(i): int(p) for i, p, r in zip(risks.attend_incident, risks.attend_person,
                                                 risks.attend_role, strict=True)
               if r == "suspect"}
    victim = {int(i): int(p) for i, p, r in zip(risks.attend_incident, risks.attend_person,
                                                risks.attend_role, strict=True)
              if r == "victim"}
    summary = np.array([
        incident_summary(rng, kind, _name(pop, suspect.get(i)), _name(pop, victim.get(i)),
                         mentions.get(i, []))
        for i, kind in enumerate(risks.incident_type.tolist())], dtype=object)
    at = np.datetime_as_string(risks.incident_at, unit="m").astype(object)
    police.add_table("incidents", {
        "incident_id": ids, "occurred_at": at, "type": risks.incident_type,
        "address": pop.addresses.line[risks.incident_address],
        "postcode": pop.addresses.postcode[risks.incident_address], "summary": summary,
    })


def _name(pop: Population, person: int | None) -> str | None:
    if person is None:
        return None
    return f"{pop.first[person]} {pop.surname[person].upper()}"


def _markers(rng: np.random.Generator, pop: Population, risks: Risks, police: AgencyData,
             knows: np.ndarray, victims: np.ndarray) -> None:
    person = np.concatenate([risks.person[knows], victims])
    marker = np.concatenate([risks.marker[knows],
                             np.full(len(victims), "domestic-abuse-victim", dtype=object)])
    start = np.concatenate([risks.start[knows],
                            (pop.as_of - rng.integers(30, 1000, len(victims)) * DAY)])
    rec = police.record_of(person, rng)
    review = start + 365 * DAY
    police.add_table("risk_markers", {
        "record_id": police.record_id[rec], "marker": marker, "start_date": date_text(start),
        "end_date": np.full(len(rec), None, dtype=object), "review_date": date_text(review),
        "related_record_id": np.full(len(rec), None, dtype=object),
        "notes": np.full(len(rec), None, dtype=object),
    })
