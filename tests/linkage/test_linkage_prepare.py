"""Record preparation: cleaning values, the prepared table, reading files and the store."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from kinlink.address import postcode_parts
from kinlink.errors import InputError
from kinlink.linkage import normalise as n
from kinlink.linkage import prepare_record, prepare_records_from_file, prepare_records_from_store
from kinlink.linkage.prepare import RAW_COLUMNS, prepare_table, read_people_csv
from kinlink.store import Store
from kinlink.store.schema.source import people


def test_names_are_folded_to_plain_upper_case_letters() -> None:
    assert n.fold("  Zoë O'Brien-Smith ") == "ZOE OBRIEN SMITH"
    assert n.fold("---") is None
    assert {"BILL", "WILLIAM"} <= set(n.nickname_group("BILL"))
    assert n.metaphone_code("SMYTH") == n.metaphone_code("SMITH")


def test_titles_before_a_forename_are_dropped() -> None:
    assert n.forename("Mrs Jane") == "JANE"
    assert n.forename("sir") is None and n.forename("Gen. Sir Ian") == "IAN"
    assert n.forename("Major") is None and n.forename("Mary Ann") == "MARY ANN"
    assert prepare_record({"record_id": "1", "first_name": "Dr", "surname": "Okafor"})[
        "first_name"] is None


def test_dates_of_birth_keep_their_precision_and_reject_nonsense() -> None:
    assert n.parse_dob("1980-02-29") == (1980, 2, 29)
    assert n.parse_dob("1980-02") == (1980, 2, None)
    assert n.parse_dob("1980") == (1980, None, None)
    for bad in ("1981-02-29", "1980-13", "80-01-01", "yesterday"):
        with pytest.raises(ValueError):
            n.parse_dob(bad)


def test_postcodes_split_into_unit_sector_and_district() -> None:
    assert postcode_parts("b91 3qb") == ("B91 3QB", "B91 3", "B91")
    assert postcode_parts("B91") == (None, None, "B91")
    assert postcode_parts("not a postcode") == (None, None, None)


def test_only_valid_strong_identifiers_are_kept() -> None:
    nhs = prepare_table(pa.table({
        "agency": ["a"] * 6, "record_id": [str(i) for i in range(6)],
        "nhs_number": ["943 476 5919", "9434765918", None, " 4010232137 ", "943476591X",
                       "١٢٣٤٥٦٧٨٩٠"]}))["nhs_number"].to_pylist()
    # spaces ignored; a wrong check digit, a letter or digits of another script are not
    assert nhs == ["9434765919", None, None, "4010232137", None, None]
    assert n.valid_upn("not-a-upn") is None
    assert n.valid_pnc_id("19/123A") is None  # short forms are normalised by ingest


def test_a_record_is_prepared_with_its_name_variants() -> None:
    record = prepare_record({
        "agency": "police", "record_id": "7", "first_name": "Bill", "surname": "Smith-Jones",
        "previous_surnames": "Brown", "aliases": "William Green", "dob": "1980-02",
        "postcode": "b913qb", "address": "12, Oak Road, B91 3QB", "nhs_number": "9434765919",
    })
    assert record["uid"] == "police:7"
    assert "WILLIAM" in record["first_name_nick"]
    assert set(record["surnames_all"]) >= {"SMITH", "JONES", "SMITH JONES", "BROWN", "GREEN"}
    assert record["forenames_all"] == ["BILL", "WILLIAM"]
    assert (record["dob"], record["dob_year"], record["dob_precision"]) == (None, 1980, "month")
    assert (record["postcode"], record["postcode_district"]) == ("B91 3QB", "B91")
    assert record["address_tokens"] == ["12", "OAK", "ROAD"]
    assert record["nhs_number"] == "9434765919"
    assert record["name_codes_pair"] == "PL|SM0JNS"


_text = st.one_of(st.none(), st.text(alphabet="abcéAB -'0;", max_size=12))


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({
    "first_name": _text, "surname": _text, "middle_names": _text, "aliases": _text,
    "previous_surnames": _text, "address": _text,
    "dob": st.sampled_from([None, "", "1990", "1990-07", "1990-07-04", "2001-12-31"]),
    "postcode": st.sampled_from([None, "B91 3QB", "b91", "KX1 9HD", "nonsense"]),
    "sex": st.sampled_from([None, "F", "M", "U"]),
}), min_size=20, max_size=40))
def test_one_record_prepares_exactly_as_in_a_batch(rows: list[dict]) -> None:
    """Real time prepares one record at a time; batch maps distinct values: same result."""
    raw = pa.table({c: pa.array([r.get(c) for r in rows] if c not in ("agency", "record_id")
                                else (["a"] * len(rows) if c == "agency"
                                      else [str(i) for i in range(len(rows))]), pa.string())
                    for c in RAW_COLUMNS})
    batch = prepare_table(raw).to_pylist()
    for i, row in enumerate(rows):
        assert prepare_record({**row, "agency": "a", "record_id": str(i)}) == batch[i]


def test_a_people_file_is_prepared(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("record_id,first_name,surname,dob,agency\n1,Ann,Lee,1990-01-02,\n"
                    "2,Bob,Lee,,health\n")
    records = prepare_records_from_file(path)
    assert records["uid"].to_pylist() == ["file:1", "health:2"]
    assert records["dob_year"].to_pylist() == [1990, None]


@pytest.mark.parametrize(("content", "where"), [
    ("first_name,surname\nAnn,Lee\n", "missing required column(s): record_id"),
    ("record_id,first_name,surname\n,Ann,Lee\n", "row 1, field 'record_id'"),
    ("record_id,first_name,surname\n1,Ann,Lee\n1,Bo,Lee\n", "row 2, field 'record_id'"),
    ("record_id,first_name,surname,dob\n1,Ann,Lee,1990-02-30\n", "row 1, field 'dob'"),
    # the same through the row-by-row reader (a short row sends the file there)
    ("record_id,first_name,surname\n1,Ann,Lee\n2,Bo\n , Cy,Lee\n", "row 3, field 'record_id'"),
    ("record_id,first_name,surname\n1,Ann,Lee\n2,Bo\n1,Cy,Lee\n",
     "row 3, field 'record_id': record_id '1' appears twice"),
])
def test_file_errors_name_the_row_and_field(tmp_path: Path, content: str, where: str) -> None:
    path = tmp_path / "people.csv"
    path.write_text(content)
    with pytest.raises(InputError) as error:
        prepare_records_from_file(path)
    assert str(path) in str(error.value) and where in str(error.value)


def test_a_regular_and_an_irregular_file_read_alike(tmp_path: Path) -> None:
    """Arrow reads a regular file, the csv module one with a short row: same values."""
    body = ("record_id,first_name,surname,agency,dob\n 1 ,Ann , Lee,,1990-01-02\n"
            '2,"Bob, Jr",Lee,health,\n3,Cy,,, \n')
    regular, irregular = tmp_path / "regular.csv", tmp_path / "irregular.csv"
    regular.write_text("\ufeff" + body, encoding="utf-8")
    irregular.write_text("\ufeff" + body + "4,Di\n", encoding="utf-8")
    read = read_people_csv(regular)
    assert read.to_pylist() == read_people_csv(irregular).slice(0, 3).to_pylist()
    assert read["record_id"].to_pylist() == ["1", "2", "3"]
    assert read["agency"].to_pylist() == ["file", "health", "file"]
    assert read["first_name"].to_pylist() == ["Ann", "Bob, Jr", "Cy"]
    assert read["surname"].to_pylist() == ["Lee", "Lee", None]


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        prepare_records_from_file(tmp_path / "absent.csv")


def test_the_store_is_prepared_like_the_extract_files(borough_store: Store,
                                                      borough_records: pa.Table) -> None:
    from_store = prepare_records_from_store(borough_store).sort_by("uid")
    assert from_store.num_rows == borough_records.num_rows == 807
    assert from_store.to_pylist() == borough_records.sort_by("uid").to_pylist()


def test_identifiers_that_ingest_accepted_are_kept(borough_store: Store) -> None:
    """Ingest checks ids with its own code; every id it stored must stay usable here."""
    with borough_store.connect() as conn:
        stored = conn.execute(select(people.c.nhs_number, people.c.upn, people.c.pnc_id)).all()
    prepared = prepare_records_from_store(borough_store)
    for index, column in enumerate(("nhs_number", "upn", "pnc_id")):
        accepted = sorted(row[index] for row in stored if row[index])
        assert accepted, column
        assert sorted(v for v in prepared[column].to_pylist() if v) == accepted
