"""Batch prediction: every candidate pair of records scored by the trained model."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from kinlink.linkage.engines import check_engine, linker_for, to_arrow
from kinlink.linkage.model import LinkageModel

DEFAULT_THRESHOLD = 0.01
"""Pairs below this match probability are dropped: low enough to keep every pair the
review band (e.g. 0.5 to 0.95) or clustering could want."""


def predict(records: pa.Table, model: LinkageModel, *, engine: str = "duckdb",
            spark_master: str | None = None,
            threshold: float = DEFAULT_THRESHOLD) -> pa.Table:
    """Score the candidate pairs of `records` (prepared) with `model`.

    Returns one row per pair with `uid_l < uid_r`, `match_weight`, `match_probability`,
    the comparison vector (`gamma_<comparison>`), each comparison's Bayes factors
    (`bf_...`) and the compared values (`<column>_l`, `<column>_r`), which is what
    `explain` needs. Sorted by (uid_l, uid_r) so both engines give identical tables.
    """
    check_engine(engine)
    with linker_for(records, model.settings_for(engine), engine=engine,
                    spark_master=spark_master) as linker:
        pairs = to_arrow(linker.inference.predict(threshold_match_probability=threshold,
                                                  warning_mode="never"))
    return _tidy(pairs)


def _tidy(pairs: pa.Table) -> pa.Table:
    """Pairs ordered, Splink's bookkeeping columns dropped, probabilities as float64."""
    keep = [c for c in pairs.column_names if c not in ("match_key",)]
    pairs = pairs.select(keep)
    for name in ("match_weight", "match_probability"):
        index = pairs.column_names.index(name)
        pairs = pairs.set_column(index, name, pc.cast(pairs[name], pa.float64()))
    return pairs.sort_by([("uid_l", "ascending"), ("uid_r", "ascending")])
