"""Checking and normalising every value of a table, column by column.

Each column kind of `kinlink.ingest.format` has a `Rule`: how cleaned text becomes the
value we store, and the ways a value can be wrong. Rules are polars expressions, run in
three vectorised passes over the whole table (clean, normalise, check), so a million
rows take seconds. Reason texts are written only for the rows that failed.

A wrong value costs the whole row (it goes to quarantine, never to the store) unless its
column is one of `SET_ASIDE`: then the value is stored as unknown and the problem is
kept as a set-aside finding, since a person with a mistyped date of birth is still a real
person with a real history. A people row is quarantined whole only when nothing usable
is left: no name and no identifier (`USABLE`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from kinlink.ingest import identifiers
from kinlink.ingest.format import ColumnSpec, Kind, TableSpec
from kinlink.ingest.reader import ROW

MIN_YEAR, MAX_YEAR = 1900, 2099
"""Dates outside these years are typing mistakes in this domain."""

MAX_AGE = 120

PROBLEM_SCHEMA = {ROW: pl.Int64, "field": pl.Utf8, "reason": pl.Utf8}

_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"  # tab and line breaks are fine in free text
_ANY_CONTROL = r"[\x00-\x1f\x7f]"
_TRUE, _FALSE = ("true", "t", "yes", "y", "1"), ("false", "f", "no", "n", "0")
_SEXES = {"f": "F", "female": "F", "m": "M", "male": "M", "u": "U", "unknown": "U"}
_DATE_ORDER = (("from_date", "to_date"), ("start_date", "end_date"),
               ("cp_plan_start_date", "cp_plan_end_date"))
"""Column pairs where the second date cannot come before the first."""

SET_ASIDE: dict[str, tuple[str, ...]] = {
    "people": ("dob", "dob_estimated", "sex", "postcode", "nhs_number", "upn", "pnc_id",
               "recorded_at"),
    "addresses": ("postcode",),
    "incidents": ("postcode",),
}
"""Per table, the columns whose wrong value is stored as unknown instead of costing the row."""
USABLE: dict[str, tuple[str, ...]] = {
    "people": ("first_name", "surname", "nhs_number", "upn", "pnc_id"),
}
"""Per table, the columns of which a row must keep at least one to be stored."""
NOTHING_USABLE = "nothing usable: no name and no valid NHS number, UPN or PNC id"

Check = tuple[pl.Expr, pl.Expr]
"""(the value is wrong, why): over `v` (cleaned text) and `n` (the normalised value)."""


@dataclass(frozen=True)
class Rule:
    """How one kind of column is normalised and checked.

    `normalise(v, column, today)` gives the stored value from cleaned text `v`;
    `checks(v, n, column, today)` lists what can be wrong, given `n`, the normalised value.
    """

    normalise: Callable[[pl.Expr, ColumnSpec, date], pl.Expr]
    checks: Callable[[pl.Expr, pl.Expr, ColumnSpec, date], list[Check]]


@dataclass
class Validated:
    """A table after value checks: good rows normalised and typed, and one problem per bad value."""

    rows: pl.DataFrame  # ROW + every column of the table spec
    problems: pl.DataFrame  # PROBLEM_SCHEMA: each costs its row
    set_aside: pl.DataFrame = field(  # PROBLEM_SCHEMA: values of kept rows stored as unknown
        default_factory=lambda: pl.DataFrame(schema=PROBLEM_SCHEMA))

    def drop_problem_rows(self) -> Validated:
        """Keep in `rows` only the rows with no problem."""
        bad = self.problems.get_column(ROW).unique()
        return Validated(self.rows.filter(~pl.col(ROW).is_in(bad.implode())), self.problems,
                         self.set_aside)


def validate_values(frame: pl.DataFrame, spec: TableSpec, *, today: date) -> Validated:
    """Check and normalise every value of `frame` (text cells plus `ROW`) against `spec`.

    Columns of the spec missing from the frame are treated as blank.
    """
    # Each pass is materialised, so later passes read columns instead of recomputing them.
    staged = frame.lazy().select(
        pl.col(ROW), *(_cleaned(frame, c) for c in spec.column_names)).collect()
    staged = staged.lazy().with_columns(
        _normalised(c, frame, today).alias(_value_name(c.name)) for c in spec.columns).collect()
    checks = {c.name: _checks(c, today) if c.name in frame.columns else [] for c in spec.columns}
    # Only the index of the first failing check: writing reason texts for a million good
    # rows would cost more than all the checks together.
    errors = staged.lazy().select(
        pl.col(ROW), *(_failed_check(checks[c]).alias(_error_name(c)) for c in checks)).collect()
    rows = staged.select(pl.col(ROW), *(pl.col(_value_name(c)).alias(c) for c in checks))
    problems = pl.concat(
        [pl.DataFrame(schema=PROBLEM_SCHEMA), *_column_problems(staged, errors, checks),
         *_cross_column_problems(rows, spec)],
        how="vertical",
    ).sort(ROW, maintain_order=True)
    return _set_aside(Validated(rows, problems), spec, today).drop_problem_rows()


def _set_aside(checked: Validated, spec: TableSpec, today: date) -> Validated:
    """Store the wrong values of `SET_ASIDE` columns as unknown where that saves the row,
    then refuse rows with nothing `USABLE` left."""
    columns = SET_ASIDE.get(spec.name, ())
    problems, rows = checked.problems, checked.rows
    soft = pl.col("field").is_in(columns)
    costly = problems.filter(~soft).get_column(ROW).unique().implode()
    aside = problems.filter(soft & ~pl.col(ROW).is_in(costly))
    if not aside.is_empty():
        rows = rows.with_columns(
            pl.when(pl.col(ROW).is_in(
                aside.filter(pl.col("field") == c).get_column(ROW).implode()))
            .then(pl.lit(_blank_value(column, today), rows.schema[c])).otherwise(pl.col(c))
            .alias(c)
            for column in spec.columns if (c := column.name) in columns)
        problems = problems.filter(~soft | pl.col(ROW).is_in(costly))
    unusable = _nothing_usable(rows.filter(~pl.col(ROW).is_in(costly)), spec)
    lost = pl.col(ROW).is_in(unusable.get_column(ROW).implode())
    problems = pl.concat([problems, aside.filter(lost), unusable]).sort(ROW, maintain_order=True)
    return Validated(rows, problems, aside.filter(~lost))


def _nothing_usable(rows: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """A problem for each row without any of its table's `USABLE` values."""
    columns = USABLE.get(spec.name)
    if not columns:
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    return rows.filter(pl.all_horizontal(pl.col(c).is_null() for c in columns)).select(
        pl.col(ROW), pl.lit(None, pl.Utf8).alias("field"), pl.lit(NOTHING_USABLE).alias("reason"))


