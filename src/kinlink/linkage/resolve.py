"""Resolution end to end: records in, stable persons out (the store), or a CSV (a file).

Store mode (`resolve_store`): prepare every current people record, train a model if
none is saved (or when asked), score candidate pairs, cluster them under the
constraints (strong ids, relationships the agencies recorded, reviewers' decisions),
give clusters stable person ids, and queue the uncertain pairs for review. Each run is
recorded in `resolution_runs`; a run that fails is marked so and changes no person.

File mode (`resolve_file`): the same matching on a standalone people-format file,
trained on the file itself, written as `record_id,person_id,cluster_size`; nothing is
stored.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from sqlalchemy import insert, select, update

from kinlink.clock import SYSTEM_CLOCK, Clock
from kinlink.errors import InputError, NotFoundError
from kinlink.files import writing
from kinlink.linkage.calibration import Calibration, calibrate, recalibrated
from kinlink.linkage.clusters import DEFAULT_THRESHOLD, Clustering, cluster
from kinlink.linkage.engines import check_engine
from kinlink.linkage.explain import explain
from kinlink.linkage.households import household_shapes
from kinlink.linkage.model import LinkageModel, load_model, save_model, update_model
from kinlink.linkage.persons import assign_persons, plan_persons
from kinlink.linkage.predict import predict, with_shown_values
from kinlink.linkage.prepare import prepare_records_from_file, prepare_records_from_store
from kinlink.linkage.splink_log import untrained_summary
from kinlink.linkage.training import train
from kinlink.review import review_constraints, store_review_items
from kinlink.store import Store
from kinlink.store.jobs import lease
from kinlink.store.queries import current_rows
from kinlink.store.schema import identity
from kinlink.store.schema.resolution import resolution_runs
from kinlink.store.schema.source import relationships

REVIEW_BAND = (0.5, 0.95)
"""Pairs scored in [low, high) are uncertain and go to the review queue."""
EVIDENCE_THRESHOLD = 0.001
"""Pairs scored below this are not kept: too unlike to weigh for or against a join."""


@dataclass(frozen=True)
class ResolutionReport:
    """What a resolution run did; `summary()` is what the CLI prints."""

    records: int
    pairs: int
    persons: int
    created: int
    merges: int
    splits: int
    retired: int
    joined: int
    review_items: int
    refused_links: int
    seconds: float
    trained: bool
    threshold: float = DEFAULT_THRESHOLD
    run_id: int | None = None
    output: Path | None = None
    notes: tuple[str, ...] = ()
    """What training chose and found, in a few lines: blocking, untrained levels, the
    threshold and the model's own estimate of precision and recall there."""

    def summary(self) -> list[tuple[str, str]]:
        rows = [("records", f"{self.records:,}"), ("pairs scored", f"{self.pairs:,}"),
                ("persons", f"{self.persons:,}")]
        if self.run_id is not None:
            rows += [("new persons", f"{self.created:,}"), ("merges", f"{self.merges:,}"),
                     ("splits", f"{self.splits:,}"), ("retired", f"{self.retired:,}"),
                     ("records joining a person", f"{self.joined:,}"),
                     ("review items waiting", f"{self.review_items:,}")]
        rows += [("threshold", f"{self.threshold:.2f}"),
                 ("links refused by constraints", f"{self.refused_links:,}"),
                 ("model", "trained in this run" if self.trained else "saved model"),
                 ("time", f"{self.seconds:.1f} s")]
        return rows


def resolve_store(store: Store, *, engine: str | None = None, spark_master: str | None = None,
                  retrain: bool = False, progress: bool = False,
                  threshold: float | None = None,
                  review_band: tuple[float, float] = REVIEW_BAND,
                  clock: Clock = SYSTEM_CLOCK) -> ResolutionReport:
    """Resolve every stored record into persons (see the module docstring).

    Without a `threshold`, the one chosen from the data when the model was trained.
    One run at a time: a second one is refused with `JobBusyError` while the first runs.
    Runs a killed process left `running` are marked failed when the next one starts.
    `engine` None: KINLINK_ENGINE's.
    """
    engine = _check_options(engine, threshold, review_band)
    with lease(store, "resolve"):
        _fail_abandoned_runs(store, clock)
        return _resolve_store(store, engine=engine, spark_master=spark_master,
                              retrain=retrain, progress=progress, threshold=threshold,
                              review_band=review_band, clock=clock)


