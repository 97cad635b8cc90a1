"""References between tables: a row may only name records the agency has sent.

A relationship, risk marker, incident role or referral must name a person record (and an
incident role an incident) that is in this extract's good rows or already stored for the
same agency. Anything else would leave a dangling link in a child's network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from kinlink.ingest.format import TABLES, TableSpec
from kinlink.ingest.reader import ROW
from kinlink.ingest.validate import PROBLEM_SCHEMA

StoredLookup = Callable[[TableSpec, str, list[str]], set[str]]
"""(target table, target column, values) -> the values already stored for the agency."""


def referenced_columns() -> set[tuple[str, str]]:
    """Every (table, column) some other table refers to."""
    return {(r.table, r.target) for spec in TABLES.values() for r in spec.references}


@dataclass
class ExtractValues:
    """Values of referenced columns seen in this extract so far: good rows and quarantined ones."""

    good: dict[tuple[str, str], pl.Series] = field(default_factory=dict)
    quarantined: dict[tuple[str, str], pl.Series] = field(default_factory=dict)

    def remember(self, spec: TableSpec, good_rows: pl.DataFrame, bad_rows: pl.DataFrame) -> None:
        """Keep the referenced columns of a loaded table, for the tables loaded after it."""
        for table, column in referenced_columns():
            if table == spec.name:
                self.good[table, column] = good_rows.get_column(column).drop_nulls()
                if column in bad_rows.columns:
                    self.quarantined[table, column] = bad_rows.get_column(column).drop_nulls()


def check_references(rows: pl.DataFrame, spec: TableSpec, *, agency: str, seen: ExtractValues,
                     lookup: StoredLookup) -> pl.DataFrame:
    """Problems (PROBLEM_SCHEMA) for rows naming a record neither in the extract nor stored."""
    problems = [_check(rows, spec, ref.column, ref.table, ref.target, agency, seen, lookup)
                for ref in spec.references]
    return pl.concat([pl.DataFrame(schema=PROBLEM_SCHEMA), *problems], how="vertical")


def _check(rows: pl.DataFrame, spec: TableSpec, column: str, table: str, target: str,
           agency: str, seen: ExtractValues, lookup: StoredLookup) -> pl.DataFrame:
    values = rows.get_column(column)
    in_extract = seen.good.get((table, target), pl.Series(dtype=pl.Utf8))
    unresolved = values.filter(values.is_not_null() & ~values.is_in(in_extract.implode()))
    if unresolved.is_empty():
        return pl.DataFrame(schema=PROBLEM_SCHEMA)
    stored = lookup(TABLES[table], target, unresolved.unique().to_list())
    known = pl.concat([in_extract, pl.Series(sorted(stored), dtype=pl.Utf8)])
    quarantined = seen.quarantined.get((table, target), pl.Series(dtype=pl.Utf8))
    dangling = pl.col(column).is_not_null() & ~pl.col(column).is_in(known.implode())
    where = f"{table}.{target}"
    reason = (pl.when(pl.col(column).is_in(quarantined.implode()))
              .then(pl.format(f"'{{}}' names a {table} row that was quarantined", pl.col(column)))
              .otherwise(pl.format(f"'{{}}' is not a {where} in this extract or already stored "
                                   f"for {agency}", pl.col(column))))
    return rows.filter(dangling).select(
        pl.col(ROW), pl.lit(column).alias("field"), reason.alias("reason")
    ).cast(PROBLEM_SCHEMA)  # type: ignore[arg-type]
