"""Constrained clustering: scored record pairs into clusters that are one person each.

Plain connected components at a threshold chain different people together: one weak
link between a parent's records and a child's records makes them one "person". So we
rebuild each component greedily, strongest link first (a maximum spanning forest), and
refuse a link when it would

- join two different valid strong identifiers of one kind (two NHS numbers, UPNs or
  PNC ids),
- join two records that must stay apart (`cannot_link`: records an agency recorded as
  related to each other, or a reviewer's "not the same person"; and scored pairs with a
  household's shape, twins or a parent and child, see `households.py`),
- join two groups holding a pair of records of a household's shape, scored or not (a
  record without a date of birth, alike to a parent and to a child of one name, must
  not chain the two into one person), or
- join two groups (of two or more records each) that the rest of the evidence does not
  support: the average match probability over every scored pair between the two groups
  is below `min_support` (a long chain held by one link).

Reviewers' "same person" decisions (`must_link`) are applied first and always honoured.
Refused links are returned, so the review queue can ask a person about them.

Everything here is a pure function of arrow tables: no store, no model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kinlink.linkage.households import (
    DATES_DIFFER,
    GENERATION,
    NAMESAKE,
    SHAPE_COLUMNS,
    SHAPES,
    TWINS,
    household_cannot_links,
    pair_shape,
)

STRONG_ID_COLUMNS = ("nhs_number", "upn", "pnc_id")
"""Identifiers that, when two records hold different valid values, mean different persons."""

DEFAULT_THRESHOLD = 0.5
"""Link two records when the model finds them more likely than not one person. The
constraints are what keep household members apart, so the threshold can stay low:
on the synthetic borough 0.5 beat 0.9 on F1 at every size (bench/resolution.py)."""
DEFAULT_MIN_SUPPORT = 0.4

REFUSED_SCHEMA = pa.schema([
    ("uid_l", pa.string()), ("uid_r", pa.string()),
    ("match_probability", pa.float64()), ("reason", pa.string()),
])


@dataclass(frozen=True)
class Clustering:
    """The result of `cluster`.

    `clusters` has one row per record: `uid`, `cluster_id` (the smallest uid of the
    cluster, so the same clusters get the same ids whatever the engine) and `confidence`
    (the probability of the strongest accepted link holding the record to the rest of
    its cluster; 1.0 for a reviewer's "same person"; null for a record alone).
    `refused` lists the links above the threshold that constraints kept apart, with why.
    """

    clusters: pa.Table
    refused: pa.Table = field(default_factory=REFUSED_SCHEMA.empty_table)


def cluster(records: pa.Table, pairs: pa.Table, *, threshold: float = DEFAULT_THRESHOLD,
            cannot_link: pa.Table | None = None, must_link: pa.Table | None = None,
            min_support: float = DEFAULT_MIN_SUPPORT,
            household_shapes: Sequence[str] = SHAPES) -> Clustering:
    """Cluster `records` (column `uid`, optional strong id columns) from scored `pairs`.

    `pairs` has `uid_l`, `uid_r`, `match_probability`: every pair that was scored, not
    only those above the threshold (the ones below are the evidence against joining two
    groups). `cannot_link` and `must_link` have `uid_l`, `uid_r` (and `cannot_link` an
    optional `reason`). Pairs naming records not in `records` are ignored. Scored pairs
    of the `household_shapes` (see `households.py`) are cannot-links too.
    """
    # Records in uid order, so a record's position also orders uids; only the columns
    # used (taking every prepared column of a million records cost seconds).
    shape_columns = [c for c in SHAPE_COLUMNS if c in records.column_names]
    records = records.select([c for c in dict.fromkeys(("uid", *STRONG_ID_COLUMNS,
                                                         *shape_columns))
                              if c in records.column_names])
    records = records.take(pc.sort_indices(records.column("uid")))
    uids = records.column("uid").combine_chunks()
    n = len(uids)
    strong = _strong_id_codes(records)
    # Shapes checked on unscored pairs too, where the records have the columns for them.
    checked = _checkable(records, household_shapes) if len(shape_columns) == len(
        SHAPE_COLUMNS) else ()
    cannot_link = _with_household_shapes(cannot_link, pairs, household_shapes)
    scored, musts, cannots = _encode_pairs(uids, pairs, must_link, cannot_link)
    links = scored[scored["p"] >= threshold]

    component = _components(n, np.concatenate([links["l"], musts["l"]]),
                            np.concatenate([links["r"], musts["r"]]))
    inside = component[scored["l"]] == component[scored["r"]]
    scored = scored[inside]
    cannots = cannots[component[cannots["l"]] == component[cannots["r"]]]
    # Most components need no care: every scored pair inside them is a link and nothing
    # forbids a join, so the greedy rebuild would keep them whole. Only the doubtful
    # ones go through the (slower, pure Python) agglomerator.
    doubtful = _doubtful(component, scored, threshold, cannots, strong)
    if checked:  # a component not every pair of which is a scored link may hide a shape
        doubtful |= _not_cliques(component, links)
    confidence = np.full(n, np.nan)
    for pairs_, p in ((links, links["p"]), (musts, np.ones(len(musts)))):
        np.fmax.at(confidence, pairs_["l"], p)
        np.fmax.at(confidence, pairs_["r"], p)

    def in_doubt(table: np.ndarray) -> np.ndarray:
        return table[doubtful[component[table["l"]]]]

    sizes = np.bincount(component, minlength=n)
    evidence = in_doubt(scored)
    agglomerator = _Agglomerator(n, strong, evidence[sizes[component[evidence["l"]]] >= 3],
                                 in_doubt(cannots), min_support,
                                 _Shapes(records, np.flatnonzero(doubtful[component]), checked))
    forced = in_doubt(musts)
    for left, right in zip(forced["l"].tolist(), forced["r"].tolist(), strict=True):
        agglomerator.merge(left, right, 1.0, forced=True)
    greedy = in_doubt(links)
    order = np.lexsort((greedy["r"], greedy["l"], -greedy["p"]))
    for left, right, p in zip(greedy["l"][order].tolist(), greedy["r"][order].tolist(),
                              greedy["p"][order].tolist(), strict=True):
        agglomerator.merge(left, right, p)

    labels = component.copy()
    members = np.flatnonzero(doubtful[component])
    labels[members] = [agglomerator.find(i) for i in members.tolist()]
    confidence[members] = np.nan
    if agglomerator.confidence:
        confidence[list(agglomerator.confidence)] = list(agglomerator.confidence.values())
    return Clustering(
        clusters=_cluster_table(uids, labels, confidence),
        refused=_refused_table(uids, labels, agglomerator.refused),
    )


def _with_household_shapes(cannot: pa.Table | None, pairs: pa.Table,
                           shapes: Sequence[str]) -> pa.Table | None:
    """The cannot-links with the scored pairs that have a household's shape (twins, a
    parent and child: see `households.py`)."""
    found = household_cannot_links(pairs, shapes)
    if not found.num_rows:
        return cannot
    if cannot is None:
        return found
    if "reason" not in cannot.column_names:
        cannot = cannot.append_column("reason", pa.nulls(cannot.num_rows, pa.string()))
    return pa.concat_tables([cannot.select(["uid_l", "uid_r", "reason"])
                             .cast(found.schema), found])


def _doubtful(component: np.ndarray, scored: np.ndarray, threshold: float,
              cannots: np.ndarray, strong: list[np.ndarray]) -> np.ndarray:
    """Per component label: whether it holds a scored pair below the threshold, a
    cannot-link, or two different values of a strong id (all pairs are inside one)."""
    n = len(component)
    doubtful = np.zeros(n, dtype=bool)
    doubtful[component[scored["l"][scored["p"] < threshold]]] = True
    doubtful[component[cannots["l"]]] = True
    for codes in strong:
        held = codes >= 0
        if not held.any():
            continue
        width = int(codes.max()) + 1
        distinct = np.unique(component[held].astype(np.int64) * width + codes[held])
        doubtful[np.bincount(distinct // width, minlength=n) > 1] = True
    return doubtful


def _checkable(records: pa.Table, shapes: Sequence[str]) -> tuple[str, ...]:
    """The shapes some pair of `records` could take: the date shapes need dates of
    birth, the namesakes' middle names (none in most files)."""
    needs = {GENERATION: "dob", DATES_DIFFER: "dob", TWINS: "dob", NAMESAKE: "middle_names"}
    return tuple(shape for shape in shapes
                 if records[needs.get(shape, "uid")].null_count < records.num_rows)


