"""Writing the extracts (in the agency extract format) and the truth files as CSV."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow as pa

from kinlink.ingest.format import TABLES
from kinlink.synth.records import AgencyData


def write_csv(path: Path, columns: Mapping[str, np.ndarray | Sequence[str | None]],
              sort: tuple[str, ...] = ()) -> int:
    """Write columns of text (None for blank) as a UTF-8 CSV; returns the row count."""
    table = pa.table({name: pa.array(values, type=pa.string())
                      for name, values in columns.items()})
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    if sort:
        frame = frame.sort(list(sort), nulls_last=True, maintain_order=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    return frame.height


def write_agency(out: Path, agency: AgencyData) -> dict[str, int]:
    """Write one agency's tables to `out/<agency>/<table>.csv`; rows written by table."""
    tables = {"people": agency.people, **agency.tables}
    counts = {}
    for name, spec in TABLES.items():
        if name not in tables:
            continue
        data = tables[name]
        columns = {c: data[c] for c in spec.column_names if c in data}
        counts[name] = write_csv(out / agency.name / f"{name}.csv", columns, sort=spec.key)
    return counts


def write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n",
                    encoding="utf-8")
