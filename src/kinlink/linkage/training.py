"""Training the model without labels: u by random sampling (`u_sampling.py`), m by EM,
the prior estimated."""

from __future__ import annotations

import copy
import logging
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from splink import Linker

from kinlink.clock import SYSTEM_CLOCK, Clock
from kinlink.config import get_settings
from kinlink.errors import InputError
from kinlink.linkage.anchors import anchored_m, twin_shaped_sex
from kinlink.linkage.blocking import Blocking, choose_blocking
from kinlink.linkage.engines import linker_for
from kinlink.linkage.model import LinkageModel
from kinlink.linkage.settings import (
    DETERMINISTIC_RECALL,
    deterministic_rules,
    settings_creator,
    settings_for_dialect,
    training_rules,
)
from kinlink.linkage.splink_log import SplinkLog, untrained_levels
from kinlink.linkage.u_sampling import sampled_u, with_u

logger = logging.getLogger(__name__)

MIN_TRAINING_RECORDS = 10
U_SAMPLE_PAIRS = 1e6
SEED = 42  # training on the same records gives the same model
UNSEEN_M = 1e-4
"""m of a level EM never saw among likely matches: rare among them, not impossible."""
MIN_DISAGREEMENT_M = 1e-3
"""Least share of one person's record pairs that disagree completely on a field."""
EM_MAX_PAIRS = 300_000
"""Pairs an EM pass is run on at most (records drawn at random on each side of the
block, so a person's pairs and all pairs are thinned alike): a date's block grows with
the square of the records, the shares EM estimates do not."""
EM_SAMPLE_RECORDS = 250_000
"""EM runs, and the anchored levels are measured, on at most this many records, drawn at
random. What both estimate, the share of one person's record pairs in each level, is the
same in a random sample of records (a person's pairs and all pairs both shrink by the
square of the share sampled), while the pairs of EM's blocks grow with the square of the
records (a date of birth's block holds every record born that day)."""


def train(records: pa.Table, *, engine: str = "duckdb", spark_master: str | None = None,
          progress: bool = False, charts_dir: Path | None = None,
          clock: Clock = SYSTEM_CLOCK) -> LinkageModel:
    """Train the model on prepared records (see `prepare`), without any labels.

    Charts of the match weights and m/u values are written as HTML to `charts_dir`
    (default `<KINLINK_HOME>/charts/`).
    """
    if records.num_rows < MIN_TRAINING_RECORDS:
        raise InputError(f"too few records to train on ({records.num_rows}); "
                         f"need at least {MIN_TRAINING_RECORDS}")
    started = time.perf_counter()
    created_at = clock.now()
    folder = charts_dir or get_settings().home / "charts"
    steps = ["profile the records and choose blocking rules", "estimate u by random sampling",
             "estimate the prior",
             *(f"estimate m by EM, pass {i + 1}" for i in range(len(training_rules())))]
    sample = _em_sample(records)
    log = SplinkLog(folder / f"model-{created_at:%Y%m%dT%H%M%S}-training.log")
    with _steps(steps, progress) as step, log:
        step()
        blocking = choose_blocking(records)
        logger.info("%s", blocking.summary())
        initial = _initial_settings(sample, engine, blocking)
        step()
        # on DuckDB whatever the engine: the sample is a few thousand records
        start = with_u(copy.deepcopy(initial), sampled_u(
            records, settings_for_dialect(initial, "duckdb", blocking.rules),
            max_pairs=U_SAMPLE_PAIRS, seed=SEED))
        step()
        with _linker_with_prior(records, sample, start, engine=engine,
                                spark_master=spark_master) as linker:
            for rule in training_rules():
                step()
                _expectation_maximisation(linker, rule)
            settings = _settle_parameters(linker.misc.save_model_to_json(), initial,
                                          records.num_rows)
            charts = _save_charts(linker, folder, created_at)
    if engine != "duckdb":
        settings = settings_for_dialect(settings, "duckdb", blocking.rules)
    details = {"blocking": blocking.as_dict(), "twins": twin_shaped_sex(sample),
               "untrained_levels": untrained_levels(initial, settings, log.unobserved),
               "log": str(log.path)}
    return LinkageModel(settings=settings, training_record_count=records.num_rows,
                        engine=engine, created_at=created_at, charts=charts,
                        training_seconds=time.perf_counter() - started, details=details)


@contextmanager
def _linker_with_prior(records: pa.Table, sample: pa.Table, settings: dict[str, Any], *,
                       engine: str, spark_master: str | None) -> Iterator[Linker]:
    """A linker over `sample` (for EM) whose model has the prior estimated on all
    `records`: one linker when the sample is all of them (setting one up costs Splink
    about a second of parsing our comparisons' SQL)."""
    with linker_for(records, settings, engine=engine, spark_master=spark_master) as linker:
        linker.training.estimate_probability_two_random_records_match(
            deterministic_rules(), recall=DETERMINISTIC_RECALL)
        if sample is records:
            yield linker
            return
        settings = linker.misc.save_model_to_json()
    with linker_for(sample, settings, engine=engine, spark_master=spark_master) as linker:
        yield linker


