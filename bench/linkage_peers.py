"""The peers Kinlink's linkage is measured against, each fed raw people-format records.

- Splink 5 set up as in its own tutorial: NameComparison, DateOfBirthComparison,
  PostcodeComparison, exact sex and address, `block_on` rules, u by random sampling,
  m by EM, the prior from a deterministic rule. Blocking: names with the date of birth
  or postcode; and, where it is affordable (`PEER_COMPARISONS_PER_RECORD`, as the
  tutorial has its reader check), also the surname alone, as Splink's own quickstart on
  fake_1000 does. That rule helps on small, heavily corrupted files and hurts on
  household-heavy ones, so the benchmark runs both set-ups and keeps the peer's better.
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
PEER_COMPARISONS_PER_RECORD = 20
SPLINK_BLOCKING = (("first_name", "dob"), ("first_name", "surname"), ("surname", "dob"),
                   ("postcode", "first_name"))
TUTORIAL_SURNAME_RULE = ("surname",)


def plain_splink_input(raw: pa.Table) -> pa.Table:
    """The raw columns the tutorial set-up compares, blank as null, with a `uid`."""
    uid = pc.binary_join_element_wise(raw["agency"], raw["record_id"], ":")
    columns = {"uid": uid}
    for name in ("first_name", "surname", "dob", "sex", "postcode", "address"):
        column = raw[name] if name in raw.column_names else pa.nulls(raw.num_rows, pa.string())
        columns[name] = pc.if_else(pc.equal(column, ""), None, column)
    return pa.table(columns)


def splink_blockings(raw: pa.Table) -> dict[str, tuple[tuple[str, ...], ...]]:
    """The peer's blocking set-ups worth running on `raw`, by name."""
    table = plain_splink_input(raw)
    blockings = {"names with date of birth or postcode": SPLINK_BLOCKING}
    if _comparisons(table, TUTORIAL_SURNAME_RULE) <= PEER_COMPARISONS_PER_RECORD * len(table):
        blockings["... and the surname alone (tutorial)"] = (
            *SPLINK_BLOCKING, TUTORIAL_SURNAME_RULE)
    return blockings


def _comparisons(table: pa.Table, columns: tuple[str, ...]) -> int:
    """Pairs of records equal (and known) on every one of `columns`."""
    known = table.select(list(columns)).drop_null()
    sizes = known.group_by(list(columns)).aggregate([([], "count_all")])["count_all"]
    return int(pc.sum(pc.divide(pc.multiply(sizes, pc.subtract(sizes, 1)), 2)).as_py() or 0)


def plain_splink_settings(blocking: tuple[tuple[str, ...], ...]):  # type: ignore[no-untyped-def]
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
            block_on(*columns) for columns in blocking],
        retain_matching_columns=False,
    )


def plain_splink_linker(table: pa.Table,  # type: ignore[no-untyped-def]
                        blocking: tuple[tuple[str, ...], ...] = SPLINK_BLOCKING):
    """A trained tutorial-style linker over `table` (from `plain_splink_input`)."""
    from splink import DuckDBAPI, Linker, block_on

    db_api = DuckDBAPI(connection=duckdb.connect())
    linker = Linker(db_api.register(table, table_name="records"), plain_splink_settings(blocking),
                    log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    return linker


def plain_splink(raw: pa.Table,
                 blocking: tuple[tuple[str, ...], ...] = SPLINK_BLOCKING) -> pa.Table:
    """Tutorial-style Splink: pairs with `match_probability` >= 0.5."""
    linker = plain_splink_linker(plain_splink_input(raw), blocking)
    pairs = linker.inference.predict(threshold_match_probability=SPLINK_THRESHOLD,
                                     warning_mode="never").as_pyarrow_table()
    pairs = pairs.read_all() if isinstance(pairs, pa.RecordBatchReader) else pairs
    return pairs.select(["uid_l", "uid_r", "match_probability"])


def splink_candidates(raw: pa.Table, blocking: tuple[tuple[str, ...], ...]) -> pa.Table:
    """Every pair (`uid_l` < `uid_r`) one of plain Splink's blocking rules compares."""
    con = duckdb.connect()
    con.register("records", plain_splink_input(raw))
    rules = " UNION ".join(
        "SELECT l.uid AS uid_l, r.uid AS uid_r FROM records l JOIN records r ON l.uid < r.uid "
        + "".join(f"AND l.{c} = r.{c} " for c in columns) for columns in blocking)
    return con.sql(rules).to_arrow_table()


def _recordlinkage_frame(raw: pa.Table):  # type: ignore[no-untyped-def]
    frame = plain_splink_input(raw).to_pandas().set_index("uid")
    frame["surname"] = frame["surname"].fillna("").str.lower()
    return frame


def _recordlinkage_index(frame):  # type: ignore[no-untyped-def]
    """Sorted neighbourhood on the surname: the toolkit's candidate pairs."""
    import recordlinkage

    indexer = recordlinkage.Index()
    indexer.sortedneighbourhood("surname", window=9)
    return indexer.index(frame)


def recordlinkage_candidates(raw: pa.Table) -> pa.Table:
    """The pairs recordlinkage's indexing compares, as (`uid_l`, `uid_r`)."""
    candidates = _recordlinkage_index(_recordlinkage_frame(raw))
    return pa.table({"uid_l": [str(a) for a, _b in candidates],
                     "uid_r": [str(b) for _a, b in candidates]})


def recordlinkage_ecm(raw: pa.Table) -> pa.Table:
    """Sorted neighbourhood on surname, four comparisons, the unsupervised ECM classifier."""
    import recordlinkage

    frame = _recordlinkage_frame(raw)
    candidates = _recordlinkage_index(frame)
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