def _cleaned(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The column's text without surrounding spaces, blank as null (absent columns are blank)."""
    if column not in frame.columns:
        return pl.lit(None, pl.Utf8).alias(column)
    text = pl.col(column).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text).alias(column)


def _normalised(column: ColumnSpec, frame: pl.DataFrame, today: date) -> pl.Expr:
    """The stored value; for a column the file does not have, its blank value, found cheaply."""
    if column.name in frame.columns:
        return RULES[column.kind].normalise(pl.col(column.name), column, today)
    return pl.lit(_blank_value(column, today))


def _blank_value(column: ColumnSpec, today: date) -> object:
    """What a blank cell of the column is stored as (None; "U" for sex, False for yes/no)."""
    blank = pl.DataFrame({column.name: [None]}, schema={column.name: pl.Utf8})
    return blank.select(RULES[column.kind].normalise(pl.col(column.name), column, today)).item()


def _value_name(column: str) -> str:
    return f"__value__{column}"


def _error_name(column: str) -> str:
    return f"__error__{column}"


def _checks(column: ColumnSpec, today: date) -> list[Check]:
    """The column's checks, with "a value is required" first where it applies."""
    v, n = pl.col(column.name), pl.col(_value_name(column.name))
    checks = RULES[column.kind].checks(v, n, column, today)
    if column.not_blank:
        checks = [(v.is_null(), pl.lit("a value is required")), *checks]
    return checks