def _fail_abandoned_runs(store: Store, clock: Clock) -> None:
    """Mark failed the runs still `running`: with the lease held, their process is dead."""
    with store.begin() as conn:
        conn.execute(update(resolution_runs).where(resolution_runs.c.status == "running")
                     .values(status="failed", finished_at=clock.now()))


def _resolve_store(store: Store, *, engine: str, spark_master: str | None, retrain: bool,
                   progress: bool, threshold: float | None, review_band: tuple[float, float],
                   clock: Clock) -> ResolutionReport:
    started = time.perf_counter()
    step = _stepper(progress)
    # the threshold is settled once the model is known; the run row gets it at the end
    run_id = _start_run(store, engine, threshold or DEFAULT_THRESHOLD, clock)
    try:
        records = step("Reading records", prepare_records_from_store, store)
        if records.num_rows == 0:
            raise InputError("the store holds no people records: ingest an extract first")
        model = None if retrain else _saved_model(store)
        trained = model is None
        if model is None:  # training shows its own progress
            model = train(records, engine=engine, spark_master=spark_master,
                          progress=progress, clock=clock)
        pairs = step("Scoring pairs", _predict, records, model, engine, spark_master)
        if "calibration" not in model.details:  # trained now, or by `kinlink train`
            pairs = calibrate_model(pairs, records, model)
            if trained:
                save_model(store, model)
            else:
                update_model(store, model)
        threshold = _threshold(threshold, model)
        with store.connect() as conn:
            must, cannot = review_constraints(conn)
            cannot = pa.concat_tables([cannot, _recorded_relationships(conn)])
        result = step("Clustering", cluster, records, pairs, threshold=threshold,
                      cannot_link=cannot, must_link=must,
                      household_shapes=household_shapes(model.settings, model.details))
        queue = step("Explaining uncertain pairs", _review_items, pairs, records, result,
                     model, review_band)
        with store.begin() as conn:
            plan = step("Assigning person ids", assign_persons, conn, result.clusters,
                        run_id=run_id, at=clock.now())
            waiting = store_review_items(conn, queue, run_id=run_id, at=clock.now())
            report = ResolutionReport(
                records=records.num_rows, pairs=pairs.num_rows, persons=plan.persons,
                created=len(plan.new_person_ids), merges=plan.count("merge"),
                splits=plan.count("split"), retired=plan.count("retire"), joined=plan.joined,
                review_items=waiting, refused_links=result.refused.num_rows,
                seconds=time.perf_counter() - started, trained=trained, threshold=threshold,
                run_id=run_id, notes=model_notes(model))
            _finish_run(conn, report, model.version, clock)
        store.analyze(identity.persons, identity.record_persons)
    except BaseException:
        with store.begin() as conn:
            conn.execute(update(resolution_runs).where(resolution_runs.c.id == run_id)
                         .values(status="failed", finished_at=clock.now()))
        raise
    return report


def resolve_file(path: Path | str, out: Path | str, *, engine: str | None = None,
                 spark_master: str | None = None, progress: bool = False,
                 threshold: float | None = None) -> ResolutionReport:
    """Resolve a standalone people-format CSV into persons, written to `out` as
    `[agency,]record_id,person_id,cluster_size` in the file's row order.

    The model is trained on the file itself; its charts and training log go to
    `<out stem>-charts/`. Without a `threshold`, the one the data support.
    """
    engine = _check_options(engine, threshold, REVIEW_BAND)
    started = time.perf_counter()
    path, out = Path(path), Path(out)
    step = _stepper(progress)
    records = step("Reading records", prepare_records_from_file, path)
    model = train(records, engine=engine, spark_master=spark_master, progress=progress,
                  charts_dir=out.parent / f"{out.stem}-charts")
    pairs = calibrate_model(step("Scoring pairs", _predict, records, model, engine, spark_master),
                       records, model)
    threshold = _threshold(threshold, model)
    result = step("Clustering", cluster, records, pairs, threshold=threshold,
                  household_shapes=household_shapes(model.settings, model.details))
    plan = plan_persons(result.clusters, pl.DataFrame(
        schema={"uid": pl.String, "person_id": pl.String}), next_number=1, events=False)
    step("Writing persons", _write_persons_csv, out, records, plan.assignments,
         _has_agency_column(path))
    return ResolutionReport(
        records=records.num_rows, pairs=pairs.num_rows, persons=plan.persons,
        created=len(plan.new_person_ids), merges=0, splits=0, retired=0, joined=0,
        review_items=0, refused_links=result.refused.num_rows,
        seconds=time.perf_counter() - started, trained=True, threshold=threshold,
        output=out, notes=model_notes(model))


