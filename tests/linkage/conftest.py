"""Fixtures of the linkage tests: a small synthetic borough (807 records of 500 people,
written by `kinlink synth --people 500 --seed 11`) and a model trained on it.

Training takes seconds, so the model is trained once per session and shared: it is an
immutable result, so sharing it does not couple tests.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from kinlink.ingest import ingest_extract
from kinlink.ingest.format import AGENCIES
from kinlink.linkage import LinkageModel, train
from kinlink.linkage.prepare import prepare_table
from kinlink.store import Store

BOROUGH = Path(__file__).parents[1] / "data" / "linkage" / "borough"


def raw_borough() -> pa.Table:
    """Every agency's people.csv of the test borough, as text with an agency column."""
    tables = []
    for agency in AGENCIES:
        path = BOROUGH / agency / "people.csv"
        names = pacsv.read_csv(path).column_names
        table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True))
        tables.append(table.append_column("agency", pa.array([agency] * table.num_rows)))
    return pa.concat_tables(tables, promote_options="default")


@pytest.fixture(scope="session")
def borough_records() -> pa.Table:
    """The test borough's people of all agencies, prepared for linkage."""
    return prepare_table(raw_borough())


@pytest.fixture(scope="session")
def trained_model(borough_records: pa.Table,
                  tmp_path_factory: pytest.TempPathFactory) -> LinkageModel:
    """The model trained (DuckDB) on the test borough."""
    return train(borough_records, charts_dir=tmp_path_factory.mktemp("charts"))


@pytest.fixture(scope="session")
def borough_dir() -> Path:
    """The test borough's folder: `<agency>/people.csv` and `truth/records.csv`."""
    return BOROUGH


@pytest.fixture(scope="session")
def borough_truth() -> dict[str, str]:
    """uid -> true person id of the test borough."""
    with (BOROUGH / "truth" / "records.csv").open() as f:
        return {f"{r['agency']}:{r['record_id']}": r["person_id"] for r in csv.DictReader(f)}


@pytest.fixture
def borough_store(store: Store) -> Store:
    """A fresh store holding the test borough's people."""
    for agency in AGENCIES:
        ingest_extract(store, BOROUGH / agency, agency)
    return store