def _failed_check(checks: list[Check]) -> pl.Expr:
    """The index of the first failing check, or null when the value is good."""
    if not checks:
        return pl.lit(None, pl.Int8)
    return pl.coalesce([pl.when(wrong.fill_null(False)).then(pl.lit(i, pl.Int8))
                        for i, (wrong, _) in enumerate(checks)])


def _column_problems(staged: pl.DataFrame, errors: pl.DataFrame,
                     checks: dict[str, list[Check]]) -> list[pl.DataFrame]:
    """One problem per bad value, its reason written from the failing check's index."""
    frames = []
    for name, column_checks in checks.items():
        error = _error_name(name)
        failed = errors.select(pl.col(ROW), pl.col(error)).filter(pl.col(error).is_not_null())
        if failed.is_empty():
            continue
        reason = pl.coalesce([pl.when(pl.col(error) == i).then(text)
                              for i, (_, text) in enumerate(column_checks)])
        subset = failed.join(staged.select(ROW, name, _value_name(name)), on=ROW, how="left")
        frames.append(subset.select(pl.col(ROW), pl.lit(name).alias("field"),
                                    reason.alias("reason")))
    return frames


def _cross_column_problems(rows: pl.DataFrame, spec: TableSpec) -> list[pl.DataFrame]:
    """Checks across the stored values of one row, reported on the later column."""
    rules: list[tuple[str, pl.Expr, pl.Expr]] = []
    names = spec.column_names
    for first, second in _DATE_ORDER:
        if first in names and second in names:
            rules.append((second, pl.col(second) < pl.col(first),
                          pl.format(f"is before {first} ({{}})", pl.col(first))))
    if spec.name == "relationships":
        rules.append(("related_record_id", pl.col("record_id") == pl.col("related_record_id"),
                      pl.lit("a record cannot be related to itself")))
    return [rows.filter(wrong.fill_null(False)).select(
                pl.col(ROW), pl.lit(name).alias("field"), reason.alias("reason"))
            for name, wrong, reason in rules]


def _reason(template: str, value: pl.Expr) -> pl.Expr:
    """A reason text quoting the value, cut short and with control characters shown as '?'
    (PostgreSQL text cannot hold a NUL, and a reason is read on one line)."""
    shown = value.str.slice(0, 40).str.replace_all(_ANY_CONTROL, "?")
    return pl.format(template, pl.format("'{}'", shown))


def _given_but_unread(v: pl.Expr, n: pl.Expr, template: str) -> Check:
    """The check that a value was given but could not be read as its kind."""
    return v.is_not_null() & n.is_null(), _reason(template, v)


def _same(v: pl.Expr, _c: ColumnSpec, _t: date) -> pl.Expr:
    return v


# --- text and identifiers --------------------------------------------------------------------

def _text_checks(v: pl.Expr, _n: pl.Expr, _c: ColumnSpec, _t: date) -> list[Check]:
    return [(v.str.contains(_CONTROL), pl.lit("contains control characters"))]


def _single_line_checks(v: pl.Expr, _n: pl.Expr, _c: ColumnSpec, _t: date) -> list[Check]:
    return [(v.str.contains(_ANY_CONTROL), pl.lit("contains control characters or line breaks"))]


def _list_items(v: pl.Expr) -> pl.Expr:
    stripped = v.str.split(";").list.eval(pl.element().str.strip_chars())
    return stripped.list.eval(pl.element().filter(pl.element() != ""))


def _normalise_list(v: pl.Expr, _c: ColumnSpec, _t: date) -> pl.Expr:
    """Items stripped, empty items dropped, joined with ';' (null when nothing is left)."""
    joined = _list_items(v).list.join(";")
    return pl.when(joined == "").then(None).otherwise(joined)