def calibrate_model(pairs: pa.Table, records: pa.Table, model: LinkageModel) -> pa.Table:
    """The pairs under the prior the data support; the model takes that prior, and the
    threshold and its own estimate of precision and recall go to its details."""
    found = calibrate(pairs, records.num_rows, model.prior)
    pairs = recalibrated(pairs, model.prior, found.prior)
    model.settings["probability_two_random_records_match"] = found.prior
    model.details["calibration"] = found.as_dict()
    return pairs


def _threshold(given: float | None, model: LinkageModel) -> float:
    """The threshold asked for, else the model's own (chosen from its training data)."""
    if given is not None:
        return given
    return float(model.details.get("calibration", {}).get("threshold", DEFAULT_THRESHOLD))


def model_notes(model: LinkageModel) -> tuple[str, ...]:
    """What training chose and found, one line each."""
    notes = [model.blocking.summary(),
             untrained_summary(model.details.get("untrained_levels", []))]
    if "calibration" in model.details:
        notes.append(Calibration(**model.details["calibration"]).summary())
    if "log" in model.details:
        notes.append(f"Splink's training messages: {model.details['log']}")
    return tuple(notes)


def _check_options(engine: str | None, threshold: float | None,
                   band: tuple[float, float]) -> str:
    """The engine to run on, once the options are checked."""
    if threshold is not None and not 0.0 < threshold <= 1.0:
        raise InputError(f"the threshold must be in (0, 1], not {threshold}")
    if not 0.0 <= band[0] < band[1] <= 1.0:
        raise InputError(f"the review band must be two probabilities low < high, not {band}")
    return check_engine(engine)


def _saved_model(store: Store) -> LinkageModel | None:
    try:
        return load_model(store)
    except NotFoundError:
        return None


def _predict(records: pa.Table, model: LinkageModel, engine: str,
             spark_master: str | None) -> pa.Table:
    # the values explanations show are added to the few pairs explained (`_review_items`)
    return predict(records, model, engine=engine, spark_master=spark_master,
                   threshold=EVIDENCE_THRESHOLD, shown=False)


def _recorded_relationships(conn: Any) -> pa.Table:
    """Cannot-links: every pair of records an agency recorded as related to each other."""
    current = current_rows(relationships).subquery()
    rows = conn.execute(select(current.c.agency, current.c.record_id,
                               current.c.related_record_id, current.c.type)).all()
    return pa.table({
        "uid_l": [f"{a}:{r}" for a, r, _, _ in rows],
        "uid_r": [f"{a}:{q}" for a, _, q, _ in rows],
        "reason": [f"recorded-{t}" for _, _, _, t in rows],
    }, schema=pa.schema([("uid_l", pa.string()), ("uid_r", pa.string()),
                         ("reason", pa.string())]))


