"""The universal services: health (nearly everyone, with NHS numbers) and education
(school-age children with UPNs, and the adults the school holds as their contacts)."""

from __future__ import annotations

import numpy as np

from kinlink.synth.arrays import is_in
from kinlink.synth.config import SynthConfig
from kinlink.synth.identifiers import upns
from kinlink.synth.police import known_markers
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
from kinlink.synth.risk import Risks

DUPLICATE_WITHOUT_NHS = 0.8
"""Share of health duplicates registered without the NHS number (besides any error)."""
SCHOOL_LA = 990  # an invented local-authority number for the borough's UPNs
SCHOOLS_PER_DISTRICT = 6


def build_health(rng: np.random.Generator, pop: Population, risks: Risks, config: SynthConfig,
                 nhs: np.ndarray) -> AgencyData:
    """GP-registered residents, with NHS numbers, the markers health knows and parent links."""
    health = AgencyData("health", config.agencies["health"])
    held = np.flatnonzero(rng.random(len(pop)) < config.health_coverage)
    make_records(health, pop, held, rng, id_format="GP{:08d}")
    values = person_values(health, pop, nhs)
    # A duplicate registration usually went unnoticed because it was made without the NHS
    # number (a temporary resident); that is logged as the number missing.
    dup = np.flatnonzero(health.duplicate
                         & (rng.random(len(health.person)) < DUPLICATE_WITHOUT_NHS))
    corrupt_and_store(health, pop, values, rng,
                      recorded_dates(pop, health.person, rng, pop.as_of - 30 * 365 * DAY))
    numbers = health.people["nhs_number"]
    for i in dup[numbers[dup] != None]:  # noqa: E711
        health.log.add(int(i), "nhs_number", "nhs-number-missing", f"{numbers[i]} -> ")
        numbers[i] = None
    add_markers(rng, pop, risks, health)
    record_relationships(health, pop, rng, only=pop.age()[pop.rel_p2] < 18)
    return health


def add_markers(rng: np.random.Generator, pop: Population, risks: Risks,
                agency: AgencyData, knows: np.ndarray | None = None) -> None:
    """Record the true markers the agency knows of, on one of each person's records."""
    if knows is None:
        knows = known_markers(rng, risks, agency.name)
    knows = knows & agency.holds()[risks.person]
    rec = agency.record_of(risks.person[knows], rng)
    start = risks.start[knows]
    agency.add_table("risk_markers", {
        "record_id": agency.record_id[rec], "marker": risks.marker[knows],
        "start_date": date_text(start), "end_date": np.full(len(rec), None, dtype=object),
        "review_date": date_text(start + 365 * DAY),
        "related_record_id": np.full(len(rec), None, dtype=object),
        "notes": np.full(len(rec), None, dtype=object),
    })


def build_education(rng: np.random.Generator, pop: Population,
                    config: SynthConfig) -> AgencyData:
    """Pupils aged 4 to 17 with UPNs, and their parents and carers as contacts."""
    education = AgencyData("education", config.agencies["education"])
    age = pop.age()
    pupil = (age >= 4) & (age <= 17) & (rng.random(len(pop)) < config.education_coverage)
    carer_type = is_in(pop.rel_type, ("parent", "step-parent", "carer"))
    links = carer_type & pupil[pop.rel_p2]
    same_home = pop.household[pop.rel_p1] == pop.household[pop.rel_p2]
    # A parent living elsewhere is a school contact one time in three.
    links &= same_home | (rng.random(len(links)) < 0.33)
    contact = np.zeros(len(pop), dtype=bool)
    contact[pop.rel_p1[links]] = True
    contact &= ~pupil
    held = np.flatnonzero(pupil | contact)
    make_records(education, pop, held, rng, id_format="ED{:07d}")
    values = person_values(education, pop, np.full(len(pop), None, dtype=object))
    # Schools do not hold a contact's date of birth (not an error: it is never asked).
    values.dob[contact[education.person]] = None
    is_pupil = pupil[education.person]
    corrupt_and_store(education, pop, values, rng,
                      recorded_dates(pop, education.person, rng, pop.as_of - 14 * 365 * DAY),
                      {"upn": _pupil_numbers(rng, pop, education.person, is_pupil)})
    record_relationships(education, pop, rng, only=links)
    return education


def _pupil_numbers(rng: np.random.Generator, pop: Population, person: np.ndarray,
                   is_pupil: np.ndarray) -> np.ndarray:
    """One UPN per pupil (a duplicate record carries the same number), none for contacts."""
    pupils = np.unique(person[is_pupil])
    district = pop.addresses.district[pop.current_address()[pupils]]
    # Enough schools that no school has a thousand pupils in one entry year.
    per_district = max(SCHOOLS_PER_DISTRICT, -(-len(pupils) // (8 * 14 * 400)))
    school = 1000 + district * per_district + rng.integers(0, per_district, len(pupils))
    entry = ((pop.dob[pupils] + int(4.5 * YEAR_DAYS) * DAY).astype("datetime64[Y]")
             .astype(int) + 1970)
    order = np.lexsort((rng.random(len(pupils)), entry, school))
    group = school[order] * 10_000 + entry[order]
    first = np.searchsorted(group, group)
    serial = np.empty(len(pupils), dtype=np.int64)
    serial[order] = np.arange(len(pupils)) - first
    numbers = upns(SCHOOL_LA, school, entry, serial % 1000)
    by_person = dict(zip(pupils.tolist(), numbers.tolist(), strict=True))
    return np.array([by_person.get(p) if k else None
                     for p, k in zip(person.tolist(), is_pupil.tolist(), strict=True)],
                    dtype=object)