def _date_list_checks(v: pl.Expr, n: pl.Expr, _c: ColumnSpec, _t: date) -> list[Check]:
    item = pl.element()
    year = item.str.to_date("%Y-%m-%d", strict=False).dt.year()
    wrong = ~item.str.contains(r"^\d{4}-\d{2}-\d{2}$") | ~year.is_between(MIN_YEAR, MAX_YEAR
                                                                           ).fill_null(False)
    return [(n.str.split(";").list.eval(wrong).list.any(),
             _reason("{} is not a list of dates (YYYY-MM-DD;YYYY-MM-DD)", v))]


def _identifier_checks(shape: str, check: Callable[[pl.Expr], pl.Expr], check_name: str
                       ) -> Callable[[pl.Expr, pl.Expr, ColumnSpec, date], list[Check]]:
    def checks(v: pl.Expr, n: pl.Expr, _c: ColumnSpec, _t: date) -> list[Check]:
        return [_given_but_unread(v, n, "{} is not " + shape),
                (~check(n), _reason("{} has the wrong " + check_name, v))]
    return checks


def _postcode_checks(v: pl.Expr, n: pl.Expr, _c: ColumnSpec, _t: date) -> list[Check]:
    return [_given_but_unread(v, n, "{} is not a UK postcode")]


# --- dates -----------------------------------------------------------------------------------

