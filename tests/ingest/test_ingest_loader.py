"""Ingest through the library, on SQLite and PostgreSQL: storing, versioning, refusing."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select

from kinlink.errors import InputError
from kinlink.ingest import (
    check_agency,
    count_quarantine,
    ingest_extract,
    list_quarantine,
    store_status,
)
from kinlink.quality import list_findings
from kinlink.store import Store
from kinlink.store.queries import current_rows
from kinlink.store.schema.source import SOURCE_TABLES, ingest_runs, people

TODAY = date(2026, 11, 25)
PEOPLE_HEADER = "record_id,first_name,surname,dob,sex,postcode,nhs_number\n"


def _current(store: Store, table: str) -> dict[str, dict[str, object]]:
    with store.connect() as conn:
        return {r.key: dict(r._mapping) for r in conn.execute(current_rows(table))}


def test_good_extract_is_stored_with_typed_normalised_values(store: Store, extracts) -> None:
    report = ingest_extract(store, extracts.good, "police", today=TODAY)
    assert report.total("quarantined") == 0
    assert report.total("new") == report.total("read") == 21
    assert [f.table for f in report.files] == list(SOURCE_TABLES)
    persons = _current(store, "people")
    assert set(persons) == {"A1", "A2", "A3", "A4", "A5"}
    kerry = persons["A1"]
    assert kerry["postcode"] == "KL1 2AB" and kerry["nhs_number"] == "9994089617"
    assert kerry["previous_surnames"] == "Mason" and kerry["version"] == 1
    assert kerry["recorded_at"] == datetime(2024, 2, 1, 10, 0)
    assert persons["A2"]["dob_estimated"] is True and persons["A2"]["sex"] == "M"
    assert persons["A2"]["pnc_id"] == "2012/0455671B"
    assert persons["A5"]["pnc_id"] == "2003/0271765R"  # 2-digit year widened
    assert persons["A4"]["recorded_at"] == datetime(2024, 2, 1, 9, 15, 30)
    relationships = _current(store, "relationships")
    assert {r["type"] for r in relationships.values()} >= {"parent", "ex-partner"}
    referral = _current(store, "referrals")["R-1"]
    assert referral["icpc_date"] == date(2024, 2, 26) and referral["nfa"] is False
    assert referral["review_conference_dates"] == "2024-05-28;2024-11-26"
    incident = _current(store, "incidents")["I-9"]
    assert incident["summary"] == 'Shouting heard; "get out" was shouted.\nTwo children present.'
    with store.connect() as conn:
        run = conn.execute(select(ingest_runs)).one()
    assert run.rows_read == 21 and run.rows_new == 21 and run.finished_at is not None
    assert run.files["people"]["new"] == 5


def test_same_extract_twice_adds_nothing_and_agencies_are_apart(
        store: Store, extracts, counts) -> None:
    ingest_extract(store, extracts.good, "police", today=TODAY)
    before = counts(store)
    again = ingest_extract(store, extracts.good, "police", today=TODAY)
    assert again.total("unchanged") == again.total("read")
    assert not again.changed_anything
    after = counts(store)
    assert after.pop("ingest_runs") == before.pop("ingest_runs") + 1
    assert after == before
    # The same records from another agency are other records; one file is an extract too.
    assert ingest_extract(store, extracts.good, "health", today=TODAY).total("new") == 21
    single = ingest_extract(store, extracts.good / "people.csv", "education", today=TODAY)
    assert [f.table for f in single.files] == ["people"]
    status = {(s.agency, s.table): s for s in store_status(store)}
    assert status["health", "people"].current_rows == status["police", "people"].current_rows == 5


def test_corrected_extract_adds_versions_and_keeps_the_old(store: Store, extracts) -> None:
    ingest_extract(store, extracts.good, "police", today=TODAY)
    report = ingest_extract(store, extracts.corrected, "police", today=TODAY)
    people_report = report.files[0]
    # A1 and A2 are written differently but mean the same once normalised.
    assert (people_report.new, people_report.changed, people_report.unchanged) == (1, 1, 2)
    current = _current(store, "people")
    assert current["A3"]["version"] == 2 and current["A3"]["dob"] == "2016-02-09"
    assert current["A6"]["version"] == 1
    assert current["A5"]["version"] == 1  # missing from a later extract: kept, not deleted
    with store.connect() as conn:
        versions = conn.execute(select(people.c.version, people.c.dob)
                                .where(people.c.record_id == "A3")
                                .order_by(people.c.version)).all()
    assert [tuple(v) for v in versions] == [(1, "2016-02"), (2, "2016-02-09")]


def test_bad_rows_are_quarantined_with_file_row_field_reason_and_raw(
        store: Store, make_extract) -> None:
    folder = make_extract({"people.csv": PEOPLE_HEADER + (
        "p1,Ann,Lee,1990-01-01,F,KL1 2AB,\n"
        "p2,,,2090-01-01,M,,9434765918\n"
        "p3,Cy,Lee,1990-01-01,Q,,9434765918\n"
        "p1,Ann,Leigh,1990-01-01,F,,\n"
        "p4,Di,Lee\n"
        "p5,Eve,Lee,1990-01-01,F,K\x00L1,\n"
    )})
    report = ingest_extract(store, folder, "police", today=TODAY)
    f = report.files[0]
    assert (f.read, f.new, f.quarantined, f.set_aside) == (6, 3, 3, 3)
    assert set(_current(store, "people")) == {"p1", "p3", "p5"}
    problems = {(p.row, p.field) for p in report.problems}
    # p2 has no name and its only identifier is wrong: nothing usable is left.
    assert problems == {(2, "dob"), (2, "nhs_number"), (2, None), (4, "record_id"), (5, None)}
    rows = list_quarantine(store, agency="police")
    assert len(rows) == 5 and count_quarantine(store) == 5
    empty = next(r for r in rows if r.row == 2 and r.field is None)
    assert empty.file == "people.csv" and empty.table == "people"
    assert empty.reason.startswith("nothing usable")
    assert empty.raw["dob"] == "2090-01-01" and empty.raw["nhs_number"] == "9434765918"
    short = next(r for r in rows if r.row == 5)
    assert "fields" in short.reason and short.raw == {"line": "p4,Di,Lee"}


def test_a_wrong_value_is_stored_as_unknown_with_a_finding(
        store: Store, make_extract) -> None:
    folder = make_extract({
        "people.csv": PEOPLE_HEADER + (
            "p1,Ann,Lee,2031-05-01,F,KL1 2AB,\n"
            "p2,Bob,Lee,1099-01-01,X,K\x00L1,9434765918\n"
            "p3,Cy,Lee,1990-01-01,M,,\n"),
        "relationships.csv": "record_id,related_record_id,type\np1,p2,parent\n",
        "risk_markers.csv": "record_id,marker\np2,domestic-abuse-perpetrator\n",
    })
    report = ingest_extract(store, folder, "police", today=TODAY)
    assert report.total("quarantined") == 0 and report.total("set_aside") == 5
    people_rows = _current(store, "people")
    assert set(people_rows) == {"p1", "p2", "p3"}
    assert people_rows["p1"]["dob"] is None and people_rows["p1"]["postcode"] == "KL1 2AB"
    bob = people_rows["p2"]
    assert (bob["dob"], bob["sex"], bob["postcode"], bob["nhs_number"]) == (None, "U", None, None)
    # What names a kept person is kept too.
    assert len(_current(store, "relationships")) == len(_current(store, "risk_markers")) == 1
    found = {(f.record_key, f.reason) for f in list_findings(store, area="ingest")}
    assert found == {
        ("p1", "people.csv row 1: dob '2031-05-01' is in the future; stored as unknown"),
        ("p2", "people.csv row 2: dob '1099-01-01' would make the person over 120; "
               "stored as unknown"),
        ("p2", "people.csv row 2: sex 'X' is not one of: F, M, U; stored as unknown"),
        ("p2", "people.csv row 2: postcode 'K?L1' is not a UK postcode; stored as unknown"),
        ("p2", "people.csv row 2: nhs_number '9434765918' has the wrong NHS number check "
               "digit; stored as unknown"),
    }
    # A corrected record loses its findings; the others keep theirs.
    fixed = make_extract({"people.csv": PEOPLE_HEADER + "p1,Ann,Lee,2021-05-01,F,KL1 2AB,\n"})
    ingest_extract(store, fixed, "police", today=TODAY)
    assert {f.record_key for f in list_findings(store, area="ingest")} == {"p2"}


def test_references_must_name_a_good_record_of_the_same_agency(
        store: Store, make_extract, extracts) -> None:
    ingest_extract(store, extracts.good, "police", today=TODAY)  # stores A1..A5 for police
    folder = make_extract({
        "people.csv": PEOPLE_HEADER + "B1,Al,Ng,1990,M,,\nB2,,,2099,F,,\n",  # B2: no name
        "relationships.csv": "record_id,related_record_id,type\n"
                             "B1,A1,associate\nB1,B2,partner\nB1,ZZ,sibling\n",
        "incident_people.csv": "incident_id,record_id,role\nI-9,B1,witness\nI-404,B1,witness\n",
    })
    report = ingest_extract(store, folder, "police", today=TODAY)
    reasons = {(p.table, p.row): p.reason for p in report.problems}
    assert ("relationships", 1) not in reasons  # A1 is already stored for police
    assert "quarantined" in reasons["relationships", 2]
    assert "not a people.record_id" in reasons["relationships", 3]
    assert ("incident_people", 1) not in reasons  # I-9 already stored
    assert "incidents.incident_id" in reasons["incident_people", 2]
    other = ingest_extract(store, make_extract({
        "people.csv": PEOPLE_HEADER + "C1,Cal,Ng,1990,M,,\n",
        "relationships.csv": "record_id,related_record_id,type\nC1,A1,associate\n"}),
        "health", today=TODAY)
    assert other.files[1].quarantined == 1  # A1 is police's, not health's


def test_parquet_extract_with_typed_columns(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "health"
    folder.mkdir()
    pl.DataFrame({
        "record_id": ["H1", "H2"], "first_name": ["Ann", "Bo"], "surname": ["Lee", "Ng"],
        "dob": [date(1990, 1, 2), date(2099, 1, 1)],
        "aliases": [["A Lee", "Annie"], []],
        "dob_estimated": [True, None],
        "recorded_at": [datetime(2024, 1, 2, 3, 4, 5), None],
    }).write_parquet(folder / "people.parquet")
    report = ingest_extract(store, folder, "health", today=TODAY)
    assert (report.total("new"), report.total("quarantined"), report.total("set_aside")) == (
        2, 0, 1)
    assert _current(store, "people")["H2"]["dob"] is None  # 2099: stored as unknown
    ann = _current(store, "people")["H1"]
    assert ann["dob"] == "1990-01-02" and ann["aliases"] == "A Lee;Annie"
    assert ann["dob_estimated"] is True and ann["recorded_at"] == datetime(2024, 1, 2, 3, 4, 5)


UNREADABLE = {
    "encoding": ({"people.csv": PEOPLE_HEADER.encode()
                  + "p1,Zo\xeb,Lee,1990,F,,\n".encode("latin-1")}, "not UTF-8"),
    "empty": ({"people.csv": ""}, "no header row"),
    "no-header": ({"people.csv": "p1,Ann,Lee,1990-01-01,F,,\n"}, "no header row"),
    "missing-column": ({"people.csv": "record_id,first_name,dob\np1,Ann,1990\n"},
                       "field 'surname'"),
    "duplicate-column": ({"people.csv": "record_id,surname,surname,first_name,dob\n"},
                         "more than once"),
    "parquet": ({"people.parquet": b"PAR1 this is not really parquet"}, "Parquet"),
    "two-files": ({"people.csv": PEOPLE_HEADER, "people.parquet": b"PAR1"}, "two files"),
    "no-people": ({"relationships.csv": "record_id,related_record_id,type\n"}, "no people file"),
    "no-tables": ({"notes.txt": "hello"}, "no table files"),
}


def test_unreadable_extracts_are_refused_and_unknown_names_only_warned(
        store: Store, make_extract, extracts, counts) -> None:
    ingest_extract(store, extracts.good, "police", today=TODAY)
    before = counts(store)
    for case, (files, message) in UNREADABLE.items():
        with pytest.raises(InputError, match=message):
            ingest_extract(store, make_extract(files), "police", today=TODAY)
        assert counts(store) == before, case
    # Unknown files and columns are only warnings.
    folder = make_extract({"people.csv": "record_id,first_name,surname,dob,shoe_size\n"
                                         "p1,Ann,Lee,1990,5\n",
                           "README.txt": "notes"})
    report = ingest_extract(store, folder, "police", today=TODAY)
    assert report.total("new") == 1
    assert any("README.txt" in w for w in report.warnings)
    assert any("shoe_size" in w for w in report.warnings)


def test_a_later_unreadable_file_rolls_back_the_earlier_ones(
        store: Store, tmp_path: Path, extracts, counts) -> None:
    """Both checks happen after people.csv and five other tables were written."""
    truncated = tmp_path / "truncated"
    shutil.copytree(extracts.good, truncated)
    (truncated / "referrals.csv").unlink()
    pl.read_csv(extracts.good / "referrals.csv", infer_schema=False).write_parquet(
        truncated / "referrals.parquet")
    data = (truncated / "referrals.parquet").read_bytes()
    (truncated / "referrals.parquet").write_bytes(data[: len(data) // 2])
    badly_encoded = tmp_path / "encoding"
    shutil.copytree(extracts.good, badly_encoded)
    text = (badly_encoded / "referrals.csv").read_bytes()
    (badly_encoded / "referrals.csv").write_bytes(
        text + "R-3,A4,Caf\xe9,2024-01-01\n".encode("latin-1"))
    for folder, message in ((truncated, r"referrals\.parquet"),
                            (badly_encoded, r"referrals.csv: not UTF-8 .* line 4")):
        with pytest.raises(InputError, match=message):
            ingest_extract(store, folder, "police", today=TODAY)
        assert sum(counts(store).values()) == 0


@pytest.mark.parametrize("agency", ["Police", "social care", "", "a:b", "x" * 65])
def test_agency_names_are_checked(agency: str) -> None:
    with pytest.raises(InputError, match="agency name"):
        check_agency(agency)
    assert check_agency("social-care-2") == "social-care-2"


def test_status_and_quarantine_follow_the_latest_ingest(store: Store, make_extract) -> None:
    assert store_status(store) == []
    bad = make_extract({"people.csv": PEOPLE_HEADER + "p1,Ann,Lee,1990,F,,\np2,,,,M,,\n"})
    ingest_extract(store, bad, "police", today=TODAY)
    ingest_extract(store, bad, "police", today=TODAY)
    assert count_quarantine(store) == 1  # the latest run's only
    assert count_quarantine(store, latest=False) == 2
    fixed = make_extract({"people.csv": PEOPLE_HEADER + "p1,Ann,Lee,1990,F,,\np2,B,Lee,2009,M,,\n"})
    ingest_extract(store, fixed, "police", today=TODAY)
    assert list_quarantine(store) == []
    [people_status] = store_status(store)
    assert (people_status.agency, people_status.table) == ("police", "people")
    assert (people_status.current_rows, people_status.versions) == (2, 2)
    assert people_status.quarantined == 0 and people_status.last_ingest is not None


def test_the_example_bundle_loads_with_exactly_its_documented_bad_rows(
        store: Store, extracts) -> None:
    quarantined = {}
    for agency in ("police", "social-care", "education"):
        report = ingest_extract(store, extracts.examples / agency, agency, today=TODAY)
        quarantined |= {(agency, p.file, p.row): p.field for p in report.problems}
    assert quarantined == {
        ("police", "relationships.csv", 4): "related_record_id",
        ("social-care", "referrals.csv", 4): "primary_need",
    }
    set_aside = {(f.agency, f.record_key, f.reason.split(":")[0])
                 for f in list_findings(store, area="ingest")}
    assert set_aside == {("police", "P-1005", "people.csv row 5"),
                         ("social-care", "SC-2007", "people.csv row 7"),
                         ("education", "E-3003", "people.csv row 3")}
