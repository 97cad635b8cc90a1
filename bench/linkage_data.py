"""Data and scoring shared by the linkage benchmarks: the synthetic borough and the
public labelled sets, prepared for Kinlink and for the peers, and pairwise metrics.

Not a benchmark itself; `linkage_accuracy.py`, `linkage_realtime.py` and
`linkage_scale.py` use it.
"""

from __future__ import annotations

import csv
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from kinlink.ingest.format import AGENCIES
from kinlink.linkage.blocking import BlockingRule, choose_blocking, index_keys, query_keys
from kinlink.linkage.prepare import prepare_table

# ../shared/benchmarks beside the checkout (a worktree sits one level deeper)
SHARED = next((parent / "shared" / "benchmarks" for parent in Path(__file__).resolve().parents
               if (parent / "shared" / "benchmarks").is_dir()),
              Path(__file__).resolve().parents[2] / "shared" / "benchmarks")
RESULTS = Path(__file__).resolve().parent / "results"


Truth = tuple[dict[str, str], dict[str, set[str]]]


@dataclass
class LabelledData:
    """Raw people-format records (text columns, `agency`), and the truth: read when first
    asked for, after a tool's run, so that it is no part of the run's peak memory."""

    name: str
    raw: pa.Table
    read_truth: Callable[[], Truth]

    @cached_property
    def _truth(self) -> Truth:
        return self.read_truth()

    @property
    def truth(self) -> dict[str, str]:
        """uid -> true person."""
        return self._truth[0]

    @property
    def households(self) -> dict[str, set[str]]:
        """true person -> households ever lived in."""
        return self._truth[1]

    @property
    def records(self) -> pa.Table:
        return prepare_table(self.raw)

    def true_pairs(self) -> int:
        sizes = Counter(self.truth.values())
        return sum(n * (n - 1) // 2 for n in sizes.values())


def borough(folder: Path) -> LabelledData:
    """A synthetic borough written by `kinlink synth` (all agencies' people)."""
    tables = []
    for agency in AGENCIES:
        path = folder / agency / "people.csv"
        if not path.exists():
            continue
        table = _read_csv_text(path)
        tables.append(table.append_column("agency", pa.array([agency] * table.num_rows)))
    raw = pa.concat_tables(tables, promote_options="default")
    return LabelledData(folder.name, raw, lambda: _borough_truth(folder))


def _borough_truth(folder: Path) -> Truth:
    with (folder / "truth" / "records.csv").open() as f:
        truth = {f"{r['agency']}:{r['record_id']}": r["person_id"] for r in csv.DictReader(f)}
    households: dict[str, set[str]] = defaultdict(set)
    with (folder / "truth" / "households.csv").open() as f:
        for r in csv.DictReader(f):
            households[r["person_id"]].add(r["household_id"])
    return truth, dict(households)


def fake_1000() -> LabelledData:
    """splink_datasets fake_1000, fed as the peers were (see shared README)."""
    rows = list(csv.DictReader((SHARED / "fake_1000.csv").open()))
    return _public("fake_1000", rows, lambda r: r["first_name"], lambda r: r["surname"],
                   lambda r: r["dob"], lambda r: "", lambda r: r["city"], lambda r: "")


def historical_50k() -> LabelledData:
    """splink_datasets historical_50k, fed as the peers were (see shared README)."""
    rows = pq.read_table(SHARED / "h50k.parquet").to_pylist()
    sex = {"male": "M", "female": "F"}
    return _public("historical_50k", rows, lambda r: r["first_name"], lambda r: r["surname"],
                   lambda r: r["dob"], lambda r: sex.get(r["gender"] or "", ""),
                   lambda r: r["birth_place"], lambda r: r["postcode_fake"])


def borough_file(folder: Path, name: str) -> LabelledData:
    """A synthetic borough as one file of the people-format columns the public sets are
    given (no agency, identifiers or middle names), shuffled, with opaque ids; the truth
    keeps the households, so that household merges can be counted."""
    data = borough(folder)
    truth, households = _borough_truth(folder)
    rows = [{**r, "cluster": truth[f"{r['agency']}:{r['record_id']}"]}
            for r in data.raw.to_pylist()]
    return _public(name, rows, lambda r: r["first_name"], lambda r: r["surname"],
                   lambda r: r["dob"], lambda r: r["sex"], lambda r: r["address"],
                   lambda r: r["postcode"], households=households)


def _public(name: str, rows: list[dict], first, surname, dob, sex, address,
            postcode, households: dict[str, set[str]] | None = None) -> LabelledData:
    """Rows shuffled, opaque ids, invalid dates blank (as the peers were fed)."""
    rows = rows[:]
    random.Random(7).shuffle(rows)
    columns: dict[str, list[str | None]] = defaultdict(list)
    truth = {}
    for i, row in enumerate(rows):
        record_id = f"R{i:06d}"
        truth[f"file:{record_id}"] = str(row["cluster"])
        for column, value in (("record_id", record_id), ("agency", "file"),
                              ("first_name", first(row)), ("surname", surname(row)),
                              ("dob", _valid_date(dob(row))), ("sex", sex(row)),
                              ("address", address(row)), ("postcode", postcode(row))):
            columns[column].append(value or None)
    raw = pa.table({c: pa.array(v, pa.string()) for c, v in columns.items()})
    return LabelledData(name, raw, lambda: (truth, households or {}))


def _valid_date(value: str | None) -> str | None:
    from kinlink.linkage.normalise import parse_dob

    try:
        parse_dob(value)
    except ValueError:
        return None
    return value


def _read_csv_text(path: Path) -> pa.Table:
    names = pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 20)).column_names
    convert = pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                   strings_can_be_null=True)
    return pacsv.read_csv(path, convert_options=convert)