def _normalise_date(v: pl.Expr, _c: ColumnSpec, _t: date) -> pl.Expr:
    return pl.when(v.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(
        v.str.to_date("%Y-%m-%d", strict=False))


def _normalise_datetime(v: pl.Expr, _c: ColumnSpec, _t: date) -> pl.Expr:
    """A date, or date and time to the minute or second (`T` or a space between).

    Fractions of a second are dropped. Written out in full first, so one format parses all.
    """
    text = v.str.replace("T", " ", literal=True)
    length = text.str.len_chars()
    full = (pl.when(length == 10).then(text + " 00:00:00")
            .when(length == 16).then(text + ":00")
            .when((length > 20) & (text.str.slice(19, 1) == ".")).then(text.str.slice(0, 19))
            .otherwise(text))
    return pl.when(full.str.contains(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")).then(
        full.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"))


def _date_checks(shape: str) -> Callable[[pl.Expr, pl.Expr, ColumnSpec, date], list[Check]]:
    def checks(v: pl.Expr, n: pl.Expr, _c: ColumnSpec, _t: date) -> list[Check]:
        year = n.dt.year()
        return [_given_but_unread(v, n, "{} is not a date (" + shape + ")"),
                ((year < MIN_YEAR) | (year > MAX_YEAR),
                 _reason(f"{{}} has a year outside {MIN_YEAR}-{MAX_YEAR}", v))]
    return checks


def _partial_date_checks(v: pl.Expr, _n: pl.Expr, _c: ColumnSpec, today: date) -> list[Check]:
    """A date of birth: YYYY, YYYY-MM or YYYY-MM-DD, not in the future, not over MAX_AGE."""
    length = v.str.len_chars()
    padded = pl.when(length == 4).then(v + "-01-01").when(length == 7).then(v + "-01").otherwise(v)
    earliest = pl.when(v.str.contains(r"^\d{4}(-\d{2}(-\d{2})?)?$")).then(
        padded.str.to_date("%Y-%m-%d", strict=False))
    latest = (pl.when(length == 4).then(earliest.dt.offset_by("1y").dt.offset_by("-1d"))
              .when(length == 7).then(earliest.dt.month_end()).otherwise(earliest))
    return [
        _given_but_unread(v, earliest, "{} is not a date (YYYY, YYYY-MM or YYYY-MM-DD)"),
        (earliest > pl.lit(today), _reason("{} is in the future", v)),
        (latest < pl.lit(_years_before(today, MAX_AGE)),
         _reason(f"{{}} would make the person over {MAX_AGE}", v)),
    ]


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --- closed vocabularies ---------------------------------------------------------------------

def _mapped(v: pl.Expr, mapping: Mapping[str, object], dtype: type[pl.DataType]) -> pl.Expr:
    return v.str.to_lowercase().replace_strict(mapping, default=None, return_dtype=dtype)


def _normalise_bool(v: pl.Expr, _c: ColumnSpec, _t: date) -> pl.Expr:
    """true/false, yes/no, y/n, t/f, 1/0 in any case; blank is false."""
    mapping = dict.fromkeys(_TRUE, True) | dict.fromkeys(_FALSE, False)
    return pl.when(v.is_null()).then(False).otherwise(_mapped(v, mapping, pl.Boolean))


def _normalise_sex(v: pl.Expr, _c: ColumnSpec, _t: date) -> pl.Expr:
    """F, M or U (or female, male, unknown) in any case; blank is U."""
    return pl.when(v.is_null()).then(pl.lit("U")).otherwise(_mapped(v, _SEXES, pl.Utf8))


def _normalise_enum(v: pl.Expr, column: ColumnSpec, _t: date) -> pl.Expr:
    """One value of the vocabulary, matched ignoring case and with `_` or spaces for `-`."""
    mapping = {value.lower(): value for value in column.vocabulary}
    key = v.str.to_lowercase().str.replace_all(r"[\s_]+", "-")
    return key.replace_strict(mapping, default=None, return_dtype=pl.Utf8)


def _vocabulary_checks(allowed: str) -> Callable[[pl.Expr, pl.Expr, ColumnSpec, date],
                                                 list[Check]]:
    def checks(v: pl.Expr, n: pl.Expr, column: ColumnSpec, _t: date) -> list[Check]:
        values = allowed or ", ".join(column.vocabulary)
        return [_given_but_unread(v, n, "{} is not one of: " + values)]
    return checks


def _normalise_pnc(v: pl.Expr, _c: ColumnSpec, today: date) -> pl.Expr:
    return identifiers.normalise_pnc_id(v, current_year=today.year)


RULES: dict[Kind, Rule] = {
    Kind.TEXT: Rule(_same, _text_checks),
    Kind.ID: Rule(_same, _single_line_checks),
    Kind.LIST: Rule(_normalise_list, _single_line_checks),
    Kind.DATE_LIST: Rule(_normalise_list, _date_list_checks),
    Kind.DATE: Rule(_normalise_date, _date_checks("YYYY-MM-DD")),
    Kind.DATETIME: Rule(_normalise_datetime, _date_checks("YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]")),
    Kind.PARTIAL_DATE: Rule(_same, _partial_date_checks),
    Kind.BOOL: Rule(_normalise_bool, _vocabulary_checks("true/false, yes/no, 1/0")),
    Kind.SEX: Rule(_normalise_sex, _vocabulary_checks("F, M, U")),
    Kind.ENUM: Rule(_normalise_enum, _vocabulary_checks("")),
    Kind.POSTCODE: Rule(lambda v, _c, _t: identifiers.normalise_postcode(v), _postcode_checks),
    Kind.NHS_NUMBER: Rule(lambda v, _c, _t: identifiers.normalise_nhs_number(v),
                          _identifier_checks("a 10-digit NHS number",
                                             identifiers.nhs_number_check_ok,
                                             "NHS number check digit")),
    Kind.UPN: Rule(lambda v, _c, _t: identifiers.normalise_upn(v),
                   _identifier_checks("a UPN (a check letter and 12 characters)",
                                      identifiers.upn_check_ok, "UPN check letter")),
    Kind.PNC_ID: Rule(_normalise_pnc,
                      _identifier_checks("a PNC id (YYYY/NNNNNNNA)", identifiers.pnc_id_check_ok,
                                         "PNC check letter")),
}
"""How each kind of column is normalised and checked."""
