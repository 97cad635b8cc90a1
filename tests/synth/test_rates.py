"""Every agency makes each kind of error at its configured rate, and errors.csv says exactly
what it did.

Measured on the noisy borough (conftest): high, distinct rates for every kind in every
agency. A count of errors among the n records where the error was possible is
Binomial(n, rate), on duplicates Binomial(n, min(5 x rate, 1)); a check accepts the count
unless a correct generator gives one that far out with probability below ALPHA
(conftest.py). The records where an error was possible are found by replaying errors.csv
on the true values, kind by kind in the order the generator makes them; the replay must
end at the extract's values.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jellyfish
import polars as pl
import pytest

from kinlink.ingest.format import AGENCIES
from kinlink.synth import SynthConfig
from kinlink.synth.config import FIELD_ERRORS, INCIDENT_ERRORS, REFERRAL_ERRORS, TYPOS
from kinlink.synth.identifiers import is_valid_nhs_number
from kinlink.synth.names import nicknames, phonetic_variants, transliteration_variants
from kinlink.synth.records import DUPLICATE_BOOST
from kinlink.synth.universal import DUPLICATE_WITHOUT_NHS

State = dict[str, Any]
STEPS: tuple[tuple[str, str | None], ...] = (
    ("surname-change", "surname"), ("double-barrel", "surname"),
    ("transliteration", "first_name"), ("transliteration", "surname"),
    ("phonetic-variant", "first_name"), ("nickname", "first_name"),
    ("first-middle-swap", None), *((kind, None) for kind in TYPOS),
    ("forename-surname-swap", None),
    ("dob-day-month-swap", "dob"), ("dob-digit", "dob"), ("dob-year-only", "dob"),
    ("dob-missing", "dob"),
    ("old-address", "address"), ("postcode-partial", "postcode"),
    ("postcode-missing", "postcode"),
    ("nhs-number-mistyped", "nhs_number"), ("nhs-number-missing", "nhs_number"),
)
"""The record errors in the order the generator makes them, with the field each changes
(None: the field the log names)."""
WRITTEN = ("first_name", "middle_names", "surname", "previous_surnames", "dob", "address",
           "postcode", "nhs_number")


def read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


Check = tuple[str, int, int, float]
"""What was counted, how many had it, out of how many, at what configured rate (as in
conftest.py, whose `misfits` and `binomial_range` fixtures check them)."""
BinomialRange = Callable[[int, float], tuple[int, int]]
Misfits = Callable[[Iterable[Check]], list[str]]


@dataclass
class Tally:
    """Per kind of error: records where it was possible, and records that got it."""

    possible: Counter[str] = field(default_factory=Counter)
    made: Counter[str] = field(default_factory=Counter)
    records: int = 0


def _full(dob: str | None) -> bool:
    return dob is not None and len(dob) == 10


def _swapped(dob: str) -> str:
    return f"{dob[:4]}-{dob[8:]}-{dob[5:7]}"


class Replay:
    """Replays an agency's logged record errors on the true values of its records."""

    def __init__(self, as_of: str) -> None:
        self.latest, self.earliest = as_of, f"{int(as_of[:4]) - 115}{as_of[4:]}"
        self.tally = {False: Tally(), True: Tally()}  # by whether the record is a duplicate
        self.problems: list[str] = []

    def plausible(self, dob: str) -> bool:
        return self.earliest <= dob <= self.latest

    def possible(self, kind: str, column: str | None, s: State) -> bool:
        """Whether the record could get this error (docs/synthetic-data.md, "eligible")."""
        dob = s["dob"]
        if kind in TYPOS:
            return len(s["first_name"]) > 2 or len(s["surname"]) > 2
        match kind:
            case "surname-change":
                return s["former_surname"] is not None
            case "double-barrel":
                return "-" in s["surname"]
            case "transliteration":
                return bool(transliteration_variants(s[str(column)]))
            case "phonetic-variant":
                return bool(phonetic_variants(s["first_name"]))
            case "nickname":
                return bool(nicknames(s["first_name"]))
            case "first-middle-swap":
                return s["middle_names"] is not None
            case "forename-surname-swap":
                return True
            case "dob-day-month-swap":
                return (_full(dob) and int(dob[8:]) <= 12 and dob[8:] != dob[5:7]
                        and self.plausible(_swapped(dob)))
            case "dob-digit" | "dob-year-only":
                return _full(dob)
            case "old-address":
                return s["former_address"] is not None
        return s[str(column)] is not None  # dob-missing, postcodes, NHS numbers

    def fits(self, kind: str, old: str, new: str | None, s: State) -> bool:
        """Whether a change from `old` to `new` is an error of this kind."""
        if kind.endswith("-missing"):
            return new is None
        if new is None:
            return False
        if kind in TYPOS:
            return jellyfish.damerau_levenshtein_distance(old.lower(), new.lower()) == 1
        match kind:
            case "surname-change":
                return new == s["former_surname"]
            case "double-barrel":
                left, _, right = old.partition("-")
                return new in (left + right.lower(), f"{left} {right}", left, right)
            case "transliteration":
                return new in transliteration_variants(old)
            case "phonetic-variant":
                return new in phonetic_variants(old)
            case "nickname":
                return new in nicknames(old)
            case "dob-day-month-swap":
                return new == _swapped(old)
            case "dob-digit":
                return (len(new) == 10 and self.plausible(new)
                        and sum(a != b for a, b in zip(old, new, strict=True)) == 1)
            case "dob-year-only":
                return new == old[:4]
            case "old-address":
                return new == s["former_address"]
            case "postcode-partial":
                return new == old.split(" ")[0]
            case "nhs-number-mistyped":
                return is_valid_nhs_number(new) and old[0] == new[0]
        return False

    def apply(self, kind: str, error: dict[str, str], s: State) -> None:
        """Make one logged error on the record's state, checking the log against it."""
        if kind == "forename-surname-swap":
            s["first_name"], s["surname"] = s["surname"], s["first_name"]
            return
        if kind == "first-middle-swap":
            middle = s["middle_names"].split(" ")
            s["first_name"], middle[0] = middle[0], s["first_name"]
            s["middle_names"] = " ".join(middle)
            if error["detail"] != f"-> {s['first_name']}":
                self.problems.append(f"{error}: the swap gives {s['first_name']}")
            return
        column = error["field"]
        old, _, new = error["detail"].partition(" -> ")
        if old != s[column] or not self.fits(kind, old, new or None, s):
            self.problems.append(f"{error}: the record held {s[column]!r}")
        s[column] = new or None
        if kind == "old-address":
            s["postcode"] = s["former_postcode"]
        if kind == "surname-change":
            s["previous_surnames"] = None

    def record(self, s: State, errors: list[dict[str, str]], duplicate: bool,
               written: dict[str, str | None]) -> None:
        """Replay one record's errors, step by step, and compare the result with the extract."""
        tally = self.tally[duplicate]
        tally.records += 1
        for kind, column in STEPS:
            made = [e for e in errors if e["error_kind"] == kind
                    and (column is None or e["field"] == column)]
            if self.possible(kind, column, s):
                tally.possible[kind] += 1
                tally.made[kind] += bool(made)
            elif made:
                self.problems.append(f"{made[0]}: not possible on {s}")
            for error in made:
                self.apply(kind, error, s)
        wrong = {c: (s[c], written.get(c)) for c in WRITTEN if s[c] != written.get(c)}
        if wrong:
            self.problems.append(f"{written['record_id']}: replayed != written: {wrong}")