def _not_cliques(component: np.ndarray, links: np.ndarray) -> np.ndarray:
    """Per component label: whether it has three or more records and some pair of them
    is not a link (its pairs were not all scored, so a shape may hide among them)."""
    n = len(component)
    sizes = np.bincount(component, minlength=n).astype(np.int64)
    inside = np.bincount(component[links["l"]], minlength=n).astype(np.int64)
    return (sizes >= 3) & (inside < sizes * (sizes - 1) // 2)


class _Shapes:
    """The household shapes of pairs of records of the doubtful components, found from
    their prepared values (`households.pair_shape`); each pair of distinct values once."""

    def __init__(self, records: pa.Table, positions: np.ndarray, shapes: Sequence[str]) -> None:
        self.shapes = tuple(shapes)
        self.values: list[dict[str, Any]] = []
        self.of: dict[int, int] = {}  # record position -> index of its distinct values
        self.known: dict[tuple[int, int], str | None] = {}
        if not self.shapes or not len(positions):
            return
        rows = records.drop_columns(["uid"]).take(pa.array(positions)).to_pylist()
        seen: dict[tuple[Any, ...], int] = {}
        for position, row in zip(positions.tolist(), rows, strict=True):
            key = tuple(tuple(v) if isinstance(v, list) else v for v in row.values())
            if key not in seen:
                seen[key] = len(self.values)
                self.values.append(row)
            self.of[position] = seen[key]

    def signatures(self, position: int) -> set[int]:
        """The distinct values a record holds (none when shapes are not checked)."""
        found = self.of.get(position)
        return set() if found is None else {found}

    def between(self, mine: set[int], yours: set[int]) -> str | None:
        """A shape that some pair of values of the two groups has, or None."""
        for a in mine:
            for b in yours:
                key = (a, b) if a < b else (b, a)
                if key not in self.known:
                    self.known[key] = pair_shape(self.values[key[0]], self.values[key[1]],
                                                 self.shapes)
                if self.known[key]:
                    return self.known[key]
        return None


def _strong_id_codes(records: pa.Table) -> list[np.ndarray]:
    """Per strong id kind present, an integer code for each record's value (-1 if none)."""
    codes = []
    for name in STRONG_ID_COLUMNS:
        if name not in records.column_names:
            continue
        column = pc.utf8_trim_whitespace(records.column(name).cast(pa.string()))
        column = pc.if_else(pc.equal(column, ""), None, column)
        encoded = column.combine_chunks().dictionary_encode()
        codes.append(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False))
    return codes


