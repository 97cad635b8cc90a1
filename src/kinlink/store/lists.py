"""How a list of text values is kept in one text column: a JSON array.

Record ids are free text chosen by agencies, so no separator character is safe (a record
id holding `;` once split a person's records into two bogus uids). A JSON array holds any
value, is read the same way by Python, polars and a person looking at the table.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import polars as pl

_KEY = "v"


def encode(items: Iterable[str]) -> str:
    """The items as a JSON array."""
    return json.dumps(list(items), ensure_ascii=False)


def decode(text: str | None) -> list[str]:
    """The items of a JSON array written by `encode` (none for a null)."""
    return [] if text is None else [str(v) for v in json.loads(text)]


def encode_expr(items: pl.Expr) -> pl.Expr:
    """`encode` over a polars list-of-strings column (nulls become `[]`)."""
    # polars writes JSON for structs only: wrap the list as {"v": [...]} and unwrap it.
    wrapped = pl.struct(items.fill_null(pl.lit([], pl.List(pl.String))).alias(_KEY))
    text = wrapped.struct.json_encode().str.slice(len(_KEY) + 4).str.strip_suffix("}")
    return text.alias(items.meta.output_name())


def decode_expr(text: pl.Expr) -> pl.Expr:
    """`decode` over a polars text column."""
    return text.str.json_decode(pl.List(pl.String))
