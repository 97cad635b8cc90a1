"""Second-look cases planted in the borough, so that every prompt rule has cases to find.

Natural cases of every rule arise by themselves (a decision of no further action while a
parent carries a risk; a domestic-abuse incident no referral followed); these make sure
the hard ones are there, about one of each per thousand people (at least three):

- **marker on a misspelt duplicate**: a referred child whose father (or step-father) is
  held twice by police or social care gets a referral closed with no further action (their
  own, else a new one) while a domestic-abuse marker, begun 2 to 23 months before the
  decision, sits on the father's *duplicate* record, the least garbled first (fewest wrong
  dates of birth and swapped names; then those with a name error; then fewest errors): the
  decision could not see it. Half the number
  above (at least three), as there are few such fathers;
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
GARBLING = frozenset({"dob-day-month-swap", "dob-digit", "dob-year-only", "dob-missing",
                      "forename-surname-swap", "first-middle-swap"})
"""Errors that make a duplicate more than misspelt: the least garbled are planted first."""
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
        "marker-on-duplicate": _marker_on_duplicate(rng, pop, risks, agencies,
                                                    max(MIN_CASES, cases // 2)),
        "repeat-referrals": _repeat_referrals(rng, pop, agencies["social-care"], cases),
        "adult-joined": _adult_joined(rng, pop, agencies, cases),
    }


def _duplicate_of(agency: AgencyData, person: int) -> int | None:
    dup = int(agency._second[person]) if len(agency._second) else -1
    return dup if dup >= 0 else None


def _damage(agency: AgencyData) -> dict[int, tuple[int, bool, int]]:
    """How far each record is from a mere misspelling: how many errors of `GARBLING`, no
    name error at all, how many errors in all (records without any are left out)."""
    kinds: dict[int, list[str]] = {}
    for record, kind in zip(agency.log.record, agency.log.kind, strict=True):
        kinds.setdefault(record, []).append(kind)
    return {r: (sum(k in GARBLING for k in ks), not NAME_ERRORS.intersection(ks), len(ks))
            for r, ks in kinds.items()}


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


def _working_days(pop: Population) -> WorkingDays:
    year = int(str(pop.as_of)[:4])
    return WorkingDays(year - 3, year + 1)


def _add_nfa_referrals(rng: np.random.Generator, care: AgencyData,
                       planned: list[tuple[str, np.datetime64]], wd: WorkingDays) -> None:
    """Append a complete no-further-action referral for each (child's record, working
    day): received 08:00-18:00, decided the next working day, closed within five days."""
    refs = care.tables["referrals"]
    serial = len(refs["referral_id"])
    rows: list[dict[str, object]] = []
    for record, day in planned:
        decision = wd.add(np.array([day]), np.ones(1, int))[0]
        received_at = f"{int(rng.integers(8, 18)):02d}:{int(rng.integers(0, 60)):02d}"
        serial += 1
        rows.append({
            "referral_id": f"REF{serial:07d}", "record_id": record, "team": "MASH",
            "referral_date": f"{day}T{received_at}", "referral_source": "school",
            "primary_need": "N9", "triage_rating": "green", "decision_date": str(decision),
            "nfa": "true", "closure_date": str(decision + int(rng.integers(0, 6)) * DAY),
        })
    care.add_table("referrals", {name: np.array([r.get(name) for r in rows], dtype=object)
                                 for name in refs})


def _fathers(pop: Population) -> dict[int, list[int]]:
    """Each child's fathers and step-fathers."""
    out: dict[int, list[int]] = {}
    for p1, p2, kind in zip(pop.rel_p1.tolist(), pop.rel_p2.tolist(), pop.rel_type.tolist(),
                            strict=True):
        if kind in ("parent", "step-parent") and pop.sex[p1] == MALE:
            out.setdefault(p2, []).append(p1)
    return out


def _marker_on_duplicate(rng: np.random.Generator, pop: Population, risks: Risks,
                         agencies: dict[str, AgencyData], cases: int) -> int:
    """A referred child whose father is held twice by police or social care gets a
    no-further-action referral (the latest one they had, else a new one) while a
    domestic-abuse marker sits on the father's duplicate record."""
    care = agencies["social-care"]
    refs = care.tables["referrals"]
    decided = _days(refs["decision_date"])
    nfa = (refs["nfa"] == "true") & ~np.isnat(decided)
    children = _persons(care, refs["record_id"])
    fathers = _fathers(pop)
    has = {(int(a.person[i]), m) for a, i, m in marker_rows(list(agencies.values()))}
    adult = pop.age() >= 18
    wd = _working_days(pop)
    damage = {id(a): _damage(a) for a in (agencies["police"], care)}
    # (garbling, not misspelt, errors, random order, row, agency, duplicate record)
    candidates: list[tuple[int, bool, int, int, int, AgencyData, int]] = []
    for row in rng.permutation(len(children)).tolist():
        for father in fathers.get(int(children[row]), []):
            for a in (agencies["police"], care):
                d = _duplicate_of(a, father)
                if (d is not None and d in damage[id(a)] and adult[father]
                        and (father, MARKER) not in has):
                    candidates.append((*damage[id(a)][d], len(candidates), row, a, d))
    new_referrals: list[tuple[str, np.datetime64]] = []
    planted = 0
    for *_, row, agency, record in sorted(candidates, key=lambda c: c[:4]):
        father = int(agency.person[record])
        if planted == cases or (father, MARKER) in has:
            continue
        if nfa[row]:
            day = decided[row]
        else:
            day = wd.add(np.array([pop.as_of - int(rng.integers(30, 700)) * DAY]),
                         np.zeros(1, int))[0]
            new_referrals.append((refs["record_id"][row], day))
        start = day - int(rng.integers(60, 700)) * DAY
        _add_marker(agency, record, start)
        has.add((father, MARKER))
        risks.person = np.append(risks.person, father)
        risks.marker = np.append(risks.marker, np.array([MARKER], dtype=object))
        risks.start = np.append(risks.start, start)
        planted += 1
    _add_nfa_referrals(rng, care, new_referrals, wd)
    return planted


def _repeat_referrals(rng: np.random.Generator, pop: Population, care: AgencyData,
                      cases: int) -> int:
    """Two more referrals, each 20 to 170 days from one the child had (the same year)."""
    refs = care.tables["referrals"]
    received = _days(refs["referral_date"])
    wd = _working_days(pop)
    chosen = rng.permutation(np.flatnonzero(received >= pop.as_of - 720 * DAY))[:cases]
    planned: list[tuple[str, np.datetime64]] = []
    for row in chosen.tolist():
        for _ in range(2):
            gap = int(rng.integers(20, 170))
            day = wd.add(np.array([received[row] + gap * DAY]), np.zeros(1, int))[0]
            if day >= pop.as_of - 6 * DAY:
                day = wd.add(np.array([received[row] - gap * DAY]), np.zeros(1, int))[0]
            planned.append((refs["record_id"][row], day))
    _add_nfa_referrals(rng, care, planned, wd)
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
