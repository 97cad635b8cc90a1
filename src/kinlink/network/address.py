"""Normalising UK addresses so that two agencies' spellings of one home compare equal.

No well-kept Python library parses free-text UK addresses without a gazetteer (libpostal
needs a 2 GB model and a C library), so we use a small documented method:

1. upper case, `&` -> `AND`, apostrophes dropped, every other punctuation mark -> space
   (a `/` between two numbers first becomes "FLAT a b": `3/12` is flat 3 at number 12);
2. street-type abbreviations spelt out (`RD` -> `ROAD`, `ST` -> `STREET` at the end of a
   street name but `SAINT` before one, `AVE` -> `AVENUE`, ...), `APARTMENT`/`APT`/`FLT`
   -> `FLAT`, `NO`/`NUMBER` dropped;
3. the flat (`FLAT 3`, wherever it stands), the house number (first number, with its
   letter suffix: `12A`) and the street are picked out. The street is the words after the
   number up to and including a street-type word, or the first four words; a run of
   street-type words stays whole (`PARK DRIVE` is not `PARK CRESCENT`), and a block's
   name (`JOHNSON COURT`) takes the street after it (`JOHNSON COURT JOHNSON RISE`), since
   one block name can stand on several streets;
4. the key is `number|flat|street|outward postcode`. The postcode's outward part
   ("B91") separates same-named streets of different districts without making a typo in
   the inward part ("3QB"/"3BQ") split one home in two. A record without a postcode takes
   the outward part of the only district where that number, flat and street is known
   (see `fill_missing_districts`).

Town and county names are left out: agencies write them inconsistently.
"""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

from kinlink.text import fold_accents

ABBREVIATIONS = {
    "RD": "ROAD", "ST": "STREET", "STR": "STREET", "AVE": "AVENUE", "AV": "AVENUE",
    "DR": "DRIVE", "DRV": "DRIVE", "LN": "LANE", "CL": "CLOSE", "CRES": "CRESCENT",
    "CRESC": "CRESCENT", "CT": "COURT", "CRT": "COURT", "GDNS": "GARDENS", "GDN": "GARDEN",
    "GRV": "GROVE", "GR": "GROVE", "PL": "PLACE", "SQ": "SQUARE", "TER": "TERRACE",
    "TERR": "TERRACE", "PK": "PARK", "PDE": "PARADE", "WK": "WALK", "HSE": "HOUSE",
    "MWS": "MEWS", "HTS": "HEIGHTS", "BLVD": "BOULEVARD", "WY": "WAY", "CLS": "CLOSE",
    "APARTMENT": "FLAT", "APT": "FLAT", "FLT": "FLAT", "UNIT": "FLAT",
}
STREET_TYPES = frozenset({
    "ROAD", "STREET", "AVENUE", "DRIVE", "LANE", "CLOSE", "CRESCENT", "COURT", "GARDENS",
    "GARDEN", "GROVE", "PLACE", "SQUARE", "TERRACE", "PARK", "PARADE", "WALK", "HOUSE",
    "MEWS", "HEIGHTS", "BOULEVARD", "WAY", "HILL", "ROW", "RISE", "VIEW", "GREEN", "END",
})
BLOCK_TYPES = frozenset({"COURT", "HOUSE", "LODGE", "HEIGHTS", "MEWS", "TOWER", "MANSIONS"})
_STREET_WORDS = 4  # a street name without a street-type word: its first words
_SLASH_FLAT = re.compile(r"\b(\d+[A-Z]?)\s*/\s*(\d+[A-Z]?)\b")
_NON_WORD = re.compile(r"[^\w ]+|_")  # letters of any script and digits are words
_NUMBER = re.compile(r"^\d+[A-Z]?$")
_OUTWARD = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)")


def outward_code(postcode: str | None) -> str:
    """The outward part of a UK postcode ("B91 3QB" -> "B91"), or "" when unknown."""
    if not postcode:
        return ""
    compact = postcode.upper().replace(" ", "")
    if len(compact) > 4:  # a full postcode: the inward part is always 3 characters
        compact = compact[:-3]
    match = _OUTWARD.match(compact)
    return match.group(1) if match else ""


def _tokens(address: str) -> list[str]:
    text = fold_accents(address).upper().replace("&", " AND ").replace("'", "")
    text = text.replace("\u2019", "")
    text = _SLASH_FLAT.sub(r" FLAT \1 \2 ", text)
    text = _NON_WORD.sub(" ", text)
    words = text.split()
    out: list[str] = []
    for i, word in enumerate(words):
        if word in ("NO", "NUMBER"):
            continue
        if word == "ST" and i + 1 < len(words) and words[i + 1] not in STREET_TYPES \
                and not _NUMBER.match(words[i + 1]) and i + 2 < len(words):
            out.append("SAINT")  # "ST MARY'S ROAD": a saint's name, not a street
            continue
        out.append(ABBREVIATIONS.get(word, word))
    return out


@lru_cache(maxsize=1_000_000)
def address_parts(address: str) -> tuple[str, str, str]:
    """(house number, flat, street) of a free-text address; "" for a part not found."""
    words = _tokens(address)
    flat = ""
    if "FLAT" in words:
        i = words.index("FLAT")
        if i + 1 < len(words) and _NUMBER.match(words[i + 1]):
            flat = words[i + 1]
            del words[i:i + 2]
        else:
            del words[i]
    number_at = next((i for i, w in enumerate(words) if _NUMBER.match(w)), None)
    number = words[number_at] if number_at is not None else ""
    rest = words[number_at + 1:] if number_at is not None else words
    street = _street_phrase(rest)
    if street and street[-1] in BLOCK_TYPES:
        after = _street_phrase(rest[len(street):])
        if after and after[-1] in STREET_TYPES:
            street += after
    return number, flat, " ".join(street)


def _street_phrase(words: list[str]) -> list[str]:
    """The leading words naming one street (or block), up to its street-type words."""
    phrase: list[str] = []
    for i, word in enumerate(words):
        if _NUMBER.match(word):
            break
        phrase.append(word)
        if word in STREET_TYPES:
            # "PARK DRIVE": the type run continues; "JOHNSON COURT, JOHNSON RISE" does not.
            if i + 1 < len(words) and words[i + 1] in STREET_TYPES \
                    and words[i + 1] not in BLOCK_TYPES:
                continue
            break
        if len(phrase) == _STREET_WORDS:
            break
    return phrase


def address_key(address: str | None, postcode: str | None) -> str | None:
    """The normalised key of one address (see the module's method), None when unusable."""
    if not address:
        return None
    number, flat, street = address_parts(address)
    if not street or not (number or flat):
        return None  # "Birmingham" or "no fixed abode" names no single home
    return f"{number}|{flat}|{street}|{outward_code(postcode)}"


def address_keys(frame: pl.DataFrame, *, address: str = "address",
                 postcode: str = "postcode") -> pl.Series:
    """`address_key` of every row of `frame`, districts filled in where unambiguous."""
    keys = [address_key(a, p) for a, p in zip(frame[address].to_list(),
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