def _em_sample(records: pa.Table) -> pa.Table:
    """The records EM is run on and the anchored levels are measured on: all of them,
    or `EM_SAMPLE_RECORDS` drawn at random (the same ones for the same records)."""
    if records.num_rows <= EM_SAMPLE_RECORDS:
        return records
    rows = sorted(random.Random(SEED).sample(range(records.num_rows), EM_SAMPLE_RECORDS))
    return records.take(pa.array(rows))


def _initial_settings(records: pa.Table, engine: str, blocking: Blocking) -> dict[str, Any]:
    """The untrained model for `engine` predicting on `blocking`'s rules, its anchored
    levels' m raised to what the anchor pairs among `records` show (never below the
    fixed floor; see `anchors.py`)."""
    settings = settings_creator(blocking.rules).create_settings_dict(engine)
    measured = anchored_m(records)
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            share = measured.get((comparison["output_column_name"], level["label_for_charts"]))
            if share is not None and share > level["m_probability"]:
                level["m_probability"] = share
    return settings


def _expectation_maximisation(linker: Linker, rule: Any) -> None:
    """One EM pass; a pass that drives some m to exactly zero is skipped, not fatal.

    Splink refuses m = 0 (seen on the historical_50k set); the other passes and the
    default m of that level still give a usable model.
    """
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, max_pairs=EM_MAX_PAIRS)
    except ValueError as e:
        if "m_probability" not in str(e):
            raise
        logger.warning("EM pass blocked on %s skipped: %s", rule, e)


def _settle_parameters(settings: dict[str, Any], initial: dict[str, Any],
                       records: int) -> dict[str, Any]:
    """The trained settings with an m and u for every level, none of them a veto by
    accident of the sample.

    - A comparison no sampled pair could make (its fields empty in these records) gets
      no weight either way, rather than weights learnt from nothing.
    - Splink leaves a level it never saw unset, and then falls back on defaults that
      depend only on the level's position. A level no sampled random pair fell into has
      u below one in the pairs sampled, so it gets that bound; a level EM never saw
      among matches gets a small m (`UNSEEN_M`). A level given starting values (in
      `initial`) keeps them instead.
    - EM on a small or clean sample can drive the m of complete disagreement towards
      zero, a veto no real recording supports: it is kept at `MIN_DISAGREEMENT_M` or
      more.
    """
    sampled = min(U_SAMPLE_PAIRS, records * (records - 1) / 2)
    for comparison, start in zip(settings["comparisons"], initial["comparisons"],
                                 strict=True):
        starting = {lv["label_for_charts"]: lv for lv in start["comparison_levels"]}
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        # A starting u (the initials') says nothing about these records.
        if not any(_known(lv, "u_probability") and lv["u_probability"] != starting.get(
                lv["label_for_charts"], {}).get("u_probability") for lv in levels):
            for level in levels:
                weightless = level["m_probability"] if _known(level, "m_probability") else 1.0
                level["m_probability"] = level["u_probability"] = weightless
            continue
        for level in levels:
            begun = starting.get(level["label_for_charts"], {})
            for key, unseen in (("u_probability", 1 / sampled), ("m_probability", UNSEEN_M)):
                if not _known(level, key):
                    level[key] = begun.get(key) or unseen
            if level.get("sql_condition") == "ELSE" and not level.get("fix_m_probability"):
                level["m_probability"] = max(level["m_probability"], MIN_DISAGREEMENT_M)
    return settings


def _known(level: dict[str, Any], key: str) -> bool:
    return isinstance(level.get(key), int | float)


def _save_charts(linker: Linker, folder: Path, created_at: datetime) -> dict[str, str]:
    """Write the training charts as HTML; returns chart name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = created_at.strftime("%Y%m%dT%H%M%S")
    charts: dict[str, Any] = {
        "match_weights": linker.visualisations.match_weights_chart(),
        "m_u_parameters": linker.visualisations.m_u_parameters_chart(),
    }
    paths = {}
    for name, chart in charts.items():
        path = folder / f"model-{stamp}-{name.replace('_', '-')}.html"
        path.write_text(chart.to_html(), encoding="utf-8")
        paths[name] = str(path.resolve())
    return paths


@contextmanager
def _steps(names: list[str], show: bool) -> Iterator:
    """A callable that moves a progress bar (when shown) to the next named step."""
    if not show:
        yield lambda: None
        return
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task("training", total=len(names))
        position = iter(names)

        def advance() -> None:
            if bar.tasks[0].description != "training":
                bar.advance(task)
            bar.update(task, description=f"Training: {next(position)}")

        yield advance
        bar.update(task, completed=len(names), description="Training: done")
