"""Finding an extract's files and reading each into a frame of raw text values.

Reading never judges values: every cell comes back as text (or null), with the
data row number it came from. What cannot be read at all (not UTF-8, no header,
a required column missing, a broken Parquet file) raises `InputError`; a CSV row
that cannot be split into the header's fields is handed back as a `BadRow` so the
loader can quarantine it and keep the rest of the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from kinlink.errors import InputError
from kinlink.ingest.format import TABLES, TableSpec

ROW = "__kinlink_row__"
"""Column holding each row's 1-based data row number (the header is row 0)."""

FORMATS = {".csv": "csv", ".parquet": "parquet"}
MAX_CELL_BYTES = 100_000
"""A cell longer than this is not a value but a mistake (a pasted document, a broken
export): its row is quarantined, the rest of the file loads."""
_SHOWN_BYTES = 200  # of such a row, what the quarantine keeps to recognise it by
_BOM = b"\xef\xbb\xbf"
_UTF8_BLOCK = 1 << 22


@dataclass(frozen=True)
class ExtractFile:
    """One table of an extract, as a file on disk."""

    spec: TableSpec
    path: Path

    @property
    def format(self) -> str:
        return FORMATS[self.path.suffix.lower()]

    @property
    def name(self) -> str:
        return self.path.name


@dataclass(frozen=True)
class BadRow:
    """A CSV row that could not be split into the header's fields."""

    row: int
    reason: str
    text: str


@dataclass
class RawTable:
    """A file's rows as text: the file's columns plus `ROW`, and the rows that failed to split."""

    file: ExtractFile
    frame: pl.DataFrame
    bad_rows: list[BadRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return self.frame.height + len(self.bad_rows)


def find_files(path: Path) -> tuple[list[ExtractFile], list[str]]:
    """The extract's table files in load order, and warnings about files that are not tables.

    `path` is an agency's folder, or a single `<table>.csv` / `<table>.parquet` file.
    """
    if not path.exists():
        raise InputError("no such file or folder", file=str(path))
    candidates = sorted(path.iterdir()) if path.is_dir() else [path]
    found: dict[str, ExtractFile] = {}
    warnings = []
    for candidate in candidates:
        if candidate.name.startswith("."):
            continue
        table = candidate.stem.lower()
        if candidate.is_file() and candidate.suffix.lower() in FORMATS and table in TABLES:
            if table in found:
                raise InputError(f"two files for table {table!r}: {found[table].name} and "
                                 f"{candidate.name}; send one", file=str(candidate))
            found[table] = ExtractFile(TABLES[table], candidate)
        else:
            warnings.append(f"{candidate.name}: not a table of the format "
                            f"({', '.join(TABLES)} as .csv or .parquet); ignored")
    if not found:
        raise InputError("no table files found (expected people.csv or people.parquet, and "
                         "optionally " + ", ".join(t for t in TABLES if t != "people") + ")",
                         file=str(path))
    if "people" not in found and path.is_dir():
        raise InputError("the extract has no people file (people.csv or people.parquet)",
                         file=str(path))
    return [found[t] for t in TABLES if t in found], warnings


def read_header(file: ExtractFile) -> list[str]:
    """The file's column names (checked against the format), without reading its rows."""
    if file.format == "parquet":
        names = _parquet_file(file).schema_arrow.names
    else:
        try:
            with file.path.open("rb") as f:
                start = f.read(1 << 16).removeprefix(_BOM)
            names = _csv_header(start, file)
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"cannot read the header row ({e})", file=file.name) from e
    return _check_columns(names, file)


def read_file(file: ExtractFile) -> RawTable:
    """Every row of the file as text, with its data row number in `ROW`; a row with a cell
    over MAX_CELL_BYTES comes back as a `BadRow`."""
    raw = _read_parquet(file) if file.format == "parquet" else _read_csv(file)
    return _set_apart_oversize(raw)


