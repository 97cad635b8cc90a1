"""The borough's streets, addresses and postcodes (invented, in UK style).

The borough, Kinbury, has eight districts with postcode districts KX1 to KX8 ("KX" is not
a real UK postcode area). Streets are named from English surnames and common street
words; a unit postcode covers about a dozen neighbouring houses on one street.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kinlink.synth.names import origin_pools

DISTRICTS: tuple[str, ...] = (
    "Ashcombe", "Brindley Green", "Castlebrook", "Dunmere", "Elmsworth", "Fennick Park",
    "Galton Vale", "Holloway Cross",
)
_STREET_WORDS = (
    "Church", "Mill", "Station", "Park", "Victoria", "Queens", "Kings", "Oak", "Elm", "Meadow",
    "Chapel", "School", "Manor", "Orchard", "Willow", "Beech", "Grange", "Hill", "Windmill",
    "Brook", "Cedar", "Albert", "Springfield", "Highfield", "Moor", "Forge", "Hawthorn",
)
_STREET_TYPES = ("Road", "Street", "Lane", "Avenue", "Close", "Drive", "Crescent", "Grove",
                 "Way", "Gardens", "Place", "Walk", "Rise", "Croft")
_BLOCK_WORDS = ("Court", "House", "Lodge", "Heights", "Mews")
_UNIT_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
HOUSES_PER_UNIT = 12


@dataclass(frozen=True)
class Addresses:
    """`n` distinct addresses: the text line and postcode of each."""

    line: np.ndarray  # object array of str
    postcode: np.ndarray  # object array of str
    district: np.ndarray  # int index into DISTRICTS

    def __len__(self) -> int:
        return len(self.line)


def _street_names(rng: np.random.Generator, n: int) -> np.ndarray:
    surnames = origin_pools()["english"].surnames.sample(rng, n)
    words = np.array(_STREET_WORDS, dtype=object)[rng.integers(0, len(_STREET_WORDS), n)]
    stems = np.where(rng.random(n) < 0.45, words, surnames)
    types = np.array(_STREET_TYPES, dtype=object)[rng.integers(0, len(_STREET_TYPES), n)]
    return stems + " " + types  # type: ignore[no-any-return]


def _streets(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """`n` street names with their districts; no name twice in one district."""
    candidates = _street_names(rng, 3 * n + 100)
    districts = rng.integers(0, len(DISTRICTS), len(candidates))
    keys = candidates + "|" + districts.astype(str).astype(object)
    _, first = np.unique(keys.astype(str), return_index=True)
    keep = np.sort(first)[:n]
    return candidates[keep], districts[keep]


def make_addresses(rng: np.random.Generator, n: int) -> Addresses:
    """`n` distinct addresses over the districts, about 60 houses to a street.

    Names run out at about 40,000 streets, so a very large borough has longer streets.
    """
    n_streets = max(1, min(n // 60 + 1, 40_000))
    street_name, street_district = _streets(rng, n_streets)
    n_streets = len(street_name)
    street_sector = rng.integers(0, 10, n_streets)
    street_unit0 = rng.integers(0, len(_UNIT_LETTERS) ** 2, n_streets)
    # Each address is the next house number on a randomly chosen street (so numbers are
    # distinct within a street and streets differ in length).
    street = np.sort(rng.integers(0, n_streets, n))
    first_of_street = np.searchsorted(street, street)
    number = np.arange(n) - first_of_street + 1
    unit = (street_unit0[street] + (number - 1) // HOUSES_PER_UNIT) % len(_UNIT_LETTERS) ** 2
    flat = rng.random(n) < 0.15
    district = street_district[street]
    postcode = np.array(
        [f"KX{d + 1} {s}{_UNIT_LETTERS[u // 20]}{_UNIT_LETTERS[u % 20]}"
         for d, s, u in zip(district, street_sector[street], unit, strict=True)], dtype=object)
    block = np.array(_BLOCK_WORDS, dtype=object)[number % len(_BLOCK_WORDS)]
    line = np.array(
        [f"Flat {num}, {name.split()[0]} {blk}, {name}, {DISTRICTS[d]}" if f
         else f"{num} {name}, {DISTRICTS[d]}"
         for num, name, d, f, blk in zip(number, street_name[street], district, flat, block,
                                         strict=True)], dtype=object)
    order = rng.permutation(n)  # so address index says nothing about the street
    return Addresses(line[order], postcode[order], district[order])


def outward(postcode: str) -> str:
    """The outward code of a full postcode ("KX3 4AB" -> "KX3")."""
    return postcode.split(" ")[0]
