"""Turning people records into the table the linkage model compares.

The same `prepare_table` serves batch (the whole store, or a standalone file) and real
time (`prepare_record`, one query record), so a pair is compared on identical values in
both. Each cleaning function in `normalise.py` runs once per distinct raw value; DuckDB
then combines the cleaned columns row-wise.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from kinlink.address import normalise_postcode, postcode_parts, read_address
from kinlink.errors import InputError
from kinlink.ingest.format import PEOPLE
from kinlink.linkage import normalise as n
from kinlink.store import Store
from kinlink.store.queries import current_rows
from kinlink.store.schema.source import SOURCE_TABLES

RAW_COLUMNS = ("agency", *PEOPLE.column_names)
FILE_REQUIRED_COLUMNS = ("record_id", "first_name", "surname")
DEFAULT_FILE_AGENCY = "file"

_STR_LIST = pa.list_(pa.string())
_SMALL = 16  # below this many rows, mapping value by value beats finding distinct values

_STORE_CHUNK_ROWS = 100_000


def prepare_records_from_store(store: Store) -> pa.Table:
    """The current version of every people record of every agency, prepared for linkage.

    Read a chunk of rows at a time, each turned into text columns at once: a million
    rows held as Python row objects took more memory than everything after them.
    """
    people = SOURCE_TABLES["people"]
    query = current_rows(people).with_only_columns(*(people.c[c] for c in RAW_COLUMNS))
    chunks = []
    with store.connect() as conn:
        result = conn.execution_options(yield_per=_STORE_CHUNK_ROWS).execute(query)
        for rows in result.partitions():
            columns = zip(*rows, strict=True)
            chunks.append(pa.table({c: _text_column(values)
                                    for c, values in zip(RAW_COLUMNS, columns, strict=True)}))
    raw = (pa.concat_tables(chunks) if chunks else pa.table(
        {c: pa.array([], pa.string()) for c in RAW_COLUMNS}))
    return prepare_table(raw)


def prepare_records_from_file(path: Path | str) -> pa.Table:
    """A standalone people-format CSV (agency column optional), prepared for linkage.

    Raises InputError naming the file, row and field of the first problem found.
    """
    path = Path(path)
    raw = read_people_csv(path)
    _check_dobs(raw, file=str(path))
    return prepare_table(raw)


def _text_column(values: Sequence[Any]) -> pa.Array:
    """Stored values as `_as_text` has them: text trimmed, blank as null, flags as
    true/false; a column of text at once, others value by value."""
    try:
        text = pc.utf8_trim_whitespace(pa.array(values, pa.string()))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([_as_text(v) for v in values], pa.string())
    return pc.if_else(pc.equal(text, ""), None, text)


def read_people_csv(path: Path) -> pa.Table:
    """The people-format columns of a CSV as text, checked for ids and required columns."""
    if not path.is_file():
        raise InputError("no such file", file=str(path))
    return _read_regular_csv(path) or _read_any_csv(path)


def _read_regular_csv(path: Path) -> pa.Table | None:
    """A well-formed file (UTF-8, one field per header name on every row, no line breaks
    inside values) read by Arrow, about ten times faster than row by row; None for any
    other, which `_read_any_csv` reads and names the problem of."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            header = next(csv.reader(f), [])
        if len(set(header)) < len(header) or any(c not in header
                                                 for c in FILE_REQUIRED_COLUMNS):
            return None
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, pa.string()), strings_can_be_null=False,
            include_columns=[c for c in RAW_COLUMNS if c in header]))
    except (pa.ArrowInvalid, OSError, UnicodeDecodeError, csv.Error):
        return None
    columns = {}
    for c in RAW_COLUMNS:
        if c not in table.column_names:
            columns[c] = pa.nulls(table.num_rows, pa.string())
            continue
        text = pc.utf8_trim_whitespace(table[c].combine_chunks())
        columns[c] = pc.if_else(pc.equal(text, ""), None, text)
    columns["agency"] = pc.fill_null(columns["agency"], DEFAULT_FILE_AGENCY)
    _check_record_ids(columns["agency"], columns["record_id"], file=str(path))
    return pa.table(columns)


