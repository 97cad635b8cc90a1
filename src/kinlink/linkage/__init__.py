"""Linking records into persons: record preparation, the Splink model, training,
batch prediction, explanations and real-time matching.

A small public surface; the workings live in the modules named for what they do.
"""

from kinlink.linkage.explain import Explanation, ExplanationPart, explain
from kinlink.linkage.model import LinkageModel, load_model, save_model
from kinlink.linkage.predict import predict
from kinlink.linkage.prepare import (
    prepare_record,
    prepare_records_from_file,
    prepare_records_from_store,
)
from kinlink.linkage.training import train

__all__ = [
    "Explanation",
    "ExplanationPart",
    "LinkageModel",
    "explain",
    "load_model",
    "predict",
    "prepare_record",
    "prepare_records_from_file",
    "prepare_records_from_store",
    "save_model",
    "train",
]

# Resolution: constrained clustering and stable persons (see docs/resolution.md).
from kinlink.linkage.clusters import Clustering, cluster
from kinlink.linkage.resolve import ResolutionReport, resolve_file, resolve_store

__all__ += ["Clustering", "ResolutionReport", "cluster", "resolve_file", "resolve_store"]
