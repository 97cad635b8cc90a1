"""The borough's extracts are in the format and the truth is consistent with them."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from kinlink.ingest.format import AGENCIES, RELATIONSHIP_TYPES, TABLES
from kinlink.ingest.loader import ingest_extract
from kinlink.store import Store
from kinlink.synth import ADULT_RISK_MARKERS, SynthSummary, generate
from kinlink.synth.config import ERROR_KINDS


def read(path: Path) -> pl.DataFrame:
    """A CSV of the output, every column as text."""
    return pl.read_csv(path, infer_schema=False)


TRUTH = ("records", "persons", "households", "relationships", "markers", "incidents",
         "risk_pairs", "hidden_risks", "errors")


def _hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_identical_files_and_another_seed_differs(tmp_path: Path) -> None:
    generate(tmp_path / "a", people=400, seed=3)
    generate(tmp_path / "b", people=400, seed=3)
    generate(tmp_path / "c", people=400, seed=4)
    a, b, c = (_hashes(tmp_path / x) for x in "abc")
    assert a == b
    assert a["health/people.csv"] != c["health/people.csv"]


def test_every_agency_and_truth_file_is_written(borough: tuple[Path, SynthSummary]) -> None:
    out, summary = borough
    for agency in AGENCIES:
        assert (out / agency / "people.csv").exists()
        for csv in (out / agency).glob("*.csv"):
            spec = TABLES[csv.stem]
            header = read(csv).columns
            assert set(spec.required_columns) <= set(header) <= set(spec.column_names)
    for name in TRUTH:
        assert (out / "truth" / f"{name}.csv").exists()
    assert (out / "truth" / "config.json").exists()
    assert summary.persons == 3000 == read(out / "truth" / "persons.csv").height
    assert set(summary.records) == set(AGENCIES)


@pytest.mark.parametrize("which", ["borough", "noisy_borough"])
def test_extracts_pass_ingest_validation(request: pytest.FixtureRequest, which: str,
                                        tmp_path: Path) -> None:
    """Errors are wrong values, never invalid ones: ingest quarantines nothing, even when
    every kind of error is frequent."""
    fixture = request.getfixturevalue(which)
    out: Path = fixture[0] if isinstance(fixture, tuple) else fixture
    store = Store(f"sqlite:///{tmp_path / 'k.db'}")
    store.upgrade()
    try:
        for agency in AGENCIES:
            report = ingest_extract(store, out / agency, agency, today=date(2026, 11, 1))
            assert report.problems == [], (agency, report.problems[:3])
    finally:
        store.dispose()


def test_records_in_truth_are_exactly_the_extracts_records(
        borough: tuple[Path, SynthSummary]) -> None:
    out, _ = borough
    records = read(out / "truth" / "records.csv")
    persons = set(read(out / "truth" / "persons.csv")["person_id"])
    assert set(records["person_id"]) <= persons
    for agency in AGENCIES:
        ids = set(read(out / agency / "people.csv")["record_id"])
        assert ids == set(records.filter(pl.col("agency") == agency)["record_id"])


def test_relationships_and_households_refer_to_real_persons(
        borough: tuple[Path, SynthSummary]) -> None:
    out, _ = borough
    persons = read(out / "truth" / "persons.csv")
    ids = set(persons["person_id"])
    rel = read(out / "truth" / "relationships.csv")
    assert set(rel["person_id_1"]) | set(rel["person_id_2"]) <= ids
    assert set(rel["type"]) <= set(RELATIONSHIP_TYPES)
    assert (rel["person_id_1"] != rel["person_id_2"]).all()
    homes = read(out / "truth" / "households.csv")
    current = homes.filter(pl.col("to_date").is_null())
    assert current["person_id"].n_unique() == current.height == len(ids)
    # A parent is older than their child.
    dob = dict(zip(persons["person_id"], persons["dob"], strict=True))
    parents = rel.filter(pl.col("type") == "parent")
    assert all(dob[p] < dob[c] for p, c in zip(parents["person_id_1"], parents["person_id_2"],
                                               strict=True))
    # The mix of households is there: every type appears.
    assert homes["household_type"].n_unique() == 7


def test_errors_name_known_kinds_and_real_records(borough: tuple[Path, SynthSummary]) -> None:
    out, summary = borough
    errors = read(out / "truth" / "errors.csv")
    assert set(errors["error_kind"]) <= set(ERROR_KINDS)
    records = read(out / "truth" / "records.csv")
    known = set(zip(records["agency"], records["record_id"], strict=True))
    with_record = errors.filter(pl.col("record_id").is_not_null())
    assert set(zip(with_record["agency"], with_record["record_id"], strict=True)) <= known
    assert summary.errors == dict(sorted(errors["error_kind"].value_counts().iter_rows()))


def test_wrong_place_children_are_findable(borough: tuple[Path, SynthSummary]) -> None:
    """A child named only in free text appears there by name; associates look adult."""
    out, _ = borough
    incidents = read(out / "truth" / "incidents.csv")
    persons = read(out / "truth" / "persons.csv")
    first = dict(zip(persons["person_id"], persons["first_name"], strict=True))
    summary = dict(zip(*read(out / "police" / "incidents.csv").select(
        "incident_id", "summary"), strict=True))
    free = incidents.filter(pl.col("recorded_as") == "free-text")
    assert free.height > 0
    for inc, person in zip(free["incident_id"], free["person_id"], strict=True):
        assert first[person].lower() in summary[inc].lower()
    errors = read(out / "truth" / "errors.csv")
    assoc = set(errors.filter(pl.col("error_kind") == "wrong-place-associate")["record_id"])
    people = read(out / "police" / "people.csv").filter(pl.col("record_id").is_in(assoc))
    rel = read(out / "police" / "relationships.csv").filter(pl.col("record_id").is_in(assoc))
    assert set(rel["type"]) == {"associate"} and people.height == len(assoc) > 0
    assert all(d is None or d < "2008-11-01" for d in people["dob"])


def _recompute_hidden(out: Path, as_of: str = "2026-11-01") -> set[tuple[str, str, str, str]]:
    """The hidden pairs, recomputed from the written files by the documented definition."""
    truth = out / "truth"
    person_of = {(a, r): p for a, r, p in read(truth / "records.csv").iter_rows()}
    marked: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    links: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    wrong: set[tuple[str, str]] = set()
    errors = read(truth / "errors.csv")
    associates = set(errors.filter(pl.col("error_kind") == "wrong-place-associate")
                     ["record_id"])
    for agency in AGENCIES:
        folder = out / agency
        if (folder / "risk_markers.csv").exists():
            for rid, marker in read(folder / "risk_markers.csv").select(
                    "record_id", "marker").iter_rows():
                if marker in ADULT_RISK_MARKERS:
                    marked[(person_of[(agency, rid)], marker)].add((agency, rid))
        pairs = []
        if (folder / "relationships.csv").exists():
            pairs += list(read(folder / "relationships.csv").select(
                "record_id", "related_record_id").iter_rows())
        if (folder / "incident_people.csv").exists():
            at = defaultdict(list)
            for inc, rid in read(folder / "incident_people.csv").select(
                    "incident_id", "record_id").iter_rows():
                at[inc].append(rid)
            pairs += [(x, y) for rids in at.values() for x in rids for y in rids if x < y]
        for x, y in pairs:
            for c, a in ((x, y), (y, x)):
                key = (person_of[(agency, c)], person_of[(agency, a)])
                if c in associates:
                    wrong.add(key)
                else:
                    links[key].add((agency, a))
    incidents = read(truth / "incidents.csv")
    present = defaultdict(list)
    for inc, p, _, how in incidents.iter_rows():
        present[inc].append((p, how))
    for people in present.values():
        for c, how in people:
            if how == "free-text":
                wrong |= {(c, a) for a, h in people if h == "row"}
    persons = read(truth / "persons.csv")
    adult_cut = f"{int(as_of[:4]) - 18}{as_of[4:]}"
    child = {p for p, d in persons.select("person_id", "dob").iter_rows() if d > adult_cut}
    risky = {p for p, _ in marked if p not in child}
    connected: set[tuple[str, str]] = set()
    home = dict(persons.select("person_id", "household_id").iter_rows())
    members = defaultdict(list)
    for p, h in home.items():
        members[h].append(p)
    connected |= {(c, a) for a in risky for c in members[home[a]] if c in child}
    rel = read(truth / "relationships.csv")
    parent_of = defaultdict(set)
    for p1, p2, kind, _, _ in rel.iter_rows():
        if kind in ("parent", "step-parent", "carer") and p2 in child:
            parent_of[p1].add(p2)
            if p1 in risky:
                connected.add((p2, p1))
    for p1, p2, kind, _, _ in rel.iter_rows():
        if kind == "partner":
            for parent, other in ((p1, p2), (p2, p1)):
                if other in risky:
                    connected |= {(c, other) for c in parent_of[parent] if c != other}
    for people in present.values():
        ids = [p for p, _ in people]
        connected |= {(c, a) for c in ids for a in ids if c in child and a in risky and a != c}
    hidden = set()
    for c, a in connected:
        linked = links.get((c, a), set())
        for (p, marker), recs in marked.items():
            if p == a and not linked & recs:
                reason = "split-identity" if linked else "missing-link"
                if (c, a) in wrong:
                    reason += ";wrong-place"
                hidden.add((c, a, marker, reason))
    return hidden


def test_hidden_risks_are_hidden_by_the_definition(borough: tuple[Path, SynthSummary]) -> None:
    out, summary = borough
    written = read(out / "truth" / "hidden_risks.csv")
    listed = set(written.select("child_person_id", "adult_person_id", "marker",
                                "hidden_because").iter_rows())
    assert listed == _recompute_hidden(out)
    assert summary.hidden_risks["total"] == len(listed) > 0
    reasons = {r for h in written["hidden_because"] for r in h.split(";")}
    assert reasons == {"missing-link", "split-identity", "wrong-place"}


def test_too_few_people_is_a_user_error(tmp_path: Path) -> None:
    from kinlink.errors import InputError

    with pytest.raises(InputError, match="at least"):
        generate(tmp_path, people=3, seed=1)


def _written_ties(out: Path) -> tuple[set[tuple[str, str]], dict[str, set[str]],
                                      dict[str, set[str]], dict[str, set[str]]]:
    """Connections the written extracts show, records joined by truth: any, care (child ->
    carers), partners and shared addresses (both ways)."""
    person_of = {(a, r): p for a, r, p in read(out / "truth" / "records.csv").iter_rows()}
    direct: set[tuple[str, str]] = set()
    care, partner, home = defaultdict(set), defaultdict(set), defaultdict(set)
    at = defaultdict(set)
    for agency in AGENCIES:
        folder = out / agency
        for rid, line in read(folder / "people.csv").select("record_id", "address").iter_rows():
            if line:
                at[line].add(person_of[(agency, rid)])
        if (folder / "relationships.csv").exists():
            for x, y, kind in read(folder / "relationships.csv").select(
                    "record_id", "related_record_id", "type").iter_rows():
                px, py = person_of[(agency, x)], person_of[(agency, y)]
                direct |= {(px, py), (py, px)}
                if kind in ("parent", "step-parent", "carer"):
                    care[py].add(px)
                if kind in ("partner", "ex-partner"):
                    partner[px].add(py)
                    partner[py].add(px)
        if (folder / "incident_people.csv").exists():
            present = defaultdict(set)
            for inc, rid in read(folder / "incident_people.csv").select(
                    "incident_id", "record_id").iter_rows():
                present[inc].add(person_of[(agency, rid)])
            direct |= {(x, y) for people in present.values() for x in people for y in people}
    incidents = defaultdict(list)
    for inc, p, _, how in read(out / "truth" / "incidents.csv").iter_rows():
        incidents[inc].append((p, how))
    for people in incidents.values():
        for c, how in people:
            if how == "free-text":
                direct |= {(c, a) for a, h in people if h == "row"}
    for people in at.values():
        if len(people) <= 40:
            for x in people:
                home[x] |= people - {x}
                direct |= {(x, y) for y in people if y != x}
    return direct, care, partner, home


def test_discoverable_says_whether_the_joined_up_records_connect_the_pair(
        borough: tuple[Path, SynthSummary]) -> None:
    out, summary = borough
    direct, care, partner, home = _written_ties(out)
    born = dict(read(out / "truth" / "persons.csv").select("person_id", "dob").iter_rows())
    adult = {p for p, d in born.items() if d <= "2008-11-01"}
    written = read(out / "truth" / "hidden_risks.csv")
    for c, a, flag in written.select("child_person_id", "adult_person_id",
                                     "discoverable").iter_rows():
        between = care[c] | (home[c] & adult)
        expected = (c, a) in direct or any(
            a in partner[m] | home[m] for m in between if m != a)
        assert flag == ("true" if expected else "false"), (c, a)
    flags = written["discoverable"].to_list()
    assert summary.hidden_risks["undiscoverable"] == flags.count("false")
    assert "true" in flags
    # Every visible pair is discoverable: an agency links the two.
    assert set(read(out / "truth" / "risk_pairs.csv").filter(
        pl.col("hidden_because").is_null())["discoverable"]) == {"true"}
