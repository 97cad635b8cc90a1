"""Each validation rule, on small frames: what is accepted, how it is stored, what is refused."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from kinlink.ingest.format import TABLES, ColumnSpec, Kind
from kinlink.ingest.reader import ROW
from kinlink.ingest.validate import NOTHING_USABLE, USABLE, validate_values

TODAY = date(2026, 11, 25)


def _good_value(column: ColumnSpec, i: int) -> str:
    """A valid value for a column that must not be blank."""
    if column.kind is Kind.ENUM:
        return column.vocabulary[0]
    if column.kind is Kind.DATETIME:
        return "2024-01-01"
    return f"{column.name}-{i}"


def _check(table: str, column: str, values: list[str | None],
           **other: list[str]) -> tuple[list[object], dict[int, str]]:
    """Validate one column's values (other required columns filled with good values, and a
    name, so that a person row is usable).

    Returns the stored values of kept rows (None for bad rows and values set aside) and
    {row: reason} of bad values.
    """
    spec = TABLES[table]
    n = len(values)
    data: dict[str, list[str | None]] = {ROW: list(range(1, n + 1))}  # type: ignore[dict-item]
    for spec_column in spec.columns:
        name = spec_column.name
        if name == column:
            data[name] = values
        elif name in other:
            data[name] = list(other[name])
        elif spec_column.not_blank:
            data[name] = [_good_value(spec_column, i) for i in range(n)]
        elif name == "first_name":
            data[name] = ["Ann"] * n
    frame = pl.DataFrame(data, schema={ROW: pl.Int64} | {k: pl.Utf8 for k in data if k != ROW})
    result = validate_values(frame, spec, today=TODAY)
    stored = dict(zip(result.rows[ROW], result.rows[column], strict=True))
    problems = {row: reason for row, field, reason in
                pl.concat([result.problems, result.set_aside]).iter_rows() if field == column}
    return [stored.get(i) for i in range(1, n + 1)], problems


def test_nhs_number_check_digit() -> None:
    stored, problems = _check("people", "nhs_number",
                              ["943 476 5919", "999-787-7896", "9434765918", "94347659", "", None])
    assert stored[:2] == ["9434765919", "9997877896"]
    assert stored[4:] == [None, None]  # blank is "not known", not wrong
    assert "check digit" in problems[3]
    assert "10-digit" in problems[4]
    assert set(problems) == {3, 4}


def test_nhs_number_whose_check_would_be_ten_is_refused() -> None:
    # The first 999 test-range prefix whose weighted sum leaves remainder 1: its check
    # digit would be 10, so no valid number starts with it, whatever the last digit.
    prefix = next(p for p in (f"999{i:06d}" for i in range(1000))
                  if sum(int(d) * (10 - i) for i, d in enumerate(p)) % 11 == 1)
    _, problems = _check("people", "nhs_number", [prefix + str(last) for last in range(10)])
    assert set(problems) == set(range(1, 11))


def test_postcode_shape_and_normal_form() -> None:
    stored, problems = _check("people", "postcode",
                              ["b91 3qb", "SW1A1AA", " kl1 ", "B91  3QB", "12345", "B91 3QBX"])
    assert stored[:4] == ["B91 3QB", "SW1A 1AA", "KL1", "B91 3QB"]
    assert set(problems) == {5, 6}
    assert "not a UK postcode" in problems[5]


def test_upn_check_letter() -> None:
    stored, problems = _check("people", "upn", ["b801200005001", "A801200005001", "B80120000"])
    assert stored[0] == "B801200005001"
    assert "check letter" in problems[2]
    assert "not a UPN" in problems[3]


def test_pnc_id_check_letter_and_normal_form() -> None:
    stored, problems = _check("people", "pnc_id",
                              ["2001/0012345H", "01/12345H", "2001/0012345X", "2001-12345H"])
    assert stored[:2] == ["2001/0012345H", "2001/0012345H"]
    assert "check letter" in problems[3]
    assert "not a PNC id" in problems[4]


def test_date_of_birth_partial_future_and_too_old() -> None:
    stored, problems = _check("people", "dob", [
        "2020", "2020-02", "2020-02-29", "2027", "2026-12", "1850", "1906-11-24", "1906-11-25",
        "2021-02-29", "20-01-01", "2020-1-5", "2026-11-25", "2026"])
    assert stored[:3] == ["2020", "2020-02", "2020-02-29"]
    assert "future" in problems[4] and "future" in problems[5]
    assert "over 120" in problems[6] and "over 120" in problems[7]
    assert 8 not in problems  # exactly 120 today
    assert set(problems) == {4, 5, 6, 7, 9, 10, 11}  # today and this year are not the future


def test_datetimes_accept_date_minutes_seconds_and_fractions() -> None:
    stored, problems = _check("people", "recorded_at", [
        "2024-01-02", "2024-01-02T10:11", "2024-01-02 10:11:12", "2024-01-02T10:11:12.250",
        "2024-13-01", "02/01/2024", "1850-01-01", "2024-01-02T25:00"])
    assert stored[:4] == [datetime(2024, 1, 2), datetime(2024, 1, 2, 10, 11),
                          datetime(2024, 1, 2, 10, 11, 12), datetime(2024, 1, 2, 10, 11, 12)]
    assert set(problems) == {5, 6, 7, 8}
    assert "year outside" in problems[7]


def test_dates_are_iso_only() -> None:
    stored, problems = _check("addresses", "from_date", ["2019-01-01", "2019-02-30", "1/1/2019"])
    assert stored[0] == date(2019, 1, 1)
    assert set(problems) == {2, 3}


def test_bool_sex_and_enum_vocabularies() -> None:
    stored, problems = _check("people", "dob_estimated", ["Yes", "n", "TRUE", "0", "", "maybe"])
    assert stored[:5] == [True, False, True, False, False]
    assert set(problems) == {6}
    stored, problems = _check("people", "sex", ["f", "Male", "", "U", "X"])
    assert stored[:4] == ["F", "M", "U", "U"]
    assert set(problems) == {5}
    stored, problems = _check("relationships", "type",
                              ["Step Parent", "household_member", "SIBLING", "father", ""])
    assert stored[:3] == ["step-parent", "household-member", "sibling"]
    assert "not one of" in problems[4] and "parent" in problems[4]
    assert problems[5] == "a value is required"
    stored, problems = _check("referrals", "primary_need", ["n1", "N9", "N10"])
    assert stored[:2] == ["N1", "N9"]
    assert set(problems) == {3}


def test_list_columns_are_tidied_and_date_lists_checked() -> None:
    stored, _ = _check("people", "aliases", [" Gaz Lowe ; ;G. Lowe", ";", None])
    assert stored == ["Gaz Lowe;G. Lowe", None, None]
    stored, problems = _check("referrals", "review_conference_dates",
                              ["2024-01-01; 2024-04-01", "2024-01-01;April", "2024-02-30"])
    assert stored[0] == "2024-01-01;2024-04-01"
    assert set(problems) == {2, 3}


def test_control_characters_are_refused_but_line_breaks_allowed_in_free_text() -> None:
    stored, problems = _check("incidents", "summary", ["two\nlines", "nul\x00byte", "bell\x07"])
    assert stored[0] == "two\nlines"
    assert set(problems) == {2, 3}
    _, problems = _check("people", "record_id", ["ok", "new\nline"])
    assert set(problems) == {2}


def test_required_ids_and_cross_column_rules() -> None:
    _, problems = _check("people", "record_id", ["  ", "", "x"])
    assert problems == {1: "a value is required", 2: "a value is required"}
    _, problems = _check("relationships", "related_record_id", ["record_id-0", "someone"])
    assert problems == {1: "a record cannot be related to itself"}
    _, problems = _check("addresses", "to_date", ["2018-12-31", "2020-01-01"],
                         from_date=["2019-01-01", "2019-01-01"])
    assert set(problems) == {1} and "before from_date" in problems[1]


@pytest.mark.parametrize("table", list(TABLES))
def test_every_table_accepts_a_row_of_blank_optional_values(table: str) -> None:
    spec = TABLES[table]
    data = {c.name: [_good_value(c, 0) if c.not_blank else ""] for c in spec.columns}
    usable = {c: ["Ann"] for c in USABLE.get(table, ())[:1]}  # a person needs a name or an id
    frame = pl.DataFrame({ROW: [1], **data, **usable})
    result = validate_values(frame, spec, today=TODAY)
    assert result.problems.is_empty(), result.problems
    assert result.rows.height == 1


def test_a_person_row_with_nothing_usable_is_refused_saying_why() -> None:
    frame = pl.DataFrame({ROW: [1, 2, 3], "record_id": ["a", "b", "c"],
                          "surname": [None, "Lee", None], "upn": [None, None, "bad"],
                          "pnc_id": [None, None, "2012/0455671B"]})
    result = validate_values(frame, TABLES["people"], today=TODAY)
    assert result.rows.get_column("record_id").to_list() == ["b", "c"]
    assert result.problems.rows() == [(1, None, NOTHING_USABLE)]
    assert result.set_aside.rows() == [(3, "upn", "'bad' is not a UPN (a check letter and 12 "
                                                  "characters)")]