def _encode_pairs(uids: pa.Array, scored: pa.Table, must: pa.Table | None,
                  cannot: pa.Table | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The three pair tables as record positions (`l` < `r`), with probabilities (1.0 for
    must-links) and reasons (cannot-links), dropping unknown uids and self-pairs."""
    tables = [t if t is not None else pa.table({"uid_l": pa.array([], pa.string()),
                                                "uid_r": pa.array([], pa.string())})
              for t in (scored, must, cannot)]
    # One lookup for every uid column: building the hash of a million uids is the cost.
    columns = [t.column(side).cast(uids.type) for t in tables for side in ("uid_l", "uid_r")]
    found = pc.index_in(pa.chunked_array([c for col in columns for c in col.chunks],
                                         type=uids.type), value_set=uids)
    positions = found.to_numpy(zero_copy_only=False)
    bounds = np.cumsum([0, *(len(c) for c in columns)])
    sides = [positions[bounds[i]:bounds[i + 1]] for i in range(len(columns))]
    encoded = []
    for i, table in enumerate(tables):
        probability = (pc.fill_null(table.column("match_probability").cast(pa.float64()),
                                    0.0).to_numpy() if i == 0 else np.ones(table.num_rows))
        reason = (np.asarray(pc.fill_null(table.column("reason").cast(pa.string()),
                                          "cannot-link").to_pylist(), dtype=object)
                  if i == 2 and "reason" in table.column_names else "cannot-link")
        encoded.append(_pairs_array(sides[2 * i], sides[2 * i + 1], probability, reason))
    return encoded[0], encoded[1], encoded[2]


_PAIR_DTYPE = [("l", np.int64), ("r", np.int64), ("p", np.float64), ("reason", object)]


def _pairs_array(left: np.ndarray, right: np.ndarray, probability: np.ndarray,
                 reason: np.ndarray | str) -> np.ndarray:
    """A structured array of known, distinct pairs (the best probability of repeats)."""
    known = ~(np.isnan(left) | np.isnan(right)) if left.dtype.kind == "f" else np.ones(
        len(left), dtype=bool)
    lpos, rpos = left[known].astype(np.int64), right[known].astype(np.int64)
    out = np.empty(len(lpos), dtype=_PAIR_DTYPE)
    out["l"], out["r"] = np.minimum(lpos, rpos), np.maximum(lpos, rpos)
    out["p"] = probability[known]
    out["reason"] = reason[known] if isinstance(reason, np.ndarray) else reason
    out = out[out["l"] != out["r"]]
    out = out[np.lexsort((-out["p"], out["r"], out["l"]))]
    first = np.ones(len(out), dtype=bool)
    first[1:] = (out["l"][1:] != out["l"][:-1]) | (out["r"][1:] != out["r"][:-1])
    return out[first]


def _components(n: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Connected component label (its smallest member) of each of `n` nodes.

    Vectorised hook-and-shortcut, so a million records take a fraction of a second.
    """
    parent = np.arange(n)
    while True:
        pl, pr = parent[left], parent[right]
        low, high = np.minimum(pl, pr), np.maximum(pl, pr)
        differ = low != high
        if not differ.any():
            return parent
        np.minimum.at(parent, high[differ], low[differ])
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


class _Agglomerator:
    """Union-find that merges groups strongest link first, refusing conflicting joins.

    Built for speed in pure Python over the doubtful components only: plain lists for
    parents and sizes, member lists and constraint lists kept per group root and merged
    small into large, scored neighbours held as a CSR adjacency over record positions.
    """

    def __init__(self, n: int, strong: list[np.ndarray], evidence: np.ndarray,
                 cannots: np.ndarray, min_support: float, shapes: _Shapes) -> None:
        self.parent = list(range(n))
        self.shapes = shapes
        self.signatures: dict[int, set[int]] = {}  # per group root, filled on first use
        self.size = [1] * n
        self.members: dict[int, list[int]] = {}
        self.min_support = min_support
        self.indptr, self.neighbours, self.probs = _adjacency(n, evidence)
        self.strong = strong
        self.ids: dict[int, list[set[int]]] = {}  # per group root, filled on first use
        self.cannot: dict[int, list[tuple[int, str]]] = {}
        for left, right, reason in zip(cannots["l"].tolist(), cannots["r"].tolist(),
                                       cannots["reason"].tolist(), strict=True):
            self.cannot.setdefault(left, []).append((right, reason))
            self.cannot.setdefault(right, []).append((left, reason))
        self.confidence: dict[int, float] = {}
        self.refused: list[tuple[int, int, float, str]] = []

    def find(self, node: int) -> int:
        parent = self.parent
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    def merge(self, left: int, right: int, p: float, *, forced: bool = False) -> None:
        """Join the groups of `left` and `right` unless a constraint refuses (see module)."""
        a, b = self.find(left), self.find(right)
        if a != b:
            reason = None if forced else self._refusal(a, b)
            if reason:
                self.refused.append((left, right, p, reason))
                return
            self._union(a, b)
        confidence = self.confidence
        for node in (left, right):
            if confidence.get(node, 0.0) < p:
                confidence[node] = p

    def _refusal(self, a: int, b: int) -> str | None:
        """Why groups `a` and `b` must not be joined, or None if they may."""
        for x, y in ((a, b), (b, a)):
            for other, reason in self.cannot.get(x, ()):
                if self.find(other) == y:
                    return reason
        for mine, yours in zip(self._ids(a), self._ids(b), strict=True):
            if mine and yours and not (mine <= yours or yours <= mine):
                return "different-strong-id"
        shape = self.shapes.between(self._signatures(a), self._signatures(b))
        if shape:
            return shape
        if min(self.size[a], self.size[b]) >= 2:  # two groups joined by one link: a chain?
            total, count = self._evidence(a, b)
            if count >= 2 and total / count < self.min_support:
                return "weak-support"
        return None

    def _ids(self, root: int) -> list[set[int]]:
        """The strong id values held by group `root`, per kind."""
        ids = self.ids.get(root)
        if ids is None:  # a record not yet merged: its own values
            ids = self.ids[root] = [{int(c[root])} if c[root] >= 0 else set()
                                    for c in self.strong]
        return ids

    def _signatures(self, root: int) -> set[int]:
        """The distinct record values held by group `root` (see `_Shapes`)."""
        found = self.signatures.get(root)
        if found is None:  # a record not yet merged: its own
            found = self.signatures[root] = self.shapes.signatures(root)
        return found

    def _evidence(self, a: int, b: int) -> tuple[float, int]:
        """Sum and count of the scored probabilities between groups `a` and `b`."""
        if self.size[a] > self.size[b]:
            a, b = b, a
        indptr, neighbours, probs, find = self.indptr, self.neighbours, self.probs, self.find
        total, count = 0.0, 0
        for node in self.members.get(a, (a,)):
            for k in range(indptr[node], indptr[node + 1]):
                if find(neighbours[k]) == b:
                    total += probs[k]
                    count += 1
        return total, count

    def _union(self, a: int, b: int) -> None:
        if self.size[a] < self.size[b]:
            a, b = b, a
        self.parent[b] = a
        self.size[a] += self.size[b]
        self.members.setdefault(a, [a]).extend(self.members.pop(b, (b,)))
        for mine, yours in zip(self._ids(a), self._ids(b), strict=True):
            mine |= yours
        del self.ids[b]
        self._signatures(a).update(self._signatures(b))
        del self.signatures[b]
        moved = self.cannot.pop(b, None)
        if moved:
            self.cannot.setdefault(a, []).extend(moved)


def _adjacency(n: int, pairs: np.ndarray) -> tuple[list[int], list[int], list[float]]:
    """Both directions of `pairs` as CSR lists: node i's neighbours are
    `neighbours[indptr[i]:indptr[i + 1]]` with probabilities `probs[...]`."""
    source = np.concatenate([pairs["l"], pairs["r"]])
    target = np.concatenate([pairs["r"], pairs["l"]])
    probs = np.concatenate([pairs["p"], pairs["p"]])
    order = np.argsort(source, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(source, minlength=n), out=indptr[1:])
    return indptr.tolist(), target[order].tolist(), probs[order].tolist()


def _cluster_table(uids: pa.Array, labels: np.ndarray, confidence: np.ndarray) -> pa.Table:
    """One row per record (in uid order): uid, cluster_id (the smallest uid of its
    cluster, i.e. its first position), confidence."""
    first = np.full(len(labels), len(labels))
    np.minimum.at(first, labels, np.arange(len(labels)))
    return pa.table({"uid": uids, "cluster_id": uids.take(pa.array(first[labels])),
                     "confidence": pa.array(confidence, from_pandas=True)})


def _refused_table(uids: pa.Array, labels: np.ndarray,
                   refused: list[tuple[int, int, float, str]]) -> pa.Table:
    """The refused links whose records really did end up in different clusters."""
    kept = [r for r in refused if labels[r[0]] != labels[r[1]]]
    if not kept:
        return REFUSED_SCHEMA.empty_table()
    left, right, p, reason = (list(col) for col in zip(*kept, strict=True))
    return pa.table({
        "uid_l": uids.take(pa.array(left)), "uid_r": uids.take(pa.array(right)),
        "match_probability": pa.array(p, pa.float64()), "reason": pa.array(reason, pa.string()),
    }, schema=REFUSED_SCHEMA)
