"""Data of shapes the model was not built around, on small hand-built cases: columns
empty everywhere, postcodes inside addresses, initials, twins and same-name parents,
and what training tells the user about them."""

from __future__ import annotations

import copy
import csv
from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.config import Settings
from kinlink.linkage import LinkageModel, predict, train
from kinlink.linkage.blocking import BROAD_RULES, choose_blocking
from kinlink.linkage.calibration import calibrate
from kinlink.linkage.clusters import cluster
from kinlink.linkage.households import (
    DATES_DIFFER,
    GENERATION,
    NAMESAKE,
    TWINS,
    household_cannot_links,
    household_shapes,
)
from kinlink.linkage.prepare import RAW_COLUMNS, prepare_record, prepare_table
from kinlink.linkage.scoring import PairScorer

from .conftest import raw_borough


def _table(rows: list[Mapping[str, str | None]]) -> pa.Table:
    """Prepared records of hand-built people-format rows (agency "file", ids in order)."""
    columns: dict[str, list[str | None]] = {c: [] for c in RAW_COLUMNS}
    for number, row in enumerate(rows, start=1):
        for c in RAW_COLUMNS:
            columns[c].append(row.get(c))
        columns["agency"][-1] = row.get("agency") or "file"
        columns["record_id"][-1] = row.get("record_id") or f"R{number}"
    return prepare_table(pa.table({c: pa.array(v, pa.string()) for c, v in columns.items()}))


def _blank(raw: pa.Table, *columns: str, agency: str | None = None) -> pa.Table:
    """The raw borough with `columns` blank (for one agency's records, or all)."""
    for column in columns:
        values = raw[column]
        if agency is None:
            blanked = pa.nulls(raw.num_rows, pa.string())
        else:
            blanked = pc.if_else(pc.equal(raw["agency"], agency),
                                 pa.scalar(None, pa.string()), values)
        raw = raw.set_column(raw.schema.get_field_index(column), column, blanked)
    return raw


def test_no_postcode_anywhere_uses_no_postcode_rule() -> None:
    records = prepare_table(_blank(raw_borough(), "postcode", "address"))
    blocking = choose_blocking(records)
    assert blocking.profile["postcode"]["filled"] == 0
    assert not any({"postcode", "address_key", "postcode_district"} & set(rule.columns)
                   for rule in blocking.rules)
    assert blocking.two_routes is not None and blocking.two_routes > 0.9


def test_a_postcode_inside_the_address_is_read_when_the_column_is_empty() -> None:
    records = _table([{"first_name": "Jon", "surname": "Smith",
                       "address": "12 High St, Knowle, Solihull B91 3QB"},
                      {"first_name": "Jon", "surname": "Smith", "address": "12 High St",
                       "postcode": "b913qb"}])
    assert records["postcode"].to_pylist() == ["B91 3QB", "B91 3QB"]
    assert records["address_key"].to_pylist() == ["12||HIGH STREET", "12||HIGH STREET"]
    assert any("postcode" in rule.columns for rule in choose_blocking(records).rules)


def test_an_agency_without_addresses_is_still_reached_two_ways() -> None:
    records = prepare_table(_blank(raw_borough(), "postcode", "address", agency="police"))
    blocking = choose_blocking(records)
    assert any("postcode" in rule.columns for rule in blocking.rules)
    police = records.filter(pc.equal(records["agency"], "police"))
    assert choose_blocking(police).two_routes == pytest.approx(1.0, abs=0.05)


def test_a_small_file_affords_the_broad_rules_a_large_one_would_not() -> None:
    records = prepare_table(raw_borough())
    blocking = choose_blocking(records)
    assert {rule for rule in blocking.rules if rule in BROAD_RULES}
    assert "Blocking:" in blocking.summary() and "Filled:" in blocking.summary()


