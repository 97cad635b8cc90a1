"""Two records side by side, each field's comparison and what it weighed, in plain words.

The duplicate review screen shows this: the pair is scored again by the real-time matcher
(which reproduces the batch score exactly) and explained part by part, so the reviewer sees
which fields pulled towards "same person" and which against.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kinlink.linkage.explain import ExplanationPart, explain
from kinlink.linkage.realtime import RealtimeMatcher
from kinlink.store import Store
from kinlink.store.queries import current_rows_of
from kinlink.store.schema.source import people

SHOWN = {"first_name": "First name", "middle_names": "Middle names", "surname": "Surname",
         "previous_surnames": "Previous surnames", "aliases": "Also known as",
         "dob": "Date of birth", "sex": "Sex", "address": "Address", "postcode": "Postcode",
         "nhs_number": "NHS number", "upn": "Unique pupil number", "pnc_id": "PNC id",
         "local_id": "Local id"}
"""The fields of a people record shown side by side, in order, with their labels."""


@dataclass(frozen=True)
class FieldComparison:
    """How one comparison of the model judged the pair."""

    title: str  # e.g. "date of birth"
    level: str  # e.g. "same", "similar spelling"
    weight: float  # log2 Bayes factor: > 0 towards the same person
    value_l: str | None
    value_r: str | None

    @property
    def words(self) -> str:
        """What the weight means, for a reader who never met a Bayes factor."""
        w = self.weight
        if w >= 4:
            return "counts strongly for the same person"
        if w >= 1:
            return "counts for the same person"
        if w > -1:
            return "counts little either way"
        if w > -4:
            return "counts against"
        return "counts strongly against"


@dataclass(frozen=True)
class PairComparison:
    """Two records with every field and the model's judgement of each comparison."""

    uid_l: str
    uid_r: str
    record_l: dict[str, Any]
    record_r: dict[str, Any]
    fields: list[FieldComparison]
    match_probability: float


def compare_pair(store: Store, matcher: RealtimeMatcher, uid_l: str,
                 uid_r: str) -> PairComparison:
    """The pair's records and its scored comparisons; NotFoundError if a record is not
    in the real-time index."""
    explanation = explain(matcher.score_pair(uid_l, uid_r), matcher.model)
    records = _records(store, [uid_l, uid_r])
    return PairComparison(uid_l=uid_l, uid_r=uid_r, record_l=records.get(uid_l, {}),
                          record_r=records.get(uid_r, {}),
                          fields=[_field(p) for p in explanation.parts],
                          match_probability=explanation.match_probability)


def _field(part: ExplanationPart) -> FieldComparison:
    return FieldComparison(title=part.title, level=part.level, weight=part.weight,
                           value_l=part.value_l, value_r=part.value_r)


def _records(store: Store, uids: list[str]) -> dict[str, dict[str, Any]]:
    pairs = [(agency, record_id) for agency, record_id in (uid.split(":", 1) for uid in uids)]
    with store.connect() as conn:
        return {f"{r['agency']}:{r['record_id']}": {name: r[name] for name in SHOWN}
                for r in current_rows_of(conn, people, pairs)}