def _set_apart_oversize(raw: RawTable) -> RawTable:
    columns = [c for c in raw.frame.columns if c != ROW]
    sizes = raw.frame.select(ROW, *(pl.col(c).str.len_bytes().fill_null(0) for c in columns))
    over = sizes.filter(pl.any_horizontal(pl.col(c) > MAX_CELL_BYTES for c in columns))
    if over.height == 0:
        return raw
    for row in over.iter_rows(named=True):
        name, size = max(((c, row[c]) for c in columns), key=lambda item: item[1])
        raw.bad_rows.append(BadRow(
            row[ROW], f"field {name!r} holds {size:,} bytes; at most {MAX_CELL_BYTES:,} are "
            "read", f"{name}: " + _cell_start(raw.frame, row[ROW], name)))
    raw.frame = raw.frame.filter(~pl.col(ROW).is_in(over[ROW].implode()))
    return raw


def _cell_start(frame: pl.DataFrame, row: int, column: str) -> str:
    value = frame.filter(pl.col(ROW) == row).get_column(column).item()
    return f"{value[:_SHOWN_BYTES]}... (cut)"


def _check_columns(raw_names: list[str], file: ExtractFile) -> list[str]:
    """Normalised column names; refuses a missing header, duplicates or missing required columns."""
    names = [n.strip().lower() or f"column_{i + 1}" for i, n in enumerate(raw_names)]
    spec = file.spec
    if not set(names) & set(spec.column_names):
        raise InputError(f"no header row: the first line must name the columns "
                         f"({', '.join(spec.column_names)})", file=file.name)
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise InputError(f"column {duplicates[0]!r} appears more than once in the header",
                         file=file.name, field=duplicates[0])
    if ROW in names:
        raise InputError(f"column name {ROW!r} is reserved", file=file.name, field=ROW)
    for required in spec.required_columns:
        if required not in names:
            raise InputError("required column missing from the header", file=file.name,
                             field=required)
    return names


def unknown_column_warnings(names: list[str], file: ExtractFile) -> list[str]:
    """Warnings for columns the format does not define (they are kept only in quarantine's raw)."""
    unknown = [n for n in names if n not in file.spec.column_names]
    if not unknown:
        return []
    return [f"{file.name}: column(s) not in the format, ignored: {', '.join(unknown)}"]


# --- CSV -------------------------------------------------------------------------------------

def _csv_bytes(file: ExtractFile) -> bytes:
    """The file's bytes without a byte-order mark; refuses text that is not UTF-8."""
    try:
        data = file.path.read_bytes()
    except OSError as e:
        raise InputError(f"cannot read the file: {e.strerror}", file=file.name) from e
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    _check_utf8(data, file)
    return data


def _check_utf8(data: bytes, file: ExtractFile) -> None:
    """Refuse bytes that are not UTF-8, naming the line of the first bad byte.

    Decoded a block at a time, cut after a newline (never inside a UTF-8 character), so a
    large file is not held twice in memory.
    """
    view, start = memoryview(data), 0
    while start < len(data):
        end = data.find(b"\n", min(start + _UTF8_BLOCK, len(data)))
        end = len(data) if end < 0 else end + 1
        try:
            str(view[start:end], "utf-8")
        except UnicodeDecodeError as e:
            at = start + e.start
            line = data.count(b"\n", 0, at) + 1
            raise InputError(f"not UTF-8 text (byte 0x{data[at]:02x} on line {line}); "
                             "save the file as UTF-8 CSV", file=file.name) from e
        start = end


def _csv_header(data: bytes, file: ExtractFile) -> list[str]:
    """The names on the first line of the CSV."""
    first_line = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    if not first_line.strip():
        raise InputError("no header row: the file is empty or its first line is blank",
                         file=file.name)
    try:
        return next(csv.reader(io.StringIO(first_line)))
    except csv.Error as e:
        raise InputError(f"cannot read the header row: {e}", file=file.name) from e


def _read_csv(file: ExtractFile) -> RawTable:
    data = _csv_bytes(file)
    names = _check_columns(_csv_header(data, file), file)
    try:
        table, split_failures = _parse_csv(data, names)
    except (pa.ArrowException, ValueError) as e:
        raise InputError(f"cannot read the CSV: {e}", file=file.name) from e
    bad_rows, skipped = _split_failures(split_failures, len(names))
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    frame = frame.with_columns(pl.Series(ROW, _row_numbers(table.num_rows, skipped)))
    # Blank lines (and rows of empty cells) hold nothing: skipped, but still counted.
    frame = frame.filter(~pl.all_horizontal(pl.exclude(ROW).str.strip_chars() == ""))
    return RawTable(file, frame, bad_rows, unknown_column_warnings(names, file))


