"""Second-look cases planted in the borough, so that every prompt rule has cases to find.

Natural cases of every rule arise by themselves (a decision of no further action while a
parent carries a risk; a domestic-abuse incident no referral followed); these make sure
the hard ones are there, about one of each per thousand people (at least three):

- **marker on a misspelt duplicate**: a child's referral closed with no further action
  while the father carries a domestic-abuse marker, held on a *duplicate* record of him
  (police or social care; one carrying a name error where there is one), begun 2 to 23
  months before the decision: the decision could not see it;
- **repeat referrals**: a referred child referred twice more within the same twelve
  months, each a complete no-further-action path (received on a working day, decided the
  next working day, closed within five days);
- **adult joining after the assessment**: an adult whom social care holds with a
  domestic-abuse marker recorded as a household member of an assessed child, from 1 to
  17 weeks after the child's last assessment (kept as a true relationship too).

Incidents with no referral need no planting: most domestic abuse with a child present is
followed by no referral. `kinlink.synth.second_look` lists every case, planted or not.
"""

from __future__ import annotations

import numpy as np

from kinlink.synth.population import DAY, MALE, Population
from kinlink.synth.records import AgencyData, date_text, marker_rows
from kinlink.synth.referrals import WorkingDays
from kinlink.synth.risk import Risks

PER_PEOPLE = 1000
"""One planted case of each kind per this many people."""
MIN_CASES = 3
NAME_ERRORS = frozenset({
    "surname-change", "double-barrel", "transliteration", "phonetic-variant", "nickname",
    "first-middle-swap", "typo-insert", "typo-delete", "typo-substitute", "typo-transpose",
    "typo-adjacent-key", "forename-surname-swap",
})
MARKER = "domestic-abuse-perpetrator"


def _days(text: np.ndarray) -> np.ndarray:
    """ISO dates or date-times (None for blank) as datetime64[D]."""
    return np.array([str(t)[:10] if t else "NaT" for t in text], dtype="datetime64[D]")


def _persons(agency: AgencyData, record_ids: np.ndarray) -> np.ndarray:
    index = {rid: i for i, rid in enumerate(agency.record_id.tolist())}
    return np.array([agency.person[index[r]] for r in record_ids.tolist()], dtype=np.int64)


