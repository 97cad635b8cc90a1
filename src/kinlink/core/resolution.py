"""`kl.resolution`: linking records into persons (combination), the model, matching."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource, has_basis
from kinlink.core.visibility import agency_of
from kinlink.linkage import load_model, prepare_records_from_store, save_model, train
from kinlink.linkage.batch import BatchMatches, match_queries
from kinlink.linkage.engines import check_engine
from kinlink.linkage.prepare import read_people_csv
from kinlink.linkage.realtime import Candidate, RealtimeMatcher
from kinlink.linkage.resolve import ResolutionReport, model_notes, resolve_file, resolve_store

RECORDS = Resource("records")



@dataclass(frozen=True)
class TrainedModel:
    """A model version just trained and saved."""

    version: int
    records: int
    engine: str
    seconds: float
    prior: float
    charts: dict[str, str]
    notes: tuple[str, ...] = ()  # what training chose and found (see `model_notes`)


@dataclass(frozen=True)
class Matches:
    """The candidates for one query, and how many records the index took in first."""

    candidates: list[Candidate]
    indexed: int
    total_indexed: int


@dataclass(frozen=True)
class FileMatches:
    """Every row's best candidates with latencies, and what the index took in first."""

    batch: BatchMatches
    indexed: int
    total_indexed: int


class Resolution(Capability):
    """Identity resolution over the stored records."""

    def _engine(self, engine: str | None) -> str:
        """The engine asked for, else KINLINK_ENGINE; checked (inside the gate: a refused
        user learns nothing from validation)."""
        return check_engine(engine or self.settings.engine)

    def run(self, actor: Actor, *, engine: str | None = None, spark_master: str | None = None,
            retrain: bool = False, threshold: float | None = None) -> ResolutionReport:
        """Resolve every stored record into persons (without a threshold, the one the
        model chose from the data)."""
        with self.gate(actor, Action.RESOLUTION_RUN, RECORDS, detail={
                "engine": engine, "retrain": retrain, "threshold": threshold}):
            engine = self._engine(engine)
            return resolve_store(self.store, engine=engine,
                                 spark_master=spark_master or self.settings.spark_master,
                                 retrain=retrain, progress=self.shows_progress,
                                 threshold=threshold, clock=self.clock)

    def run_file(self, actor: Actor, people: Path, out: Path, *, engine: str | None = None,
                 spark_master: str | None = None,
                 threshold: float | None = None) -> ResolutionReport:
        """Resolve a standalone people-format CSV into persons written to `out` (without
        a threshold, the one the data support)."""
        with self.gate(actor, Action.RESOLUTION_FILE, Resource("file", str(people)),
                       detail={"out": str(out), "engine": engine, "threshold": threshold}):
            engine = self._engine(engine)
            return resolve_file(people, out, engine=engine,
                                spark_master=spark_master or self.settings.spark_master,
                                progress=self.shows_progress, threshold=threshold)

    def train(self, actor: Actor, *, engine: str | None = None,
              spark_master: str | None = None) -> TrainedModel:
        """Train the linkage model on every stored record and save it as a new version."""
        with self.gate(actor, Action.RESOLUTION_TRAIN, RECORDS, detail={"engine": engine}):
            engine = self._engine(engine)
            records = prepare_records_from_store(self.store)
            model = train(records, engine=engine,
                          spark_master=spark_master or self.settings.spark_master,
                          progress=self.shows_progress, clock=self.clock)
            version = save_model(self.store, model)
        return TrainedModel(version, records.num_rows, engine, model.training_seconds or 0.0,
                            model.prior, dict(model.charts), model_notes(model))

    def matcher(self, *, version: int | None = None, refresh: bool = True
                ) -> tuple[RealtimeMatcher, int, int]:
        """A real-time matcher on the saved model (brought up to date with the store)."""
        matcher = RealtimeMatcher(self.store, load_model(self.store, version))
        if not refresh:
            return matcher, 0, 0
        summary = matcher.refresh()
        return matcher, summary.indexed, summary.total

    def match(self, actor: Actor, query: dict[str, Any], *, top: int = 5,
              min_probability: float = 0.0, version: int | None = None,
              refresh: bool = True) -> Matches:
        """The stored persons most likely to be the person described, best first."""
        fields = sorted(k for k, v in query.items() if v)
        with self.gate(actor, Action.RESOLUTION_MATCH, Resource("search"),
                       detail={"fields": fields, "top": top}):
            matcher, indexed, total = self.matcher(version=version, refresh=refresh)
            candidates = [c for c in matcher.match(query, top=top)
                          if c.match_probability >= min_probability
                          and has_basis(actor, agency_of(c.uid))]
        return Matches(candidates, indexed, total)

    def match_file(self, actor: Actor, people: Path, *, top: int = 5,
                   min_probability: float = 0.0, version: int | None = None,
                   refresh: bool = True) -> FileMatches:
        """Each row of a people-format CSV as its own real-time query, with latencies."""
        with self.gate(actor, Action.RESOLUTION_MATCH, Resource("file", str(people)),
                       detail={"top": top}):
            queries = read_people_csv(people).to_pylist()
            matcher, indexed, total = self.matcher(version=version, refresh=refresh)
            batch = match_queries(matcher, queries, top=top, min_probability=min_probability,
                                  file=str(people))
        visible = [r for r in batch.rows if has_basis(actor, agency_of(r.candidate_uid))]
        return FileMatches(replace(batch, rows=visible), indexed, total)