def _review_items(pairs: pa.Table, records: pa.Table, result: Clustering,
                  model: LinkageModel, band: tuple[float, float]) -> pa.Table:
    """The pairs to ask a person about, each with its explanation: those scored in the
    uncertain band, and the links above the threshold that a constraint refused."""
    scored = pl.from_arrow(pairs)
    assert isinstance(scored, pl.DataFrame)
    refused = pl.from_arrow(result.refused)
    assert isinstance(refused, pl.DataFrame)
    refused = (refused.select(key_l=pl.min_horizontal("uid_l", "uid_r"),
                              key_r=pl.max_horizontal("uid_l", "uid_r"), reason="reason")
               .unique(["key_l", "key_r"], keep="first"))
    # Only the chosen few get every column: joined whole, a million scored pairs with
    # their shown values were copied for a few thousand kept.
    keyed = (scored.select(key_l=pl.min_horizontal("uid_l", "uid_r"),
                           key_r=pl.max_horizontal("uid_l", "uid_r"))
             .join(refused, on=["key_l", "key_r"], how="left", maintain_order="left"))
    p = scored.get_column("match_probability")
    wanted = keyed.get_column("reason").is_not_null() | ((p >= band[0]) & (p < band[1]))
    chosen = pl.concat([scored.filter(wanted), keyed.filter(wanted)], how="horizontal") \
        .with_columns(pl.col("reason").fill_null("uncertain"))
    shown = pl.from_arrow(with_shown_values(chosen.to_arrow(), records))
    assert isinstance(shown, pl.DataFrame)
    if "match_weight" not in chosen.columns:
        chosen = chosen.with_columns(match_weight=pl.lit(None, pl.Float64))
    return pa.table({
        "uid_l": chosen["key_l"].to_arrow(), "uid_r": chosen["key_r"].to_arrow(),
        "match_probability": chosen["match_probability"].to_arrow(),
        "match_weight": chosen["match_weight"].to_arrow(),
        "explanation": pa.array([explain(row, model).text
                                 for row in shown.iter_rows(named=True)], pa.string()),
        "reason": chosen["reason"].to_arrow(),
    }).cast(pa.schema([("uid_l", pa.string()), ("uid_r", pa.string()),
                       ("match_probability", pa.float64()), ("match_weight", pa.float64()),
                       ("explanation", pa.string()), ("reason", pa.string())]))


def _has_agency_column(path: Path) -> bool:
    with path.open(newline="", encoding="utf-8-sig") as f:
        return "agency" in (next(csv.reader(f), None) or [])


def _write_persons_csv(out: Path, records: pa.Table, assignments: pl.DataFrame,
                       with_agency: bool) -> None:
    """One row per input record, in input order, with its person and the person's size."""
    sized = assignments.with_columns(cluster_size=pl.len().over("person_id"))
    frame = pl.from_arrow(records.select(["uid", "agency", "record_id"]))
    assert isinstance(frame, pl.DataFrame)
    rows = frame.join(sized, on="uid", how="left", maintain_order="left")
    columns = ["agency"] if with_agency else []
    with writing(out) as temporary:
        rows.select([*columns, "record_id", "person_id", "cluster_size"]).write_csv(temporary)


def _start_run(store: Store, engine: str, threshold: float, clock: Clock) -> int:
    with store.begin() as conn:
        return int(conn.execute(insert(resolution_runs).values(
            started_at=clock.now(), status="running", engine=engine, threshold=threshold,
            records=0, pairs=0, persons=0, created=0, merges=0, splits=0, retired=0,
            review_items=0).returning(resolution_runs.c.id)).scalar_one())


def _finish_run(conn: Any, report: ResolutionReport, model_version: int | None,
                clock: Clock) -> None:
    conn.execute(update(resolution_runs).where(resolution_runs.c.id == report.run_id).values(
        status="done", finished_at=clock.now(), model_version=model_version,
        threshold=report.threshold,
        records=report.records, pairs=report.pairs, persons=report.persons,
        created=report.created, merges=report.merges, splits=report.splits,
        retired=report.retired, review_items=report.review_items, seconds=report.seconds))


Step = Callable[..., Any]


def _stepper(show: bool) -> Step:
    """A runner of named steps, each shown with a spinner and its time when `show`.

    Each step has its own short-lived display, so that training can show its own
    progress between steps (rich allows one live display at a time).
    """
    def step(name: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not show:
            return fn(*args, **kwargs)
        columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        with Progress(*columns, transient=False) as bar:
            task = bar.add_task(name, total=1)
            result = fn(*args, **kwargs)
            bar.update(task, completed=1)
        return result

    return step
