"""The trained linkage model and keeping it in the store, versioned."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from kinlink.clock import SYSTEM_CLOCK
from kinlink.errors import NotFoundError
from kinlink.linkage.blocking import Blocking
from kinlink.linkage.settings import settings_for_dialect
from kinlink.store import Store
from kinlink.store.schema.linkage import linkage_models


@dataclass
class LinkageModel:
    """A trained model: Splink settings with m, u and the prior, and how it was made.

    `settings` is written for DuckDB (batch and real time); `settings_for("spark")`
    gives the same model for Spark.
    """

    settings: dict[str, Any]
    training_record_count: int
    engine: str = "duckdb"
    created_at: datetime = field(default_factory=SYSTEM_CLOCK.now)
    charts: dict[str, str] = field(default_factory=dict)
    training_seconds: float | None = None
    version: int | None = None
    details: dict[str, Any] = field(default_factory=dict)
    """What training chose and found: `blocking` (see `Blocking.as_dict`) and
    `untrained_levels` (levels that kept their starting m, and why)."""

    @property
    def blocking(self) -> Blocking:
        """The blocking chosen for the records the model was trained on."""
        return Blocking.from_dict(self.details.get("blocking"))

    def settings_for(self, dialect: str) -> dict[str, Any]:
        """A copy of the settings with SQL for `dialect` ("duckdb" or "spark")."""
        if dialect == self.settings.get("sql_dialect", "duckdb"):
            return copy.deepcopy(self.settings)
        return settings_for_dialect(self.settings, dialect, self.blocking.rules)

    @property
    def prior(self) -> float:
        """The estimated probability that two random records are the same person."""
        return float(self.settings["probability_two_random_records_match"])

    def comparison(self, name: str) -> dict[str, Any]:
        """The trained comparison named `name` (its levels with m and u)."""
        for comparison in self.settings["comparisons"]:
            if comparison["output_column_name"] == name:
                return dict(comparison)
        raise KeyError(name)


def save_model(store: Store, model: LinkageModel) -> int:
    """Store the model as a new version; returns that version (also set on `model`)."""
    with store.begin() as conn:
        result = conn.execute(insert(linkage_models).values(
            created_at=model.created_at,
            engine=model.engine,
            training_record_count=model.training_record_count,
            settings=model.settings,
            charts=model.charts,
            training_seconds=(round(model.training_seconds)
                              if model.training_seconds is not None else None),
            details=model.details,
        ))
        version = int(result.inserted_primary_key[0])  # type: ignore[index]
    model.version = version
    return version


def update_model(store: Store, model: LinkageModel) -> None:
    """Write back a saved model's settings and details (its prior and threshold, once
    its first resolution has measured them)."""
    if model.version is None:
        raise NotFoundError("the model was never saved")
    with store.begin() as conn:
        conn.execute(update(linkage_models).where(linkage_models.c.version == model.version)
                     .values(settings=model.settings, details=model.details))


def load_model(store: Store, version: int | None = None) -> LinkageModel:
    """The model of the given version, or the newest; NotFoundError if there is none."""
    with store.connect() as conn:
        if version is None:
            version = conn.execute(select(func.max(linkage_models.c.version))).scalar()
            if version is None:
                raise NotFoundError("no trained linkage model in the store: run "
                                    "`kinlink train` first")
        row = conn.execute(select(linkage_models)
                           .where(linkage_models.c.version == version)).mappings().first()
    if row is None:
        raise NotFoundError(f"no linkage model with version {version}")
    return LinkageModel(
        settings=row["settings"], training_record_count=row["training_record_count"],
        engine=row["engine"], created_at=row["created_at"], charts=row["charts"] or {},
        training_seconds=row["training_seconds"], version=row["version"],
        details=row["details"] or {})
