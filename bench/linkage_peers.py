"""The peers Kinlink's linkage is measured against, each fed raw people-format records.

- Splink 5 set up as in its own tutorial: NameComparison, DateOfBirthComparison,
  PostcodeComparison, exact sex and address, `block_on` rules, u by random sampling,
  m by EM, the prior from a deterministic rule.
- The recordlinkage toolkit: sorted-neighbourhood indexing and its unsupervised ECM
  classifier (install with `pip install recordlinkage==0.16`; it needs pandas).

Each returns the predicted pairs as (uid_l, uid_r) with a probability where it has one.
"""

from __future__ import annotations

import logging

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

SPLINK_THRESHOLD = 0.5


def plain_splink_input(raw: pa.Table) -> pa.Table:
    """The raw columns the tutorial set-up compares, blank as null, with a `uid`."""
    uid = pc.binary_join_element_wise(raw["agency"], raw["record_id"], ":")
    columns = {"uid": uid}
    for name in ("first_name", "surname", "dob", "sex", "postcode", "address"):
        column = raw[name] if name in raw.column_names else pa.nulls(raw.num_rows, pa.string())
        columns[name] = pc.if_else(pc.equal(column, ""), None, column)
    return pa.table(columns)


def plain_splink_settings():  # type: ignore[no-untyped-def]
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="uid",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("address").configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("postcode", "first_name"),
        ],
        retain_matching_columns=False,
    )


def plain_splink_linker(table: pa.Table):  # type: ignore[no-untyped-def]
    """A trained tutorial-style linker over `table` (from `plain_splink_input`)."""
    from splink import DuckDBAPI, Linker, block_on

    db_api = DuckDBAPI(connection=duckdb.connect())
    linker = Linker(db_api.register(table, table_name="records"), plain_splink_settings(),
                    log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    return linker


def plain_splink(raw: pa.Table) -> pa.Table:
    """Tutorial-style Splink: pairs with `match_probability` >= 0.5."""
    linker = plain_splink_linker(plain_splink_input(raw))
    pairs = linker.inference.predict(threshold_match_probability=SPLINK_THRESHOLD,
                                     warning_mode="never").as_pyarrow_table()
    pairs = pairs.read_all() if isinstance(pairs, pa.RecordBatchReader) else pairs
    return pairs.select(["uid_l", "uid_r", "match_probability"])


def recordlinkage_ecm(raw: pa.Table) -> pa.Table:
    """Sorted neighbourhood on surname, four comparisons, the unsupervised ECM classifier."""
    import recordlinkage

    frame = plain_splink_input(raw).to_pandas().set_index("uid")
    frame["surname"] = frame["surname"].fillna("").str.lower()
    indexer = recordlinkage.Index()
    indexer.sortedneighbourhood("surname", window=9)
    candidates = indexer.index(frame)
    compare = recordlinkage.Compare()
    compare.string("first_name", "first_name", method="jarowinkler", threshold=0.85)
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85)
    compare.exact("dob", "dob")
    compare.exact("postcode", "postcode")
    features = compare.compute(candidates, frame)
    matches = recordlinkage.ECMClassifier(binarize=None).fit_predict(features)
    left = [str(a) for a, _b in matches]
    right = [str(b) for _a, b in matches]
    return pa.table({"uid_l": left, "uid_r": right})
