"""Natural keys, row hashes and versions: what of an extract is new, changed or unchanged.

A row's key is its natural key within the agency (`TableSpec.key`); its hash is an MD5
of its normalised values, written out the same way whatever library version reads
them, so that an unchanged row hashes the same next year. A key not stored before is
new (version 1); a key whose latest stored hash differs is changed (version + 1).
"""

from __future__ import annotations

import hashlib

import polars as pl

from kinlink.ingest.format import TableSpec
from kinlink.ingest.reader import ROW
from kinlink.ingest.validate import PROBLEM_SCHEMA

KEY, HASH, VERSION, STATUS = "key", "row_hash", "version", "status"
NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
STORED_SCHEMA = {KEY: pl.Utf8, VERSION: pl.Int64, HASH: pl.Utf8}

_SEPARATOR = "\x1f"  # control characters never survive validation, so keys cannot collide


def _as_text(column: str, dtype: pl.DataType) -> pl.Expr:
    """The value as fixed text for keys and hashes (blank as an empty string)."""
    value = pl.col(column)
    if dtype == pl.Date:
        value = value.dt.strftime("%Y-%m-%d")
    elif dtype == pl.Datetime:
        value = value.dt.strftime("%Y-%m-%dT%H:%M:%S")
    elif dtype == pl.Boolean:
        value = pl.when(value).then(pl.lit("1")).otherwise(pl.lit("0"))
    return value.fill_null("")


def with_key_and_hash(rows: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """Add each row's natural `key` and the `row_hash` of its values."""
    schema = rows.schema
    key = pl.concat_str([_as_text(c, schema[c]) for c in spec.key], separator=_SEPARATOR)
    values = rows.select(pl.concat_str([_as_text(c, schema[c]) for c in spec.column_names],
                                       separator=_SEPARATOR)).to_series()
    hashes = [hashlib.md5(v.encode(), usedforsecurity=False).hexdigest() for v in values]
    return rows.with_columns(key.alias(KEY), pl.Series(HASH, hashes, dtype=pl.Utf8))


def duplicate_keys(rows: pl.DataFrame, spec: TableSpec) -> pl.DataFrame:
    """Problems for rows repeating an earlier row's key: the first row with a key wins."""
    first = rows.select(pl.col(ROW), pl.col(ROW).min().over(KEY).alias("first"))
    repeated = first.filter(pl.col(ROW) != pl.col("first"))
    names = ", ".join(spec.key)
    noun = "key" if len(spec.key) == 1 else "key columns"
    return repeated.select(
        pl.col(ROW),
        pl.lit(names).alias("field"),
        pl.format(f"same {noun} ({names}) as row {{}}; only the first is kept",
                  pl.col("first")).alias("reason"),
    ).cast(PROBLEM_SCHEMA)  # type: ignore[arg-type]


def latest_stored(stored: pl.DataFrame) -> pl.DataFrame:
    """The latest stored version and hash of each key (from all stored versions)."""
    return stored.sort(VERSION).group_by(KEY).last()


def compare_with_stored(rows: pl.DataFrame, stored: pl.DataFrame) -> pl.DataFrame:
    """Add each row's `status` (new, changed, unchanged) and the `version` it would be stored as."""
    latest = latest_stored(stored).rename({VERSION: "stored_version", HASH: "stored_hash"})
    joined = rows.join(latest, on=KEY, how="left", maintain_order="left")
    status = (pl.when(pl.col("stored_version").is_null()).then(pl.lit(NEW))
              .when(pl.col("stored_hash") == pl.col(HASH)).then(pl.lit(UNCHANGED))
              .otherwise(pl.lit(CHANGED)))
    version = pl.col("stored_version").fill_null(0) + 1
    return joined.with_columns(status.alias(STATUS), version.alias(VERSION)).drop(
        "stored_version", "stored_hash")
