"""The same data gives the same pairs and probabilities on DuckDB and Spark (local mode)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from kinlink.linkage import LinkageModel, predict

pytestmark = pytest.mark.spark


def test_spark_predicts_what_duckdb_predicts(borough_records: pa.Table,
                                             trained_model: LinkageModel) -> None:
    pytest.importorskip("pyspark")
    # A slice keeps Spark's start-up the dominant cost (see ../shared/NOTES.md).
    records = borough_records.filter(pc.is_in(
        borough_records["agency"], pa.array(["police", "social-care"])))
    on_duckdb = predict(records, trained_model, engine="duckdb", threshold=0.0)
    on_spark = predict(records, trained_model, engine="spark", spark_master="local[1]",
                       threshold=0.0)
    assert on_duckdb.num_rows > 20
    assert on_spark["uid_l"].to_pylist() == on_duckdb["uid_l"].to_pylist()
    assert on_spark["uid_r"].to_pylist() == on_duckdb["uid_r"].to_pylist()
    for column in (c for c in on_duckdb.column_names if c.startswith("gamma_")):
        assert on_spark[column].to_pylist() == on_duckdb[column].to_pylist(), column
    for spark_p, duck_p in zip(on_spark["match_probability"].to_pylist(),
                               on_duckdb["match_probability"].to_pylist(), strict=True):
        assert spark_p == pytest.approx(duck_p, abs=1e-9)
