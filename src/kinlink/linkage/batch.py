"""Many real-time queries in a row (a file of people), with the latency of each."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kinlink.errors import InputError
from kinlink.linkage.realtime import Candidate, RealtimeMatcher
from kinlink.percentile import nearest_rank


@dataclass(frozen=True)
class MatchRow:
    """One candidate person for one query (a record not resolved yet stands for itself)."""

    record_id: str
    person_id: str
    probability: float
    candidate_uid: str


@dataclass(frozen=True)
class BatchMatches:
    """Every query's best candidates, and how long each query took."""

    queries: int
    rows: list[MatchRow]
    latencies_ms: list[float]

    def percentile(self, share: float) -> float:
        """The latency (ms) that `share` of the queries took at most."""
        return nearest_rank(self.latencies_ms, share) or 0.0


def best_per_person(record_id: str, candidates: Sequence[Candidate],
                    min_probability: float) -> list[MatchRow]:
    """One row per candidate person, best first, leaving out those below the threshold."""
    seen: set[str] = set()
    rows = []
    for c in candidates:
        who = c.person_id or c.uid
        if c.match_probability < min_probability or who in seen:
            continue
        seen.add(who)
        rows.append(MatchRow(record_id, c.person_id or "", c.match_probability, c.uid))
    return rows


def match_queries(matcher: RealtimeMatcher, queries: Sequence[Mapping[str, Any]], *,
                  top: int, min_probability: float, file: str) -> BatchMatches:
    """Match each query as its own real-time request; a bad query names its row of `file`.

    The queries share one connection to the store, as a service answering them keeps its
    connections open.
    """
    latencies: list[float] = []
    rows: list[MatchRow] = []
    with matcher.store.connect() as conn:
        for number, query in enumerate(queries, start=1):
            started = time.perf_counter()
            try:
                candidates = matcher.match(query, top=top, conn=conn)
            except InputError as e:
                raise InputError(str(e).split(": ", 1)[-1], file=file, row=number,
                                 field=e.field) from e
            latencies.append((time.perf_counter() - started) * 1000)
            rows.extend(best_per_person(query["record_id"], candidates, min_probability))
    return BatchMatches(len(queries), rows, latencies)
