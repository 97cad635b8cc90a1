"""Batch prediction: every candidate pair of records scored by the trained model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import pyarrow as pa
from splink import SettingsCreator

from kinlink.linkage.comparisons import comparison_specs
from kinlink.linkage.engines import check_engine, configure, linker_for, to_arrow
from kinlink.linkage.model import LinkageModel

DEFAULT_THRESHOLD = 0.01
"""Pairs below this match probability are dropped: low enough to keep every pair the
review band (e.g. 0.5 to 0.95) or clustering could want."""
_FLOATS = ("match_weight", "match_probability")


def predict(records: pa.Table, model: LinkageModel, *, engine: str = "duckdb",
            spark_master: str | None = None, threshold: float = DEFAULT_THRESHOLD,
            shown: bool = True) -> pa.Table:
    """Score the candidate pairs of `records` (prepared) with `model`.

    Returns one row per pair with `uid_l < uid_r`, `match_weight`, `match_probability`,
    the comparison vector (`gamma_<comparison>`), each comparison's match weight and term
    frequency adjustment (`mw_...`) and, when `shown`, the values an explanation shows
    side by side (`<column>_l`, `<column>_r`), which is what `explain` needs (or add
    them to the few pairs explained with `with_shown_values`: at a million records they
    were a gigabyte). Sorted by (uid_l, uid_r) so both engines give identical tables.
    """
    check_engine(engine)
    # Splink would carry every compared column of every candidate pair (and, with them,
    # the comparison vector) to its output: at 1M records that was a sixth of the time.
    # The pairs kept get them afterwards (`_described`). Set here for saved models too.
    settings = {**model.settings_for(engine), "retain_matching_columns": False}
    with linker_for(records, settings, engine=engine, spark_master=spark_master) as linker:
        pairs = to_arrow(linker.inference.predict(threshold_match_probability=threshold,
                                                  warning_mode="never"))
    pairs = _described(pairs, records, model)
    return with_shown_values(pairs, records) if shown else pairs


def with_shown_values(pairs: pa.Table, records: pa.Table) -> pa.Table:
    """`pairs` (`uid_l`, `uid_r`, ...) with each side's values of the columns
    explanations show (`<column>_l`, `<column>_r`), in the same order."""
    shown = _shown_columns()
    sides = ", ".join(f'{side}."{c}" AS "{c}_{side}"' for side in ("l", "r") for c in shown)
    with _connection() as con:
        con.register("pairs", pairs.append_column(
            "__row", pa.array(range(pairs.num_rows), pa.int64())))
        con.register("records", records.select(["uid", *shown]))
        return con.sql(f"SELECT p.* EXCLUDE (__row), {sides} FROM pairs p "
                       "JOIN records l ON l.uid = p.uid_l JOIN records r ON r.uid = p.uid_r "
                       "ORDER BY p.__row").to_arrow_table()


def _shown_columns() -> list[str]:
    return sorted({column for spec in comparison_specs() for column in spec.shown})


@contextmanager
def _connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-process DuckDB held to the memory the model's own engine is held to."""
    con = duckdb.connect()
    try:
        configure(con)
        yield con
    finally:
        con.close()


def _described(pairs: pa.Table, records: pa.Table, model: LinkageModel) -> pa.Table:
    """The scored pairs with their comparison vector (`gamma_<comparison>`, from Splink's
    own CASE statements, run on DuckDB whatever the engine); ordered, probabilities as
    float64, Splink's bookkeeping column dropped."""
    comparisons = SettingsCreator.from_path_or_dict(model.settings_for("duckdb")) \
        .get_settings("duckdb").comparisons
    read = sorted({column.input_name for comparison in comparisons
                   for column in comparison._input_columns_used_by_case_statement})
    both_sides = ", ".join(f'{side}."{c}" AS "{c}_{side}"' for c in read for side in ("l", "r"))
    kept = ", ".join(f'CAST("{c}" AS DOUBLE) AS "{c}"' if c in _FLOATS else f'"{c}"'
                     for c in pairs.column_names if c != "match_key")
    cases = ", ".join(comparison._case_statement for comparison in comparisons)
    with _connection() as con:
        con.register("pairs", pairs)
        con.register("records", records.select(["uid", *read]))
        return con.sql(
            f"WITH sides AS (SELECT p.*, {both_sides} FROM pairs p "
            "JOIN records l ON l.uid = p.uid_l JOIN records r ON r.uid = p.uid_r) "
            f"SELECT {kept}, {cases} FROM sides ORDER BY uid_l, uid_r").to_arrow_table()