@dataclass
class PairScores:
    predicted: int
    true_positive: int
    true_pairs: int
    household_merges: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def household_merges_per_1000(self) -> float:
        return 1000 * self.household_merges / self.predicted if self.predicted else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"predicted_pairs": self.predicted, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "household_merges": self.household_merges,
                "household_merges_per_1000": round(self.household_merges_per_1000, 2)}


def score_pairs(data: LabelledData, pairs: Iterable[tuple[str, str]]) -> PairScores:
    """Pairwise precision/recall and household-member merges of predicted pairs."""
    predicted = tp = household = 0
    for a, b in pairs:
        predicted += 1
        pa_, pb = data.truth[a], data.truth[b]
        if pa_ == pb:
            tp += 1
        elif data.households.get(pa_, set()) & data.households.get(pb, set()):
            household += 1
    return PairScores(predicted, tp, data.true_pairs(), household)


def pair_recall(data: LabelledData, pairs: pa.Table) -> dict[str, float]:
    """How many candidate pairs (`uid_l`, `uid_r`) a blocking made, per record, and the
    share of true pairs among them (blocking recall)."""
    found = sum(data.truth[a] == data.truth[b] for a, b in zip(
        pairs["uid_l"].to_pylist(), pairs["uid_r"].to_pylist(), strict=True))
    true_pairs = data.true_pairs()
    return {"candidate_pairs": pairs.num_rows,
            "comparisons_per_record": round(pairs.num_rows / data.raw.num_rows, 2),
            "blocking_recall": round(found / true_pairs, 4) if true_pairs else 1.0}


def candidate_pairs(records: pa.Table, rules: Sequence[BlockingRule]) -> pa.Table:
    """Every pair (`uid_l` < `uid_r`) the blocking `rules` put in the candidate set.

    Found through the real-time index keys (`settings.query_keys` met by
    `settings.index_keys`), which pair two records exactly when a batch blocking rule
    does, whichever way round they are asked.
    """
    con = duckdb.connect()
    for name, keys_of in (("queries", query_keys), ("held", index_keys)):
        keys, uids = [], []
        for record in records.to_pylist():
            record_keys = keys_of(record, rules)
            keys += record_keys
            uids += [record["uid"]] * len(record_keys)
        con.register(name, pa.table({"key": keys, "uid": uids}))
    return con.sql("SELECT DISTINCT l.uid AS uid_l, r.uid AS uid_r FROM queries l "
                   "JOIN held r ON l.key = r.key AND l.uid < r.uid").to_arrow_table()


def blocking_scores(data: LabelledData, records: pa.Table) -> dict[str, float]:
    """Blocking recall (the share of true pairs that are candidate pairs) and the number
    of candidate pairs per record (what scoring costs), with the rules training would
    choose for `records`."""
    return pair_recall(data, candidate_pairs(records, choose_blocking(records).rules))


def save(name: str, result: dict) -> Path:
    """Write a benchmark's figures as JSON under bench/results/."""
    import json

    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return path


def components(uids: list[str], pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Connected components of the pairs: uid -> cluster label (how peers cluster)."""
    parent = {u: u for u in uids}

    def find(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {u: find(u) for u in uids}


def cluster_scores(data: LabelledData, labels: dict[str, str]) -> dict[str, float]:
    """Pairwise P/R/F1 of the clusters, household merges, and B-cubed P/R/F1."""
    members: dict[str, list[str]] = defaultdict(list)
    for uid, label in labels.items():
        members[label].append(uid)
    pairs = ((group[i], group[j]) for group in members.values()
             for i in range(len(group)) for j in range(i + 1, len(group)))
    pairwise = score_pairs(data, pairs).as_dict()
    true_sizes = Counter(data.truth.values())
    precision = recall = 0.0
    for group in members.values():
        in_group = Counter(data.truth[u] for u in group)
        for uid in group:
            same = in_group[data.truth[uid]]
            precision += same / len(group)
            recall += same / true_sizes[data.truth[uid]]
    n = len(labels)
    p, r = precision / n, recall / n
    return {**{f"cluster_{k}": v for k, v in pairwise.items()},
            "bcubed_precision": round(p, 4), "bcubed_recall": round(r, 4),
            "bcubed_f1": round(2 * p * r / (p + r), 4)}
