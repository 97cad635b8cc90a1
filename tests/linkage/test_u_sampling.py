"""u by random sampling in one pass gives what Splink's own estimate gives."""

from __future__ import annotations

import logging

import duckdb
import pyarrow as pa
from splink import DuckDBAPI, Linker

from kinlink.linkage.settings import settings_creator
from kinlink.linkage.u_sampling import sampled_u, with_u


def _splink_u(records: pa.Table, settings: dict, max_pairs: float) -> dict:
    """Splink's estimate with every chunk counted (no early stop)."""
    linker = Linker(DuckDBAPI(connection=duckdb.connect()).register(records), settings,
                    log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=7,
                                                      min_count_per_level=None)
    return linker.misc.save_model_to_json()


def test_one_pass_gives_splinks_u_on_the_same_sample(borough_records: pa.Table) -> None:
    settings = settings_creator().create_settings_dict("duckdb")
    # fewer pairs than the records have, so both draw the same sample of records
    expected = _splink_u(borough_records, settings, max_pairs=50_000)
    found = with_u(settings_creator().create_settings_dict("duckdb"),
                   sampled_u(borough_records, settings, max_pairs=50_000, seed=7))
    compared = 0
    for theirs, mine in zip(expected["comparisons"], found["comparisons"], strict=True):
        for a, b in zip(theirs["comparison_levels"], mine["comparison_levels"], strict=True):
            assert a.get("u_probability") == b.get("u_probability") or abs(
                a["u_probability"] - b["u_probability"]) < 1e-12, (theirs["output_column_name"],
                                                                   a["label_for_charts"])
            compared += "u_probability" in a
    assert compared > 20


def test_a_level_no_sampled_pair_falls_in_is_left_unset(borough_records: pa.Table) -> None:
    settings = settings_creator().create_settings_dict("duckdb")
    found = sampled_u(borough_records, settings, max_pairs=1_000, seed=7)
    ids = found["strong_id"]
    assert ids[0] is None  # the null level
    assert any(u is None for u in ids[1:]) and abs(sum(u or 0 for u in ids) - 1) < 1e-9