def test_sex_blank_everywhere_weighs_nothing(tmp_path: Path) -> None:
    records = prepare_table(_blank(raw_borough(), "sex"))
    model = train(records, charts_dir=tmp_path)
    levels = [lv for lv in model.comparison("sex")["comparison_levels"]
              if not lv.get("is_null_level")]
    assert all(lv["m_probability"] == lv["u_probability"] for lv in levels)
    assert not any("sex" in rule.columns for rule in model.blocking.rules)


def test_a_middle_initial_agreeing_with_a_full_middle_name_is_not_a_disagreement(
        trained_model: LinkageModel) -> None:
    david = {"first_name": "David", "surname": "Okafor", "dob": "1984-03-02"}
    short = prepare_record({**david, "middle_names": "J", "record_id": "1"})
    full = prepare_record({**david, "middle_names": "James", "record_id": "2"})
    other = prepare_record({**david, "middle_names": "Peter", "record_id": "3"})
    scorer = PairScorer(trained_model)
    agreeing, differing = scorer.score(short, full, {}), scorer.score(short, other, {})
    assert agreeing["mw_middle_names"] > differing["mw_middle_names"]
    assert agreeing["mw_middle_names"] > -1.0  # "different" scored about -5.6


def test_a_forename_written_as_its_initial_has_a_level_of_its_own(
        trained_model: LinkageModel) -> None:
    david = {"surname": "Okafor", "dob": "1984-03-02"}
    scorer = PairScorer(trained_model)
    initial = scorer.score(prepare_record({**david, "first_name": "D", "record_id": "1"}),
                           prepare_record({**david, "first_name": "David", "record_id": "2"}),
                           {})
    other = scorer.score(prepare_record({**david, "first_name": "P", "record_id": "1"}),
                         prepare_record({**david, "first_name": "David", "record_id": "2"}),
                         {})
    assert initial["mw_forename"] > other["mw_forename"]


_HOME = {"surname": "Khan", "address": "4 Mill Lane", "postcode": "B91 3QB"}


def test_twins_and_a_parent_of_the_same_name_stay_apart(
        trained_model: LinkageModel) -> None:
    records = _table([
        {**_HOME, "first_name": "Ruby", "dob": "2012-05-01", "sex": "F", "agency": "health"},
        {**_HOME, "first_name": "Ruby", "dob": "2012-05-01", "sex": "F", "agency": "police"},
        {**_HOME, "first_name": "Ella", "dob": "2012-05-01", "sex": "F", "agency": "police",
         "record_id": "R9"},
        {**_HOME, "first_name": "Omar", "dob": "1979-02-11", "sex": "M", "agency": "health"},
        {**_HOME, "first_name": "Omar", "dob": "2005-02-11", "sex": "M", "agency": "police",
         "record_id": "R8"},
        {**_HOME, "first_name": "James", "middle_names": "Brandon", "sex": "M",
         "agency": "education", "record_id": "R6"},
        {**_HOME, "first_name": "James", "middle_names": "Wayne", "dob": "2015-06-17",
         "sex": "M", "agency": "health", "record_id": "R7"},
    ])
    pairs = predict(records, trained_model, threshold=0.0)
    reasons = {(row["uid_l"], row["uid_r"]): row["reason"]
               for row in household_cannot_links(pairs).to_pylist()}
    assert reasons[("health:R1", "police:R9")] == TWINS
    assert reasons[("health:R4", "police:R8")] == GENERATION
    assert reasons[("education:R6", "health:R7")] == NAMESAKE
    clusters = cluster(records, pairs, threshold=0.01).clusters.to_pylist()
    person = {row["uid"]: row["cluster_id"] for row in clusters}
    assert person["health:R1"] == person["police:R2"]
    assert person["police:R9"] != person["health:R1"]
    assert person["police:R8"] != person["health:R4"]


