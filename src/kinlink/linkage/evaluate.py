"""Cluster quality measures against a known truth: pairwise and B-cubed.

Both compare a predicted clustering with the truth, record by record, without ever
listing pairs: pair counts come from the sizes of the cluster x truth intersections.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import select

from kinlink.store import Store
from kinlink.store.schema.identity import record_persons


def _pairs(sizes: pl.Series) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def cluster_scores(assigned: pl.DataFrame) -> dict[str, float]:
    """Pairwise precision/recall/F1 and B-cubed precision/recall/F1.

    `assigned` has one row per record with `predicted` and `truth` cluster labels.
    """
    both = assigned.group_by("predicted", "truth").len("n")
    predicted = assigned.group_by("predicted").len("n")
    truth = assigned.group_by("truth").len("n")
    true_positive = _pairs(both["n"])
    precision = true_positive / max(_pairs(predicted["n"]), 1)
    recall = true_positive / max(_pairs(truth["n"]), 1)
    # B-cubed: for each record, the share of its cluster that is truly its person, and
    # the share of its person found in its cluster; averaged over records.
    per = (both.join(predicted.rename({"n": "np"}), on="predicted")
           .join(truth.rename({"n": "nt"}), on="truth"))
    records = assigned.height
    b3_precision = float((per["n"] ** 2 / per["np"]).sum()) / records
    b3_recall = float((per["n"] ** 2 / per["nt"]).sum()) / records
    return {
        "pairwise_precision": precision, "pairwise_recall": recall,
        "pairwise_f1": _f1(precision, recall),
        "bcubed_precision": b3_precision, "bcubed_recall": b3_recall,
        "bcubed_f1": _f1(b3_precision, b3_recall),
        "predicted_pairs": _pairs(predicted["n"]), "true_pairs": _pairs(truth["n"]),
    }


def household_merges(assigned: pl.DataFrame) -> int:
    """Predicted same-person pairs that join two different people of one household.

    `assigned` needs `predicted`, `truth` and `household` columns.
    """
    same_household = assigned.drop_nulls("household").group_by(
        "predicted", "household", "truth").len("n")
    by_household = same_household.group_by("predicted", "household").agg(
        total=pl.col("n").sum(), within=(pl.col("n") * (pl.col("n") - 1) // 2).sum())
    all_pairs = by_household["total"] * (by_household["total"] - 1) // 2
    return int((all_pairs - by_household["within"]).sum())


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def store_cluster_scores(store: Store, truth_records: pl.DataFrame) -> dict[str, float]:
    """Scores of the store's persons against a truth of (agency, record_id, person_id)."""
    with store.connect() as conn:
        rows = conn.execute(select(record_persons.c.agency, record_persons.c.record_id,
                                   record_persons.c.person_id)).all()
    predicted = pl.DataFrame(rows, schema=["agency", "record_id", "predicted"], orient="row")
    assigned = predicted.join(truth_records.rename({"person_id": "truth"}),
                              on=["agency", "record_id"])
    return cluster_scores(assigned)
