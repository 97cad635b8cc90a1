"""Address keys of whole frames for the network: one key per home.

Each address is read by the project's one address reader (`kinlink.address`); its
`household_key` is `number|flat|street|outward postcode`. Here a key without a postcode
district is given the district of the only district where that number, flat and street
is known (see `fill_missing_districts`), so an agency that records no postcode still
places its people in the home another agency recorded with one.
"""

from __future__ import annotations

import polars as pl

from kinlink.address import household_key


def address_keys(frame: pl.DataFrame, *, address: str = "address",
                 postcode: str = "postcode") -> pl.Series:
    """The household key of every row of `frame`, districts filled in where unambiguous."""
    keys = [household_key(a, p) for a, p in zip(frame[address].to_list(),
                                                frame[postcode].to_list(), strict=True)]
    return fill_missing_districts(pl.Series("address_key", keys, dtype=pl.String))


def fill_missing_districts(keys: pl.Series) -> pl.Series:
    """Give a key without a postcode district the district of its only known twin."""
    frame = pl.DataFrame({"key": keys}).with_columns(
        pl.col("key").str.replace(r"\|[^|]*$", "").alias("home"),
        pl.col("key").str.extract(r"\|([^|]*)$").alias("district"),
    )
    known = (
        frame.filter(pl.col("district") != "")
        .group_by("home").agg(pl.col("district").unique().alias("districts"))
        .filter(pl.col("districts").list.len() == 1)
        .select("home", pl.col("districts").list.first().alias("only"))
    )
    filled = frame.join(known, on="home", how="left", maintain_order="left").select(
        pl.when((pl.col("district") == "") & pl.col("only").is_not_null())
        .then(pl.concat_str([pl.col("home"), pl.lit("|"), pl.col("only")]))
        .otherwise(pl.col("key"))
    )
    return filled.to_series().alias("address_key")
