"""truth/second_look.csv: every rule has cases, the planted ones are there, and the simple
rules agree with the extracts counted here by hand."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import polars as pl

from kinlink.review.second_look import RULES
from kinlink.synth import SynthSummary


def _read(out: Path, name: str) -> pl.DataFrame:
    return pl.read_csv(out / name, infer_schema=False)


def _truth(out: Path, rule: str) -> set[tuple[str, str, str]]:
    rows = _read(out, "truth/second_look.csv").filter(pl.col("rule") == rule).fill_null("")
    return set(rows.select("child_person_id", "referral_id", "incident_id").iter_rows())


def _person(out: Path) -> dict[tuple[str, str], str]:
    records = _read(out, "truth/records.csv")
    return {(a, r): p for a, r, p in records.select("agency", "record_id", "person_id")
            .iter_rows()}


def _received(out: Path) -> dict[str, list[tuple[date, str]]]:
    person = _person(out)
    refs = _read(out, "social-care/referrals.csv")
    by_child: dict[str, list[tuple[date, str]]] = defaultdict(list)
    for rid, record, received in refs.select("referral_id", "record_id", "referral_date"
                                             ).iter_rows():
        by_child[person[("social-care", record)]].append(
            (date.fromisoformat(received[:10]), rid))
    return {c: sorted(v) for c, v in by_child.items()}


def test_every_rule_has_cases_under_its_own_name(borough: tuple[Path, SynthSummary]) -> None:
    out, _ = borough
    rules = set(_read(out, "truth/second_look.csv")["rule"])
    assert rules == set(RULES)


def test_repeat_referrals_are_exactly_three_within_a_year(
        borough: tuple[Path, SynthSummary]) -> None:
    out, _ = borough
    expected = set()
    for child, refs in _received(out).items():
        for i, (day, rid) in enumerate(refs):
            if sum(1 for d, _ in refs[:i + 1] if (day - d).days <= 365) >= 3:
                expected.add((child, rid, ""))
    assert expected and _truth(out, "repeat-referrals") == expected


def test_incidents_without_referral_are_those_the_extracts_show(
        borough: tuple[Path, SynthSummary]) -> None:
    out, _ = borough
    person = _person(out)
    as_of = date.fromisoformat(pl.read_json(out / "truth/config.json")["as_of"][0])
    kinds = dict(_read(out, "police/incidents.csv").select("incident_id", "occurred_at")
                 .with_columns(pl.col("occurred_at").str.slice(0, 10)).iter_rows())
    domestic = set(_read(out, "police/incidents.csv").filter(
        pl.col("type") == "domestic-abuse")["incident_id"])
    received = _received(out)
    expected = set()
    for inc, record, role in _read(out, "police/incident_people.csv").iter_rows():
        child, day = person[("police", record)], date.fromisoformat(kinds[inc])
        until = day + timedelta(days=28)
        if (role == "child-present" and inc in domestic and until <= as_of
                and not any(day <= d <= until for d, _ in received.get(child, []))):
            expected.add((child, "", inc))
    assert expected and _truth(out, "incident-no-referral") == expected


def test_a_father_s_marker_is_planted_on_a_duplicate_record(
        borough: tuple[Path, SynthSummary]) -> None:
    """Some no-further-action case rests on a domestic-abuse marker that sits on a record
    the agency holds twice for the father."""
    out, _ = borough
    person = _person(out)
    errors = _read(out, "truth/errors.csv").filter(pl.col("error_kind") == "duplicate-record")
    duplicates = {(a, r) for a, r in errors.select("agency", "record_id").iter_rows()}
    on_duplicate = {person[(agency, r)] for agency in ("police", "social-care")
                    for r, m in _read(out, f"{agency}/risk_markers.csv").select(
                        "record_id", "marker").iter_rows()
                    if m == "domestic-abuse-perpetrator" and (agency, r) in duplicates}
    fathers = defaultdict(set)
    sex = dict(_read(out, "truth/persons.csv").select("person_id", "sex").iter_rows())
    for p1, p2, kind in _read(out, "truth/relationships.csv").select(
            "person_id_1", "person_id_2", "type").iter_rows():
        if kind == "parent" and sex[p1] == "M":
            fathers[p2].add(p1)
    cases = _truth(out, "nfa-with-serious-marker")
    assert any(fathers[child] & on_duplicate for child, _, _ in cases)