def test_a_record_without_a_date_of_birth_does_not_chain_a_parent_to_a_child() -> None:
    # Hodan Jama at one address (born 1991, and a record without a date), and her
    # daughter of the same name elsewhere (born 2020, two records): the undated record
    # is alike to both, the two dated groups' pair scores far below any threshold and
    # was never kept, so only the shapes of unscored pairs can keep them apart.
    mother = {"first_name": "Hodan", "surname": "Jama", "address": "16 Beech Grove",
              "postcode": "KX3 3PE", "sex": "F"}
    daughter = {**mother, "address": "47 French Drive", "postcode": "KX4 1XA"}
    records = _table([{**mother, "dob": "1991-06-08"}, {**mother},
                      {**daughter, "dob": "2020-01-25"}, {**daughter, "dob": "2020-01-25"}])
    scored = pa.table({"uid_l": ["file:R1", "file:R2", "file:R2", "file:R3"],
                       "uid_r": ["file:R2", "file:R3", "file:R4", "file:R4"],
                       "match_probability": [0.99, 0.93, 0.93, 0.999]})
    person = {row["uid"]: row["cluster_id"]
              for row in cluster(records, scored).clusters.to_pylist()}
    assert person["file:R1"] == person["file:R2"]
    assert person["file:R3"] == person["file:R4"] != person["file:R1"]
    # Without the prepared columns there is nothing to check: one chain, one person.
    bare = cluster(records.select(["uid"]), scored).clusters
    assert len(set(bare["cluster_id"].to_pylist())) == 1


def test_the_prior_is_found_again_from_the_bayes_factors() -> None:
    # 100 true pairs (Bayes factor 2^20) and 4,000 false (2^-5) among 1,000 records,
    # scored under a prior far too small.
    prior = 1e-7
    logit = -23.253496664211536  # log2(1e-7 / (1 - 1e-7))
    weights = [20 + logit] * 100 + [-5 + logit] * 4_000
    found = calibrate(pa.table({"match_weight": weights}), 1_000, prior)
    assert found.prior == pytest.approx(100 / 499_500, rel=0.05)
    assert 0.2 <= found.threshold <= 0.9
    assert found.expected_precision > 0.99 and found.expected_recall > 0.99


def test_resolve_prints_one_summary_and_no_splink_warnings(
        tmp_path: Path, settings: Settings, capfd: pytest.CaptureFixture[str],
        borough_dir: Path) -> None:
    people = tmp_path / "people.csv"
    with (borough_dir / "health" / "people.csv").open() as source, people.open("w") as f:
        rows = list(csv.DictReader(source))
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({**row, "sex": ""} for row in rows)
    result = CliRunner().invoke(app, ["resolve", str(people), "--out",
                                      str(tmp_path / "out.csv")])
    printed = result.output + "".join(capfd.readouterr())
    assert result.exit_code == 0, printed
    assert "unable to train" not in printed and "max_pairs" not in printed
    assert "Blocking:" in printed and "Levels that kept their starting m" in printed
    assert "the model expects precision" in printed


def test_the_twins_shape_holds_only_where_forenames_rarely_differ(
        trained_model: LinkageModel) -> None:
    assert household_shapes(trained_model.settings) == (TWINS, GENERATION, DATES_DIFFER,
                                                        NAMESAKE)
    settings = copy.deepcopy(trained_model.settings)
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if (comparison["output_column_name"], level["label_for_charts"]) == (
                    "forename", "different"):
                level["m_probability"] = 0.2  # a register that replaces forenames
    assert household_shapes(settings) == (GENERATION, DATES_DIFFER, NAMESAKE)
    # Where twin-shaped pairs could be counted, how often their sex differs decides.
    twins = {"twins": {"pairs": 994, "sex_differs": 0.45}}  # the households profile
    assert TWINS in household_shapes(settings, twins)
    one_person = {"twins": {"pairs": 3187, "sex_differs": 0.053}}  # historical_50k
    assert TWINS not in household_shapes(trained_model.settings, one_person)
    assert TWINS in household_shapes(trained_model.settings, {"twins": {"pairs": 3}})
