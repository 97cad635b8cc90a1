"""Training, saving, batch prediction and explanations on the small test borough."""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from kinlink.errors import InputError, NotFoundError
from kinlink.linkage import (
    LinkageModel,
    explain,
    load_model,
    predict,
    save_model,
    train,
    training,
)
from kinlink.store import Store


def test_training_estimates_every_parameter_and_writes_charts(
        trained_model: LinkageModel) -> None:
    assert trained_model.training_record_count == 807
    assert 0 < trained_model.prior < 0.01
    for comparison in trained_model.settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        # Levels too rare for 807 records still get their own m and u, never Splink's
        # defaults by position.
        for level in levels:
            assert 0 < level["m_probability"] <= 1 and 0 < level["u_probability"] <= 1
        if comparison["output_column_name"] in ("forename", "dob", "family_and_place"):
            assert levels[0]["m_probability"] > 100 * levels[0]["u_probability"]
    assert set(trained_model.charts) == {"match_weights", "m_u_parameters"}
    for path in trained_model.charts.values():
        assert Path(path).read_text().lstrip().lower().startswith("<!doctype html")


def test_too_few_records_to_train_is_an_input_error(borough_records: pa.Table) -> None:
    with pytest.raises(InputError, match="too few records"):
        train(borough_records.slice(0, 3))


def test_models_are_saved_as_versions(store: Store, trained_model: LinkageModel) -> None:
    with pytest.raises(NotFoundError):
        load_model(store)
    first = save_model(store, trained_model)
    second = save_model(store, trained_model)
    assert second == first + 1
    newest = load_model(store)
    assert newest.version == second
    assert newest.settings == trained_model.settings
    assert load_model(store, first).training_record_count == 807
    with pytest.raises(NotFoundError):
        load_model(store, 99)


@pytest.fixture(scope="module")
def pairs(borough_records: pa.Table, trained_model: LinkageModel) -> pa.Table:
    return predict(borough_records, trained_model)


def test_predict_scores_pairs_with_their_comparison_vector(pairs: pa.Table) -> None:
    for column in ("uid_l", "uid_r", "match_weight", "match_probability", "gamma_forename",
                   "gamma_dob", "gamma_family_and_place", "gamma_strong_id"):
        assert column in pairs.column_names
    assert pc.all(pc.less(pairs["uid_l"], pairs["uid_r"])).as_py()
    assert pc.min(pairs["match_probability"]).as_py() >= 0.01
    keys = list(zip(pairs["uid_l"].to_pylist(), pairs["uid_r"].to_pylist(), strict=True))
    assert keys == sorted(keys)


def test_predicted_pairs_are_mostly_right(pairs: pa.Table,
                                          borough_truth: dict[str, str]) -> None:
    """Not a benchmark: a floor that catches a broken model (see bench/ for figures)."""
    _assert_mostly_right(pairs, borough_truth)


def test_em_on_a_sample_of_many_records_still_trains_a_working_model(
        borough_records: pa.Table, borough_truth: dict[str, str],
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(training, "EM_SAMPLE_RECORDS", 600)
    sample = training._em_sample(borough_records)
    assert sample.num_rows == 600
    assert set(sample["uid"].to_pylist()) <= set(borough_records["uid"].to_pylist())
    assert sample.equals(training._em_sample(borough_records))  # the same draw each time
    model = train(borough_records, charts_dir=tmp_path)
    assert model.training_record_count == borough_records.num_rows
    _assert_mostly_right(predict(borough_records, model), borough_truth)


def _assert_mostly_right(pairs: pa.Table, borough_truth: dict[str, str]) -> None:
    likely = pairs.filter(pc.greater_equal(pairs["match_probability"], 0.5))
    right = sum(borough_truth[a] == borough_truth[b] for a, b in
                zip(likely["uid_l"].to_pylist(), likely["uid_r"].to_pylist(), strict=True))
    sizes: dict[str, int] = {}
    for person in borough_truth.values():
        sizes[person] = sizes.get(person, 0) + 1
    true_pairs = sum(k * (k - 1) // 2 for k in sizes.values())
    assert right / likely.num_rows > 0.9
    assert right / true_pairs > 0.8


def test_a_higher_threshold_keeps_a_subset(borough_records: pa.Table,
                                           trained_model: LinkageModel,
                                           pairs: pa.Table) -> None:
    strict = predict(borough_records, trained_model, threshold=0.9)
    assert 0 < strict.num_rows < pairs.num_rows
    assert pc.min(strict["match_probability"]).as_py() >= 0.9


def test_an_unknown_engine_is_an_input_error(borough_records: pa.Table,
                                             trained_model: LinkageModel) -> None:
    with pytest.raises(InputError, match="unknown engine"):
        predict(borough_records, trained_model, engine="oracle")


def test_explanations_add_up_to_the_score(pairs: pa.Table,
                                          trained_model: LinkageModel) -> None:
    prior = math.log2(trained_model.prior / (1 - trained_model.prior))
    for row in pairs.slice(0, 200).to_pylist():
        explanation = explain(row, trained_model)
        assert sum(p.weight for p in explanation.parts) + prior == pytest.approx(
            row["match_weight"], abs=1e-6)
        assert explanation.match_probability == pytest.approx(row["match_probability"])
        assert explanation.text.endswith("%")


def test_an_explanation_reads_as_plain_words(trained_model: LinkageModel) -> None:
    pair = {
        "uid_l": "a:1", "uid_r": "b:2", "gamma_forename": 8, "gamma_middle_names": -1,
        "gamma_dob": 7, "gamma_sex": -1, "gamma_family_and_place": 19,
        "gamma_strong_id": -1, "first_name_l": "JOHN", "first_name_r": "JOHN",
        "dob_l": "1980-01-02", "dob_r": "1980-01-02", "surname_l": "SMYTH",
        "surname_r": "SMITH",
    }
    explanation = explain(pair, trained_model)
    parts = {p.comparison: p for p in explanation.parts}
    assert parts["forename"].level == "same"
    assert parts["dob"].level == "same"
    assert parts["family_and_place"].level == "same surname, same address"
    assert parts["sex"].level == "not known" and parts["sex"].weight == 0
    assert explanation.text.startswith("forename: same (JOHN / JOHN), +")
    assert "surname and place: same surname, same address (SMYTH / SMITH)" in explanation.text
    assert "sex" not in explanation.text
    assert explanation.text.split("; ")[-1].startswith("total ")