def plant_second_look(rng: np.random.Generator, pop: Population, risks: Risks,
                      agencies: dict[str, AgencyData]) -> dict[str, int]:
    """Plant the cases (module doc) in the agencies' tables; returns how many of each."""
    cases = max(MIN_CASES, len(pop) // PER_PEOPLE)
    return {
        "marker-on-duplicate": _marker_on_duplicate(rng, pop, risks, agencies, cases),
        "repeat-referrals": _repeat_referrals(rng, pop, agencies["social-care"], cases),
        "adult-joined": _adult_joined(rng, pop, agencies, cases),
    }


def _duplicate_of(agency: AgencyData, person: int) -> int | None:
    dup = int(agency._second[person]) if len(agency._second) else -1
    return dup if dup >= 0 else None


def _misspelt(agency: AgencyData) -> set[int]:
    return {r for r, kind in zip(agency.log.record, agency.log.kind, strict=True)
            if kind in NAME_ERRORS}


def _add_marker(agency: AgencyData, record: int, start: np.datetime64) -> None:
    agency.add_table("risk_markers", {
        "record_id": np.array([agency.record_id[record]], dtype=object),
        "marker": np.array([MARKER], dtype=object),
        "start_date": date_text(np.array([start])),
        "end_date": np.array([None], dtype=object),
        "review_date": date_text(np.array([start + 365 * DAY])),
        "related_record_id": np.array([None], dtype=object),
        "notes": np.array([None], dtype=object),
    })


def _marker_on_duplicate(rng: np.random.Generator, pop: Population, risks: Risks,
                         agencies: dict[str, AgencyData], cases: int) -> int:
    care = agencies["social-care"]
    refs = care.tables["referrals"]
    decided = _days(refs["decision_date"])
    nfa = (refs["nfa"] == "true") & ~np.isnat(decided)
    children = _persons(care, refs["record_id"])
    fathers: dict[int, list[int]] = {}
    for p1, p2, kind in zip(pop.rel_p1.tolist(), pop.rel_p2.tolist(), pop.rel_type.tolist(),
                            strict=True):
        if kind == "parent" and pop.sex[p1] == MALE:
            fathers.setdefault(p2, []).append(p1)
    has = {(int(a.person[i]), m) for a, i, m in marker_rows(list(agencies.values()))}
    adult = pop.age() >= 18
    planted = 0
    for row in rng.permutation(np.flatnonzero(nfa)).tolist():
        if planted == cases:
            break
        for father in fathers.get(int(children[row]), []):
            if not adult[father] or (father, MARKER) in has:
                continue
            options = [(a, d) for a in (agencies["police"], care)
                       if (d := _duplicate_of(a, father)) is not None]
            if not options:
                continue
            options.sort(key=lambda o: o[1] not in _misspelt(o[0]))
            agency, record = options[0]
            start = decided[row] - int(rng.integers(60, 700)) * DAY
            _add_marker(agency, record, start)
            has.add((father, MARKER))
            risks.person = np.append(risks.person, father)
            risks.marker = np.append(risks.marker, np.array([MARKER], dtype=object))
            risks.start = np.append(risks.start, start)
            planted += 1
            break
    return planted


def _repeat_referrals(rng: np.random.Generator, pop: Population, care: AgencyData,
                      cases: int) -> int:
    refs = care.tables["referrals"]
    received = _days(refs["referral_date"])
    first_year = pop.as_of - 720 * DAY
    wd = WorkingDays(int(str(pop.as_of)[:4]) - 3, int(str(pop.as_of)[:4]) + 1)
    chosen = rng.permutation(np.flatnonzero(received >= first_year))[:cases]
    rows: list[dict[str, object]] = []
    serial = len(refs["referral_id"])
    for row in chosen.tolist():
        for _ in range(2):
            gap = int(rng.integers(20, 170))
            day = wd.add(np.array([received[row] + gap * DAY]), np.zeros(1, int))[0]
            if day >= pop.as_of - 6 * DAY:
                day = wd.add(np.array([received[row] - gap * DAY]), np.zeros(1, int))[0]
            decision = wd.add(np.array([day]), np.ones(1, int))[0]
            received_at = f"{int(rng.integers(8, 18)):02d}:{int(rng.integers(0, 60)):02d}"
            serial += 1
            rows.append({
                "referral_id": f"REF{serial:07d}", "record_id": refs["record_id"][row],
                "team": "MASH",
                "referral_date": f"{day}T{received_at}",
                "referral_source": "school", "primary_need": "N9", "triage_rating": "green",
                "decision_date": str(decision), "nfa": "true",
                "closure_date": str(decision + int(rng.integers(0, 6)) * DAY),
            })
    columns = {name: np.array([r.get(name) for r in rows], dtype=object) for name in refs}
    care.add_table("referrals", columns)
    return len(chosen)


def _not_recorded_elsewhere(agencies: dict[str, AgencyData], recorder: AgencyData,
                            adult: int, child: int) -> None:
    """The new true relationship, like any other, is logged as not recorded by each other
    agency that holds both and keeps household members."""
    for agency in agencies.values():
        holds = agency.holds()
        if (agency is not recorder and holds[adult] and holds[child]
                and agency.config.relationships.get("household-member", 0.0) > 0):
            agency.log.add(int(agency._first[adult]), "relationships",
                           "relationship-not-recorded",
                           f"household-member of {agency.record_id[agency._first[child]]}")


def _adult_joined(rng: np.random.Generator, pop: Population,
                  agencies: dict[str, AgencyData], cases: int) -> int:
    care = agencies["social-care"]
    refs = care.tables["referrals"]
    assessed = _days(refs["assessment_authorised_date"])
    children = _persons(care, refs["record_id"])
    last: dict[int, tuple[np.datetime64, int]] = {}
    for row in np.flatnonzero(~np.isnat(assessed)).tolist():
        child = int(children[row])
        if child not in last or assessed[row] > last[child][0]:
            last[child] = (assessed[row], row)
    age = pop.age()
    abusers = sorted({i for _, i, m in marker_rows([care])
                      if m == MARKER and age[int(care.person[i])] >= 18})
    if not abusers:
        return 0
    planted, rows = 0, []
    for child in rng.permutation(sorted(last)).tolist():
        if planted == cases:
            break
        when, row = last[int(child)]
        day = when + int(rng.integers(7, 120)) * DAY
        record = abusers[int(rng.integers(len(abusers)))]
        adult = int(care.person[record])
        if day >= pop.as_of or pop.household[adult] == pop.household[int(child)]:
            continue
        rows.append((care.record_id[record], refs["record_id"][row], day))
        _not_recorded_elsewhere(agencies, care, adult, int(child))
        pop.rel_p1 = np.append(pop.rel_p1, adult)
        pop.rel_p2 = np.append(pop.rel_p2, int(child))
        pop.rel_type = np.append(pop.rel_type, np.array(["household-member"], dtype=object))
        pop.rel_from = np.append(pop.rel_from, day)
        pop.rel_to = np.append(pop.rel_to, np.datetime64("NaT", "D"))
        planted += 1
    care.add_table("relationships", {
        "record_id": np.array([r[0] for r in rows], dtype=object),
        "related_record_id": np.array([r[1] for r in rows], dtype=object),
        "type": np.full(len(rows), "household-member", dtype=object),
        "from_date": date_text(np.array([r[2] for r in rows], dtype="datetime64[D]")),
        "to_date": np.full(len(rows), None, dtype=object),
    })
    return planted
