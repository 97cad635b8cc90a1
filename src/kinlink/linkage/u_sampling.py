"""u by random sampling, every comparison in one pass over the sampled pairs.

u is the share of pairs of two different people in each level of a comparison, and
almost every pair of two records drawn at random is two people. Splink's own
`estimate_u_using_random_sampling` takes the same sample but then joins it with itself
once per comparison, each time in a probe and ten chunks: on our comparisons (the
surname-and-place one alone has twenty levels) that was the costliest step of training.
Here the sampled pairs are joined once and every comparison's level is counted in the
same scan. The sample is Splink's own (the same hash of the uid and seed), so the u
values are the ones Splink finds with every chunk counted.

The sample is small (about 1,400 records for a million pairs), so it is always scored on
an in-process DuckDB, whatever engine the model runs on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import duckdb
import pyarrow as pa
from splink import SettingsCreator
from splink.internals.dialects import SplinkDialect
from splink.internals.estimate_u import _rows_needed_for_n_pairs
from splink.internals.input_column import InputColumn


def sampled_u(records: pa.Table, settings: Mapping[str, Any], *, max_pairs: float,
              seed: int, unique_id: str = "uid") -> dict[str, list[float | None]]:
    """Comparison name -> the u of each of its levels (in the settings' order) among
    about `max_pairs` pairs of records drawn at random; None for the null level and for
    a level no sampled pair fell in (left for training to settle)."""
    comparisons = SettingsCreator.from_path_or_dict(dict(settings)) \
        .get_settings("duckdb").comparisons
    read = sorted({column.input_name for comparison in comparisons
                   for column in comparison._input_columns_used_by_case_statement})
    share = _rows_needed_for_n_pairs(max_pairs) / max(records.num_rows, 1)
    where = SplinkDialect.from_string("duckdb").proportion_sample_sql(
        share, [InputColumn(unique_id, sqlglot_dialect_str="duckdb")], seed=seed)
    sides = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in read)
    cases = ", ".join(comparison._case_statement for comparison in comparisons)
    gammas = ", ".join(f"gamma_{comparison.output_column_name}" for comparison in comparisons)
    con = duckdb.connect()
    try:
        con.register("records", records.select([unique_id, *read]))
        con.execute(f'CREATE TEMP TABLE sample AS SELECT * FROM records WHERE 1=1 {where}')
        # one row per combination of levels seen: a few thousand, whatever the pairs
        patterns = con.sql(
            f'SELECT {gammas}, count(*) AS n FROM (SELECT {cases} FROM (SELECT {sides} '
            f'FROM sample l JOIN sample r ON l."{unique_id}" < r."{unique_id}")) '
            f"GROUP BY ALL").fetchall()
    finally:
        con.close()
    found = {}
    for position, comparison in enumerate(comparisons):
        counts: Counter[int] = Counter()
        for row in patterns:
            counts[row[position]] += row[-1]
        total = sum(n for gamma, n in counts.items() if gamma != -1)
        found[comparison.output_column_name] = [
            None if level.is_null_level or not counts[level.comparison_vector_value]
            else counts[level.comparison_vector_value] / total
            for level in comparison.comparison_levels]
    return found


def with_u(settings: dict[str, Any], found: Mapping[str, list[float | None]]) -> dict[str, Any]:
    """`settings` with each level's u set to what the sample found (levels it found
    nothing in keep what they had)."""
    for comparison in settings["comparisons"]:
        for level, u in zip(comparison["comparison_levels"],
                            found[comparison["output_column_name"]], strict=True):
            if u is not None:
                level["u_probability"] = u
    return settings