def _check_record_ids(agencies: pa.Array, record_ids: pa.Array, *, file: str) -> None:
    """InputError at the first row whose record_id is blank or seen before (per agency)."""
    frame = pl.DataFrame({"agency": agencies, "record_id": record_ids})
    blank = frame.get_column("record_id").is_null()
    again = ~frame.select(pl.struct("agency", "record_id").is_first_distinct()).to_series()
    bad = (blank | (again & ~blank)).arg_true()
    if bad.len():
        number = int(bad[0])
        if blank[number]:
            raise InputError("record_id is blank", file=file, row=number + 1,
                             field="record_id")
        raise InputError(f"record_id {frame['record_id'][number]!r} appears twice", file=file,
                         row=number + 1, field="record_id")


def _read_any_csv(path: Path) -> pa.Table:
    """`read_people_csv` row by row, with the csv module's view of an irregular file."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            header = reader.fieldnames or []
            missing = [c for c in FILE_REQUIRED_COLUMNS if c not in header]
            if missing:
                raise InputError(f"missing required column(s): {', '.join(missing)}",
                                 file=str(path))
            rows = list(reader)
    except UnicodeDecodeError as e:
        raise InputError(f"not UTF-8 text: {e.reason}", file=str(path)) from e
    except csv.Error as e:
        raise InputError(f"not a readable CSV: {e}", file=str(path)) from e
    columns = {c: [(row.get(c) or "").strip() or None for row in rows] for c in RAW_COLUMNS}
    columns["agency"] = [a or DEFAULT_FILE_AGENCY for a in columns["agency"]]
    table = pa.table({c: pa.array(v, pa.string()) for c, v in columns.items()})
    _check_record_ids(table["agency"], table["record_id"], file=str(path))
    return table


def prepare_record(record: Mapping[str, Any], *, agency: str = "query") -> dict[str, Any]:
    """One record (people-format fields) prepared exactly as in batch, as a dict.

    Raises InputError when its date of birth is malformed.
    """
    return prepare_records([record], agency=agency)[0]


def prepare_records(records: Sequence[Mapping[str, Any]], *,
                    agency: str = "query") -> list[dict[str, Any]]:
    """A few records prepared as `prepare_record` does, in one table: building the table
    costs about as much for several records as for one (a search's variants of a query).
    """
    raw = {c: [_as_text(r.get(c)) for r in records] for c in RAW_COLUMNS}
    raw["agency"] = [_as_text(r.get("agency")) or agency for r in records]
    raw["record_id"] = [_as_text(r.get("record_id")) or "query" for r in records]
    table = pa.table({c: pa.array(v, pa.string()) for c, v in raw.items()})
    _check_dobs(table, file=None)
    return prepare_table(table).to_pylist()


def prepare_table(raw: pa.Table) -> pa.Table:
    """The linkage table of raw people-format text columns (see module docstring).

    Malformed dates of birth become unknown here; callers that must report them call
    `_check_dobs` first.
    """
    c = _cleaned_columns(_with_all_columns(raw))
    first, surname = c["first_name"], c["surname"]
    year, month, day = c["dob_year"], c["dob_month"], c["dob_day"]
    forenames_all = _union_of_lists(_words(first), _words(c["middle_names"]),
                                    c["alias_forenames"])
    surnames_all = _union_of_lists(_words(surname), c["surname_whole"],
                                   c["previous_surnames"], c["alias_surnames"])
    # The sound code of every name word, whole names too, for blocking: a pair meets on
    # it with the date of birth however the names were split, ordered or misspelt.
    name_codes = _union_of_lists(_sound_codes(forenames_all), _sound_codes(surnames_all),
                                 _listed(c["first_name_dm"]), _listed(c["surname_dm"]))
    return pa.table({
        "uid": pc.binary_join_element_wise(c["agency"], c["record_id"], ":"),
        "agency": c["agency"],
        "record_id": c["record_id"],
        "first_name": first,
        "middle_names": c["middle_names"],
        "surname": surname,
        "first_name_dm": c["first_name_dm"],
        "surname_dm": c["surname_dm"],
        "first_name_nick": c["first_name_nick"],
        "forenames_all": forenames_all,
        "surnames_all": surnames_all,
        "name_codes": name_codes,
        "name_ends": _map(pc.binary_join_element_wise(first, surname, "|"),
                          _name_ends, _STR_LIST),
        # Both name codes in sorted order: a swap of forename and surname still agrees.
        "name_codes_pair": pc.if_else(
            pc.less_equal(c["first_name_dm"], c["surname_dm"]),
            pc.binary_join_element_wise(c["first_name_dm"], c["surname_dm"], "|"),
            pc.binary_join_element_wise(c["surname_dm"], c["first_name_dm"], "|")),
        "dob": pc.binary_join_element_wise(
            _zero_padded(year, 4), _zero_padded(month, 2), _zero_padded(day, 2), "-"),
        # The day and month in ascending order: a day/month swap still agrees.
        "dob_unordered": pc.binary_join_element_wise(
            _zero_padded(year, 4), _zero_padded(pc.min_element_wise(month, day), 2),
            _zero_padded(pc.max_element_wise(month, day), 2), "-"),
        "dob_month_day": pc.binary_join_element_wise(
            _zero_padded(month, 2), _zero_padded(day, 2), "-"),
        "dob_year": year,
        "dob_month": month,
        "dob_day": day,
        "dob_precision": pc.if_else(
            pc.is_valid(day), "day",
            pc.if_else(pc.is_valid(month), "month", pc.if_else(pc.is_valid(year), "year",
                                                                 pa.scalar(None, pa.string())))),
        **{name: c[name] for name in (
            "dob_estimated", "sex", "postcode", "postcode_sector", "postcode_district",
            "address_tokens", "address_key", "nhs_number", "upn", "pnc_id")},
    })


def _words(names: pa.Array) -> pa.Array:
    """Each name split into its words (None stays None)."""
    return pc.split_pattern(names, " ")


def _listed(values: pa.Array) -> pa.Array:
    """Each value as a one-item list (None stays None)."""
    known = pc.is_valid(values).to_numpy(zero_copy_only=False)
    offsets = pa.array(np.concatenate([[0], known.cumsum()]), pa.int32())
    return pa.ListArray.from_arrays(offsets, values.drop_null(), mask=pa.array(~known),
                                    type=_STR_LIST)


def _sound_codes(names: pa.Array) -> pa.Array:
    """Each list of names as the double-metaphone codes of its items (None stays None)."""
    lengths = pc.fill_null(pc.list_value_length(names), 0).to_numpy(zero_copy_only=False)
    offsets = pa.array(np.concatenate([[0], lengths.cumsum()]), pa.int32())
    codes = _map(pc.list_flatten(names), n.metaphone_code, pa.string())
    return pa.ListArray.from_arrays(offsets, codes, mask=names.is_null(), type=_STR_LIST)


def _union_of_lists(*columns: pa.Array) -> pa.Array:
    """Row by row, the sorted distinct items of several list<string> columns.

    Done on the flattened values rather than row by row in Python: this is the one
    step whose cost grows with every record rather than with the distinct values.
    """
    rows = len(columns[0])
    if rows <= _SMALL:
        merged = [sorted({v for items in row if items for v in items if v is not None}) or None
                  for row in zip(*(c.to_pylist() for c in columns), strict=True)]
        return pa.array(merged, _STR_LIST)
    index = pa.concat_arrays([pc.list_parent_indices(c) for c in columns])
    values = pa.concat_arrays([pc.list_flatten(c) for c in columns])
    pairs = (pa.table({"row": pc.cast(index, pa.int64()), "value": values})
             .filter(pc.is_valid(values))
             .group_by(["row", "value"]).aggregate([])
             .sort_by([("row", "ascending"), ("value", "ascending")]))
    counts = pc.value_counts(pairs["row"]).flatten()
    lengths = np.zeros(rows, np.int64)
    lengths[counts[0].to_numpy()] = counts[1].to_numpy()
    offsets = pa.array([0, *lengths.cumsum()], pa.int32())
    mask = pa.array(lengths == 0)
    return pa.ListArray.from_arrays(offsets, pairs["value"].combine_chunks(), mask=mask,
                                    type=_STR_LIST)


def _zero_padded(values: pa.Array, width: int) -> pa.Array:
    return pc.utf8_lpad(pc.cast(values, pa.string()), width=width, padding="0")


def _cleaned_columns(raw: pa.Table) -> dict[str, pa.Array]:
    """Each raw column cleaned value by value (see `normalise.py`)."""
    first = _map(raw["first_name"], n.forename, pa.string())
    middle = _map(raw["middle_names"], n.fold, pa.string())
    surname = _map(raw["surname"], n.fold, pa.string())
    dob = _map(raw["dob"], _dob_or_none, pa.struct(
        [("y", pa.int32()), ("m", pa.int32()), ("d", pa.int32())]))
    home = _map(raw["address"], _home, pa.struct(
        [("postcode", pa.string()), ("key", pa.string()), ("words", _STR_LIST)]))
    # A full postcode from its own column, else one written inside the address, else
    # what the column holds (an outward code alone still gives the district).
    postcode = _map(pc.coalesce(_map(raw["postcode"], normalise_postcode, pa.string()),
                                pc.struct_field(home, "postcode"), raw["postcode"]),
                    _postcode_struct, pa.struct([("unit", pa.string()),
                                                 ("sector", pa.string()),
                                                 ("district", pa.string())]))
    return {
        "agency": raw["agency"].combine_chunks(),
        "record_id": raw["record_id"].combine_chunks(),
        "first_name": first,
        "middle_names": middle,
        "surname": surname,
        "first_name_dm": _map(first, n.metaphone_code, pa.string()),
        "surname_dm": _map(surname, n.metaphone_code, pa.string()),
        "surname_whole": _map(surname, lambda v: [v], _STR_LIST),
        "first_name_nick": _map(first, lambda v: list(n.nickname_group(v)) or None, _STR_LIST),
        "previous_surnames": _map(raw["previous_surnames"], _previous_surnames, _STR_LIST),
        "alias_forenames": _map(raw["aliases"], lambda v: _alias_names(v, 0), _STR_LIST),
        "alias_surnames": _map(raw["aliases"], lambda v: _alias_names(v, -1), _STR_LIST),
        "dob_year": pc.struct_field(dob, "y"),
        "dob_month": pc.struct_field(dob, "m"),
        "dob_day": pc.struct_field(dob, "d"),
        "dob_estimated": pc.fill_null(_map(raw["dob_estimated"], _truthy, pa.bool_()), False),
        "sex": _map(raw["sex"], _sex, pa.string()),
        "postcode": pc.struct_field(postcode, "unit"),
        "postcode_sector": pc.struct_field(postcode, "sector"),
        "postcode_district": pc.struct_field(postcode, "district"),
        "address_tokens": pc.struct_field(home, "words"),
        "address_key": pc.struct_field(home, "key"),
        "nhs_number": _valid_nhs_numbers(raw["nhs_number"]),
        "upn": _map(raw["upn"], n.valid_upn, pa.string()),
        "pnc_id": _map(raw["pnc_id"], n.valid_pnc_id, pa.string()),
    }


def _valid_nhs_numbers(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """Each value that is an NHS number (10 digits, spaces ignored) with a right modulus-11
    check digit, else None. Worked out on all values at once: nearly every health record
    has a number of its own, so there are as many distinct values as records."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    digits = pc.replace_substring(pc.utf8_trim_whitespace(column), " ", "")
    shaped = pc.fill_null(pc.and_(pc.equal(pc.binary_length(digits), 10),
                                  pc.utf8_is_digit(digits)), False)
    candidates = pc.filter(digits, shaped)
    # Ten ASCII digits each, back to back in the values buffer: a matrix of digits.
    offsets = np.frombuffer(candidates.buffers()[1], np.int32)[
        candidates.offset:candidates.offset + len(candidates) + 1]
    numbers = np.frombuffer(candidates.buffers()[2] or b"", np.uint8)[
        offsets[0]:offsets[-1]].reshape(-1, 10).astype(np.int64) - ord("0")
    check = (11 - numbers[:, :9] @ np.arange(10, 1, -1) % 11) % 11  # a remainder of 0: 0
    valid = np.zeros(len(digits), dtype=bool)
    valid[np.flatnonzero(shaped.to_numpy(zero_copy_only=False))] = \
        (check != 10) & (check == numbers[:, 9])
    return pc.if_else(pa.array(valid), digits, pa.scalar(None, pa.string()))


def _map(column: pa.ChunkedArray | pa.Array, fn: Callable[[str], Any],
         type_: pa.DataType) -> pa.Array:
    """`fn` applied to each distinct non-blank value of `column`, broadcast back to rows.

    Values are stripped first; blank and missing values map to None without calling `fn`.
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if len(column) <= _SMALL:
        return pa.array([_apply(fn, v) for v in column.to_pylist()], type_)
    distinct = pc.unique(column).drop_null()
    mapped = pa.array([_apply(fn, v) for v in distinct.to_pylist()], type_)
    return mapped.take(pc.index_in(column, value_set=distinct))


def _apply(fn: Callable[[str], Any], value: str | None) -> Any:
    text = value.strip() if value is not None else ""
    return fn(text) if text else None


def _with_all_columns(raw: pa.Table) -> pa.Table:
    """The raw table with every people-format column, as text (missing ones all blank)."""
    return pa.table({
        c: (pc.cast(raw[c], pa.string()) if c in raw.column_names
            else pa.nulls(raw.num_rows, pa.string()))
        for c in RAW_COLUMNS
    })


def _check_dobs(raw: pa.Table, *, file: str | None) -> None:
    """Raise InputError at the first malformed date of birth."""
    if "dob" not in raw.column_names:
        return
    for number, value in enumerate(raw["dob"].to_pylist(), start=1):
        try:
            n.parse_dob(value)
        except ValueError as e:
            raise InputError(str(e), file=file, row=number if file else None,
                             field="dob") from None


def _dob_or_none(value: str) -> dict[str, int | None] | None:
    try:
        y, m, d = n.parse_dob(value)
    except ValueError:
        return None
    return {"y": y, "m": m, "d": d}


def _home(address: str) -> dict[str, Any]:
    """One reading of an address by the one address reader: the postcode written inside
    it, its home's key (house number or name, flat and street: `12||HIGH STREET`; the
    district left out, as one record of a home may have a postcode and another not) and
    its distinct words without the postcode (`address_tokens`)."""
    reading = read_address(address)
    key = reading.household_key
    return {"postcode": reading.postcode,
            "key": key.rsplit("|", 1)[0] if key is not None else None,
            "words": sorted(set(reading.words)) or None}


def _postcode_struct(value: str) -> dict[str, str | None]:
    unit, sector, district = postcode_parts(value)
    return {"unit": unit, "sector": sector, "district": district}


def _previous_surnames(value: str) -> list[str] | None:
    names = [f for f in (n.fold(v) for v in n.list_values(value)) if f]
    parts = [p for name in names for p in n.name_parts(name)]
    return sorted({*names, *parts}) or None


def _alias_names(value: str, position: int) -> list[str] | None:
    """First (position 0) or last (-1) words of each alias full name."""
    words = [n.name_parts(n.fold(v)) for v in n.list_values(value)]
    return sorted({w[position] for w in words if w}) or None


def _name_ends(names: str) -> list[str] | None:
    """Keys of a forename and surname ("FIRST|SURNAME") that survive a typo in each."""
    first, surname = names.split("|")
    return n.name_end_keys(first, surname) or None


def _truthy(value: str) -> bool:
    return value.lower() in {"true", "yes", "y", "1"}


def _sex(value: str) -> str | None:
    value = value.upper()[:1]
    return value if value in {"F", "M"} else None


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None
