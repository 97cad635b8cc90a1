"""An agency's extract under construction: its person records and what hangs off them.

Each agency holds some of the borough's people. A person it holds has one record, or two
when the agency duplicated them; every fact the agency records about a person (a marker,
a relationship, a place at an incident) is attached to one of that person's records, so a
duplicate splits what the agency knows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from kinlink.synth.arrays import blanked
from kinlink.synth.config import AgencyConfig
from kinlink.synth.corruption import Corrupter, ErrorLog, RecordValues
from kinlink.synth.population import DAY, Population

# Share of facts about a duplicated person attached to the duplicate rather than the original.
DUPLICATE_SHARE = 0.4
# How much likelier each error is on a duplicate record than on an original.
DUPLICATE_BOOST = 5.0


def date_text(dates: np.ndarray) -> np.ndarray:
    """ISO dates as an object array of str, None where the date is NaT."""
    text = np.datetime_as_string(dates.astype("datetime64[D]"), unit="D").astype(object)
    text[np.isnat(dates)] = None
    return text  # type: ignore[no-any-return]


@dataclass
class AgencyData:
    """One agency's records and tables, as they will be written."""

    name: str
    config: AgencyConfig
    person: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    record_id: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=object))
    duplicate: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=bool))
    people: dict[str, np.ndarray] = field(default_factory=dict)
    tables: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    log: ErrorLog = field(default_factory=ErrorLog)
    # Records made outside the usual path (e.g. a child recorded as an adult associate).
    extra_log: list[tuple[str, str, str, str]] = field(default_factory=list)
    _first: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    _second: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))

    def holds(self) -> np.ndarray:
        """Whether the agency holds each person (indexed by person)."""
        return self._first >= 0

    def record_of(self, persons: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A record index for each person: the original, or sometimes their duplicate."""
        first = self._first[persons]
        second = self._second[persons]
        use_second = (second >= 0) & (rng.random(len(persons)) < DUPLICATE_SHARE)
        return np.where(use_second, second, first)

    def records_of(self, person: int) -> list[int]:
        """Every record index of one person."""
        return [int(r) for r in (self._first[person], self._second[person]) if r >= 0]

    def add_table(self, name: str, columns: dict[str, np.ndarray]) -> None:
        """Add rows to a table (concatenating with rows already there)."""
        if name in self.tables:
            old = self.tables[name]
            columns = {k: np.concatenate([old[k], v]) for k, v in columns.items()}
        self.tables[name] = columns


def make_records(agency: AgencyData, pop: Population, held: np.ndarray,
                 rng: np.random.Generator, *, id_format: str) -> None:
    """Create the agency's person records for the persons in `held` (plus duplicates)."""
    rate = agency.config.rate("duplicate-record")
    dup_of = held[rng.random(len(held)) < rate]
    person = np.concatenate([held, dup_of])
    duplicate = np.concatenate([np.zeros(len(held), bool), np.ones(len(dup_of), bool)])
    n_people = len(pop)
    agency._first = np.full(n_people, -1)
    agency._first[held] = np.arange(len(held))
    agency._second = np.full(n_people, -1)
    agency._second[dup_of] = len(held) + np.arange(len(dup_of))
    # Record ids are a shuffled serial, so neither order nor number says who is who.
    serial = rng.choice(np.arange(100_000, 100_000 + 10 * len(person)), len(person),
                        replace=False)
    agency.person, agency.duplicate = person, duplicate
    agency.record_id = np.array([id_format.format(s) for s in serial], dtype=object)


def person_values(agency: AgencyData, pop: Population, nhs: np.ndarray) -> RecordValues:
    """The true details of each record's person, to be written (after errors)."""
    p = agency.person
    current, former = pop.current_address(), pop.previous_address()
    lines, postcodes = pop.addresses.line, pop.addresses.postcode
    cur, old = current[p], former[p]
    has_old = old >= 0
    prev = pop.prev_surname[p]
    return RecordValues(
        first_name=pop.first[p].copy(),
        middle_names=pop.middle[p].copy(),
        surname=pop.surname[p].copy(),
        previous_surnames=prev.copy(),
        dob=date_text(pop.dob[p]),
        sex=np.where(pop.sex[p] == 0, "F", "M").astype(object),
        address=lines[cur].copy(),
        postcode=postcodes[cur].copy(),
        nhs_number=nhs[p].copy(),
        former_surname=prev,
        former_address=blanked(~has_old, lines[old.clip(0)]),
        former_postcode=blanked(~has_old, postcodes[old.clip(0)]),
    )


def corrupt_and_store(agency: AgencyData, pop: Population, values: RecordValues,
                      rng: np.random.Generator, recorded_at: np.ndarray,
                      extra: dict[str, np.ndarray] | None = None) -> None:
    """Apply the agency's errors to `values` and keep them as its people table.

    `extra` holds further columns (identifiers such as UPN or PNC id) by record.
    """
    boost = np.where(agency.duplicate, DUPLICATE_BOOST, 1.0)
    agency.log = Corrupter(rng, agency.config, values, boost, str(pop.as_of)).apply()
    for i in np.flatnonzero(agency.duplicate):
        agency.log.add(int(i), "", "duplicate-record", "")
    agency.people = {
        "record_id": agency.record_id,
        "first_name": values.first_name,
        "middle_names": values.middle_names,
        "surname": values.surname,
        "previous_surnames": values.previous_surnames,
        "dob": values.dob,
        "sex": values.sex,
        "address": values.address,
        "postcode": values.postcode,
        **(extra or {}),
        "recorded_at": date_text(recorded_at),
    }
    if (values.nhs_number != None).any():  # noqa: E711
        agency.people["nhs_number"] = values.nhs_number


def record_relationships(agency: AgencyData, pop: Population, rng: np.random.Generator,
                         only: np.ndarray | None = None) -> None:
    """Record the agency's share of true relationships between people it holds.

    `only` limits which true relationships the agency could know (a mask over them). A
    relationship of a type the agency keeps but did not record is logged as
    `relationship-not-recorded` against the first person's record.
    """
    holds = agency.holds()
    both = holds[pop.rel_p1] & holds[pop.rel_p2]
    if only is not None:
        both &= only
    rates = np.array([agency.config.relationships.get(t, 0.0) for t in pop.rel_type[both]])
    idx = np.flatnonzero(both)
    kept = rates > 0
    idx, rates = idx[kept], rates[kept]
    recorded = rng.random(len(idx)) < rates
    r1 = agency.record_of(pop.rel_p1[idx], rng)
    r2 = agency.record_of(pop.rel_p2[idx], rng)
    for i, a, b in zip(idx[~recorded], r1[~recorded], r2[~recorded], strict=True):
        agency.log.add(int(a), "relationships", "relationship-not-recorded",
                       f"{pop.rel_type[i]} of {agency.record_id[b]}")
    rec = recorded
    agency.add_table("relationships", {
        "record_id": agency.record_id[r1[rec]],
        "related_record_id": agency.record_id[r2[rec]],
        "type": pop.rel_type[idx[rec]],
        "from_date": date_text(pop.rel_from[idx[rec]]),
        "to_date": date_text(pop.rel_to[idx[rec]]),
    })


def recorded_dates(pop: Population, persons: np.ndarray, rng: np.random.Generator,
                   earliest: np.datetime64) -> np.ndarray:
    """When each record was created: after birth and `earliest`, before the reference date."""
    start = np.maximum(pop.dob[persons], earliest)
    span = np.maximum((pop.as_of - start) / DAY, 1)
    return start + (rng.random(len(persons)) * span).astype(int) * DAY  # type: ignore[no-any-return]


def marker_rows(agencies: list[AgencyData]) -> Iterator[tuple[AgencyData, int, str]]:
    """Every written risk marker as (agency, index of its person record, marker)."""
    for a in agencies:
        table = a.tables.get("risk_markers")
        if table is None:
            continue
        index = {rid: i for i, rid in enumerate(a.record_id.tolist())}
        for rid, marker in zip(table["record_id"].tolist(), table["marker"].tolist(),
                               strict=True):
            yield a, index[rid], marker
