"""docs/data-format.md states the format module exactly, and the examples are explained."""

from __future__ import annotations

from pathlib import Path

from kinlink.ingest.docs import BEGIN, END, format_reference
from kinlink.ingest.format import TABLES

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")


def test_generated_reference_is_current() -> None:
    generated = DOC[DOC.index(BEGIN): DOC.index(END) + len(END)]
    assert generated == format_reference(), (
        "docs/data-format.md is out of date: run `python -m kinlink.ingest.docs`")


def test_every_table_column_and_vocabulary_value_is_documented() -> None:
    for spec in TABLES.values():
        assert f"### `{spec.name}`" in DOC
        for column in spec.columns:
            assert f"`{column.name}`" in DOC
            for value in column.vocabulary:
                assert f"`{value}`" in DOC


def test_examples_readme_explains_every_bad_row() -> None:
    readme = (ROOT / "examples" / "README.md").read_text(encoding="utf-8")
    for needle in ("P-1005", "P-1099", "SC-2007", "R-5004", "E-3003", "kinlink ingest"):
        assert needle in readme
