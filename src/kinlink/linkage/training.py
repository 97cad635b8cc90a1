"""Training the model without labels: u by random sampling, m by EM, the prior estimated."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from splink import Linker

from kinlink.config import get_settings
from kinlink.errors import InputError
from kinlink.linkage.engines import linker_for
from kinlink.linkage.model import LinkageModel
from kinlink.linkage.settings import (
    DETERMINISTIC_RECALL,
    deterministic_rules,
    settings_creator,
    settings_for_dialect,
    training_rules,
)

logger = logging.getLogger(__name__)

MIN_TRAINING_RECORDS = 10
U_SAMPLE_PAIRS = 1e6
SEED = 42  # training on the same records gives the same model


def train(records: pa.Table, *, engine: str = "duckdb", spark_master: str | None = None,
          progress: bool = False, charts_dir: Path | None = None) -> LinkageModel:
    """Train the model on prepared records (see `prepare`), without any labels.

    Charts of the match weights and m/u values are written as HTML to `charts_dir`
    (default `<KINLINK_HOME>/charts/`).
    """
    if records.num_rows < MIN_TRAINING_RECORDS:
        raise InputError(f"too few records to train on ({records.num_rows}); "
                         f"need at least {MIN_TRAINING_RECORDS}")
    started = time.perf_counter()
    steps = ["estimate the prior", "estimate u by random sampling",
             *(f"estimate m by EM, pass {i + 1}" for i in range(len(training_rules())))]
    with linker_for(records, settings_creator(), engine=engine,
                    spark_master=spark_master) as linker, _steps(steps, progress) as step:
        step()
        linker.training.estimate_probability_two_random_records_match(
            deterministic_rules(), recall=DETERMINISTIC_RECALL)
        step()
        linker.training.estimate_u_using_random_sampling(max_pairs=U_SAMPLE_PAIRS, seed=SEED)
        for rule in training_rules():
            step()
            _expectation_maximisation(linker, rule)
        settings = linker.misc.save_model_to_json()
        created_at = datetime.now()
        charts = _save_charts(linker, charts_dir or get_settings().home / "charts", created_at)
    if engine != "duckdb":
        settings = settings_for_dialect(settings, "duckdb")
    return LinkageModel(settings=settings, training_record_count=records.num_rows,
                        engine=engine, created_at=created_at, charts=charts,
                        training_seconds=time.perf_counter() - started)


def _expectation_maximisation(linker: Linker, rule: Any) -> None:
    """One EM pass; a pass that drives some m to exactly zero is skipped, not fatal.

    Splink refuses m = 0 (seen on the historical_50k set); the other passes and the
    default m of that level still give a usable model.
    """
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    except ValueError as e:
        if "m_probability" not in str(e):
            raise
        logger.warning("EM pass blocked on %s skipped: %s", rule, e)


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