@dataclass
class Borough:
    """The noisy borough's truth and extracts, read once."""

    out: Path
    config: SynthConfig
    errors: pl.DataFrame
    records: pl.DataFrame
    persons: dict[str, dict[str, Any]]
    homes: dict[str, dict[str, Any]]  # current address by person
    former_homes: dict[str, dict[str, Any]]  # earlier address by person

    def agency_errors(self, agency: str, kind: str | None = None) -> pl.DataFrame:
        mine = self.errors.filter(pl.col("agency") == agency)
        return mine if kind is None else mine.filter(pl.col("error_kind") == kind)

    def record_ids(self, agency: str, kind: str) -> set[str]:
        return set(self.agency_errors(agency, kind)["record_id"])


@pytest.fixture(scope="module")
def noisy(noisy_borough: Path) -> Borough:
    truth = noisy_borough / "truth"
    settings = json.loads((truth / "config.json").read_text())
    homes = read(truth / "households.csv")

    def by_person(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
        return {r["person_id"]: r for r in frame.iter_rows(named=True)}

    return Borough(
        out=noisy_borough,
        config=SynthConfig.model_validate({k: v for k, v in settings.items()
                                           if k not in ("seed", "people")}),
        errors=read(truth / "errors.csv"), records=read(truth / "records.csv"),
        persons=by_person(read(truth / "persons.csv")),
        homes=by_person(homes.filter(pl.col("to_date").is_null())),
        former_homes=by_person(homes.filter(pl.col("to_date").is_not_null())))


def _true_state(b: Borough, agency: str, person: str, row: dict[str, Any],
                logged: list[dict[str, str]]) -> State:
    """What the agency would have written for the record without errors."""
    truth, home = b.persons[person], b.homes[person]
    former = b.former_homes.get(person, {})
    # Schools never ask a contact's date of birth; social care has the NHS number of the
    # referred children it asked health about. Neither is an error.
    contact = agency == "education" and row["upn"] is None
    asked_nhs = agency == "health" or row.get("nhs_number") is not None or any(
        e["field"] == "nhs_number" for e in logged)
    return {
        "first_name": truth["first_name"], "middle_names": truth["middle_names"],
        "surname": truth["surname"], "previous_surnames": truth["previous_surnames"],
        "former_surname": truth["previous_surnames"],
        "dob": None if contact else truth["dob"],
        "address": home["address"], "postcode": home["postcode"],
        "former_address": former.get("address"), "former_postcode": former.get("postcode"),
        "nhs_number": truth["nhs_number"] if asked_nhs else None,
    }


def _replay(b: Borough, agency: str) -> Replay:
    replay = Replay(str(b.config.as_of))
    person_of = dict(b.records.filter(pl.col("agency") == agency).select(
        "record_id", "person_id").iter_rows())
    logged: dict[str, list[dict[str, str]]] = defaultdict(list)
    for e in b.agency_errors(agency).iter_rows(named=True):
        logged[e["record_id"]].append(e)
    duplicates = b.record_ids(agency, "duplicate-record")
    # A child police recorded as an associate never had true details written.
    associates = b.record_ids(agency, "wrong-place-associate")
    for row in read(b.out / agency / "people.csv").iter_rows(named=True):
        rid = row["record_id"]
        if rid not in associates:
            state = _true_state(b, agency, person_of[rid], row, logged[rid])
            replay.record(state, logged[rid], rid in duplicates, row)
    return replay


@pytest.fixture(scope="module")
def replays(noisy: Borough) -> dict[str, Replay]:
    return {agency: _replay(noisy, agency) for agency in AGENCIES}


def test_binomial_range_agrees_with_the_normal_approximation(
        binomial_range: BinomialRange) -> None:
    """At n = 10,000 and p = 0.3 the range is the mean +- 4.42 standard deviations."""
    low, high = binomial_range(10_000, 0.3)
    half_width = 4.417 * (10_000 * 0.3 * 0.7) ** 0.5
    assert low == pytest.approx(3000 - half_width, abs=3)
    assert high == pytest.approx(3000 + half_width, abs=3)
    assert binomial_range(50, 0.0) == (0, 0) and binomial_range(50, 1.0) == (50, 50)


@pytest.mark.parametrize("agency", AGENCIES)
def test_extract_is_the_truth_with_exactly_the_logged_errors(
        replays: dict[str, Replay], agency: str) -> None:
    """Each logged error is of its kind, made where it was possible, on the value the record
    held; together they turn the true values into the extract's."""
    problems = replays[agency].problems
    assert not problems, f"{len(problems)} problems, e.g. {problems[:5]}"


def _record_checks(noisy: Borough, replay: Replay, agency: str) -> Iterator[Check]:
    config = noisy.config.agencies[agency]
    originals = replay.tally[False]
    yield ("duplicate-record", replay.tally[True].records, originals.records,
           config.rate("duplicate-record"))
    for duplicate, tally in replay.tally.items():
        for kind in FIELD_ERRORS:
            rate = config.rate(kind)
            if duplicate:
                rate = min(rate * DUPLICATE_BOOST, 1.0)
                if agency == "health" and kind == "nhs-number-missing":
                    rate += (1 - rate) * DUPLICATE_WITHOUT_NHS
            yield (f"{kind}{' (duplicates)' * duplicate}", tally.made[kind],
                   tally.possible[kind], rate)


@pytest.mark.parametrize("agency", AGENCIES)
def test_record_errors_come_at_their_configured_rates(
        noisy: Borough, replays: dict[str, Replay], agency: str, misfits: Misfits) -> None:
    """Every kind of record error, and duplicates (counted per original record)."""
    problems = misfits(_record_checks(noisy, replays[agency], agency))
    assert not problems, problems


@pytest.mark.parametrize("agency", AGENCIES)
def test_rate_checks_would_catch_an_error_never_made(
        noisy: Borough, replays: dict[str, Replay], agency: str,
        binomial_range: BinomialRange) -> None:
    """Every kind was possible on enough original records that making it never would fail
    its check (NHS numbers aside where the agency holds none)."""
    possible = replays[agency].tally[False].possible
    weak = {kind: possible[kind] for kind in FIELD_ERRORS
            if binomial_range(possible[kind], noisy.config.agencies[agency].rate(kind))[0] == 0
            and not (kind.startswith("nhs") and agency in ("police", "education"))}
    assert not weak, weak


FATES = {"wrong-place-associate": "associate", "wrong-place-free-text": "free-text",
         "child-not-recorded": "not-recorded"}
"""Each way of recording a child at an incident wrongly, and its `recorded_as` in the truth."""


def _incident_child(detail: str) -> tuple[str, str]:
    """The (incident, person) a police log names: 'INC-2025-0000012: child T0000042 ...'."""
    incident, _, rest = detail.partition(": child ")
    return incident, rest.split(" ")[0]


def test_children_at_incidents_go_astray_at_their_configured_rates(
        noisy: Borough, misfits: Misfits) -> None:
    """Measured on the truth's children present, and checked against the log and the extract."""
    present = read(noisy.out / "truth" / "incidents.csv").filter(
        pl.col("role") == "child-present")
    config = noisy.config.agencies["police"]
    fates = Counter(present["recorded_as"])
    problems = misfits((kind, fates[fate], present.height, config.rate(kind))
                       for kind, fate in FATES.items())
    assert not problems, problems
    truth = {fate: set(present.filter(pl.col("recorded_as") == fate).select(
        "incident_id", "person_id").iter_rows()) for fate in (*FATES.values(), "row")}
    for kind, fate in FATES.items():
        logged = noisy.agency_errors("police", kind)["detail"]
        assert {_incident_child(d) for d in logged} == truth[fate] and len(logged) == len(
            truth[fate]), kind
    person_of = dict(noisy.records.filter(pl.col("agency") == "police").select(
        "record_id", "person_id").iter_rows())
    rows = read(noisy.out / "police" / "incident_people.csv")
    recorded = {(i, person_of[r]) for i, r in rows.select("incident_id", "record_id").iter_rows()}
    children = set().union(*truth.values())
    assert recorded & children == truth["row"]


def _relationship_counts(noisy: Borough, agency: str) -> tuple[Counter[str], Counter[str]]:
    """True relationships the agency recorded, and those it did not, by type."""
    written = read(noisy.out / agency / "relationships.csv")["type"]
    missed = noisy.agency_errors(agency, "relationship-not-recorded")["detail"]
    return (Counter(t for t in written if t != "associate"),
            Counter(d.split(" of ")[0] for d in missed))


def _true_relationships(noisy: Borough, agency: str) -> Counter[str]:
    """True relationships between two persons the agency holds (health: of children only)."""
    associates = list(noisy.record_ids(agency, "wrong-place-associate"))
    holds = set(noisy.records.filter((pl.col("agency") == agency)
                                     & ~pl.col("record_id").is_in(associates))["person_id"])
    adult_born = f"{noisy.config.as_of.year - 18}{str(noisy.config.as_of)[4:]}"
    rel = read(noisy.out / "truth" / "relationships.csv")
    return Counter(t for p1, p2, t in rel.select("person_id_1", "person_id_2", "type").iter_rows()
                   if p1 in holds and p2 in holds
                   and (agency != "health" or noisy.persons[p2]["dob"] > adult_born))


@pytest.mark.parametrize("agency", AGENCIES)
def test_relationships_are_recorded_at_their_configured_rates(
        noisy: Borough, agency: str, misfits: Misfits) -> None:
    """Each type at its rate among the true relationships the agency could record; for every
    agency but education (which holds some parents' links only) those are all between two
    persons it holds."""
    rates = noisy.config.agencies[agency].relationships
    recorded, missed = _relationship_counts(noisy, agency)
    problems = misfits((t, recorded[t], recorded[t] + missed[t], rates.get(t, 0.0))
                       for t in recorded | missed | Counter(rates))
    assert not problems, problems
    if agency != "education":
        kept = Counter({t: n for t, n in _true_relationships(noisy, agency).items()
                        if rates.get(t, 0.0) > 0})
        assert recorded + missed == kept


def _referral_ids(noisy: Borough, kind: str) -> set[str]:
    """Referrals with a logged error of this kind (the detail reads 'REF0000252: ...')."""
    return {d.split(":")[0] for d in noisy.agency_errors("social-care", kind)["detail"]}


def test_referral_date_errors_come_at_their_configured_rates(
        noisy: Borough, misfits: Misfits) -> None:
    """Measured from the log, each checked against what the extract shows."""
    refs = read(noisy.out / "social-care" / "referrals.csv")
    rate = noisy.config.agencies["social-care"].rate
    missing, sunday, early, unauthorised, no_icpc_flag = (
        _referral_ids(noisy, k) for k in REFERRAL_ERRORS)
    decided = refs.filter(pl.col("decision_date").is_not_null())
    started = refs.filter(pl.col("assessment_start_date").is_not_null())
    authorised = refs.filter(pl.col("assessment_authorised_date").is_not_null())
    not_required = refs.filter(pl.col("icpc_not_required") == "true")
    problems = misfits([
        ("decision-date-missing", len(missing), decided.height + len(missing),
         rate("decision-date-missing")),
        ("decision-on-weekend", len(sunday), decided.height, rate("decision-on-weekend")),
        ("assessment-before-referral", len(early), started.height,
         rate("assessment-before-referral")),
        ("assessment-not-recorded", len(unauthorised), authorised.height + len(unauthorised),
         rate("assessment-not-recorded")),
        ("icpc-outcome-not-recorded", len(no_icpc_flag),
         not_required.height + len(no_icpc_flag), rate("icpc-outcome-not-recorded")),
    ])
    assert not problems, problems
    blank = refs.filter(pl.col("decision_date").is_null())["referral_id"]
    assert missing <= set(blank)
    on_sunday = decided.filter(pl.col("decision_date").str.to_date().dt.weekday() == 7)
    assert set(on_sunday["referral_id"]) == sunday
    before = started.filter(pl.col("assessment_start_date") < pl.col("referral_date").str.slice(
        0, 10))
    assert set(before["referral_id"]) == early
    never = refs.filter(pl.col("referral_id").is_in(list(unauthorised)))
    assert never["assessment_authorised_date"].is_null().all()
    assert never["closure_date"].is_null().all()  # so the case looks open for ever
    assert not set(not_required["referral_id"]) & no_icpc_flag


def test_only_their_agencies_make_incident_and_referral_errors(noisy: Borough) -> None:
    kinds = set(INCIDENT_ERRORS) | set(REFERRAL_ERRORS)
    made = set(noisy.errors.filter(pl.col("error_kind").is_in(list(kinds))).select(
        "agency", "error_kind").unique().iter_rows())
    assert made == {("police", k) for k in INCIDENT_ERRORS} | {
        ("social-care", k) for k in REFERRAL_ERRORS}