def _parse_csv(data: bytes, names: list[str]) -> tuple[pa.Table, list[pacsv.InvalidRow]]:
    """The CSV's cells as text, and the rows that failed to split. A row longer than
    pyarrow's 1 MB block (a huge cell) cannot be read in blocks: such a file is read again
    as one block."""
    try:
        return _parse_csv_blocks(data, names, 1 << 20)
    except pa.ArrowInvalid as e:
        if "straddl" not in str(e):
            raise
        return _parse_csv_blocks(data, names, len(data) + 1)


def _parse_csv_blocks(data: bytes, names: list[str],
                      block_size: int) -> tuple[pa.Table, list[pacsv.InvalidRow]]:
    split_failures: list[pacsv.InvalidRow] = []

    def on_invalid_row(row: pacsv.InvalidRow) -> str:
        split_failures.append(row)
        return "skip"

    table = pacsv.read_csv(
        pa.py_buffer(data),
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False,
                                       block_size=block_size),
        # Blank lines reach the handler so that row numbers count them like an editor does.
        parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                         invalid_row_handler=on_invalid_row),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False),
    )
    return table, split_failures


def _split_failures(failures: list[pacsv.InvalidRow],
                    width: int) -> tuple[list[BadRow], list[int]]:
    """Rows that failed to split (blank lines dropped), and the numbers of every skipped row."""
    bad, skipped = [], []
    for failure in failures:
        # pyarrow numbers rows from 1 at the header when reading single-threaded.
        row = int(failure.number) - 1 if failure.number is not None else -1
        skipped.append(row)
        if failure.text.strip():
            bad.append(BadRow(row, f"row has {failure.actual_columns} fields but the header "
                                   f"has {width}", failure.text))
    return bad, skipped


def _row_numbers(kept: int, skipped: list[int]) -> np.ndarray:
    """Data row numbers of the rows pyarrow kept, given the numbers of those it skipped."""
    numbers = np.arange(1, kept + len(skipped) + 1, dtype=np.int64)
    if skipped:
        numbers = np.setdiff1d(numbers, np.asarray(skipped, dtype=np.int64), assume_unique=True)
    return numbers[:kept]


# --- Parquet ---------------------------------------------------------------------------------

def _parquet_file(file: ExtractFile) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(file.path)
    except (pa.ArrowException, OSError, ValueError) as e:
        raise InputError(f"not a readable Parquet file ({e})", file=file.name) from e


def _read_parquet(file: ExtractFile) -> RawTable:
    parquet = _parquet_file(file)
    names = _check_columns(parquet.schema_arrow.names, file)
    try:
        table = parquet.read()
    except (pa.ArrowException, OSError, ValueError) as e:
        raise InputError(f"the Parquet file is damaged or truncated ({e})", file=file.name) from e
    columns = {name: _as_text(table.column(i), file, name) for i, name in enumerate(names)}
    frame = pl.from_arrow(pa.table(columns))
    assert isinstance(frame, pl.DataFrame)
    frame = frame.with_columns(pl.Series(ROW, np.arange(1, table.num_rows + 1, dtype=np.int64)))
    return RawTable(file, frame, [], unknown_column_warnings(names, file))


def _as_text(column: pa.ChunkedArray, file: ExtractFile, name: str) -> pa.ChunkedArray:
    """A Parquet column as text: lists joined with ';', dates and numbers written out."""
    try:
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            return pc.binary_join(pc.cast(column, pa.list_(pa.string())), ";")
        if pa.types.is_timestamp(column.type):
            return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
        return pc.cast(column, pa.string())
    except (pa.ArrowException, ValueError) as e:
        raise InputError(f"cannot read the column's {column.type} values as text ({e})",
                         file=file.name, field=name) from e
