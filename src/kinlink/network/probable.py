"""Probable identities: a record too thin to resolve, matched by its name to one person.

Resolution joins records on what they share. A record holding nothing but a name (perhaps
with a date of birth or sex), such as a police record from an agency that writes no
address, with no NHS number or pupil number, gives it too little to join with confidence,
so it stays a person of its own; when it carries a risk marker, that risk is lost to the
children of the person it belongs to. At build time this module finds each *thin* person
(every record of it thin, one of them carrying a marker) whose name agrees with at most
`max_namesakes` persons that hold a record resolution could place (its *namesakes*), with
nothing that disagrees, and stores a `probably-same` edge (source `probable-identity`,
inferred) to each, carrying the evidence. A child's network shows the thin person's markers
on a namesake around the child as *probable*, with the evidence, weighted by `confidence`,
when every namesake is around that child: the only one, or one person that resolution left
as several (a mother resolved as two persons, both recorded with the child); see `view`.
Nothing is merged: deciding is a person's job (the review queue).

The settings are the `[probable-identity]` table of `chains.toml` (the file of the chain
rules): `max_namesakes`, `confidence` and `identifying`, the people fields whose presence
makes a record one resolution could place (an address history row counts as an address).

Names agree when the first word of the first name and the whole surname are the same once
accents, letters' case and punctuation are set aside, or when the thin record's first name
is an initial and the other's starts with it. Nothing may disagree: a full date of birth on
the thin record must be one of the person's full dates of birth when it has any (a year
only: one of their years), and a sex (M or F) one of theirs when it has any.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from kinlink.errors import ConfigError
from kinlink.network.edges import EVIDENCE_SCHEMA, empty_evidence
from kinlink.network.load import SourceFrames
from kinlink.text import fold_accents, letters_only

RULES_FILE = Path(__file__).with_name("chains.toml")
"""The file holding the chain rules and, in `[probable-identity]`, these settings."""
RELATION, SOURCE = "probably-same", "probable-identity"


@dataclass(frozen=True)
class ProbableRules:
    """When a thin record's markers are shown on a person it probably belongs to."""

    max_namesakes: int  # at most this many persons may share the name (each gets an edge)
    confidence: float  # the weight of a probable marker against a resolved one (0..1)
    identifying: tuple[str, ...]  # people fields that let resolution place a record


def load_probable(path: Path | str = RULES_FILE) -> ProbableRules:
    """The `[probable-identity]` settings of a rules file; ConfigError naming what is wrong."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))["probable-identity"]
        rules = ProbableRules(int(data["max_namesakes"]), float(data["confidence"]),
                              tuple(str(f) for f in data["identifying"]))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as e:
        raise ConfigError(f"{path}: [probable-identity]: {e}") from e
    if rules.max_namesakes < 1 or not 0 < rules.confidence <= 1:
        raise ConfigError(f"{path}: [probable-identity]: max_namesakes must be at least 1 "
                          "and confidence in (0, 1]")
    return rules


@cache
def default_probable() -> ProbableRules:
    """The packaged settings (`chains.toml`)."""
    return load_probable()


def _name_key(value: str) -> str:
    """A name as compared: accents off, letters only, upper case, single spaces."""
    return " ".join(letters_only(fold_accents(value.replace("-", " "))).upper().split())


def _key(people: pl.DataFrame, column: str, *, first_word: bool = False) -> pl.Expr:
    """The name key of each value of `column` (computed once per distinct name)."""
    names = people[column].drop_nulls().unique().to_list()
    keys = {name: _name_key(name) or None for name in names}
    key = pl.col(column).replace_strict(keys, default=None, return_dtype=pl.String)
    return key.str.split(" ").list.first() if first_word else key


def _records(src: SourceFrames, rules: ProbableRules) -> pl.DataFrame:
    """Every people record with its person, name keys, date of birth, sex, and whether it
    holds anything that lets resolution place it."""
    with_history = src.addresses.select(
        pl.concat_str([pl.col("agency"), pl.lit(":"), pl.col("record_id")]).alias("uid"),
        pl.lit(True).alias("history")).unique()
    present = [pl.col(f).is_not_null() & (pl.col(f).cast(pl.String).str.strip_chars() != "")
               for f in rules.identifying if f in src.people.columns]
    return (src.person_of(src.people).join(with_history, on="uid", how="left")
            .with_columns(placeable=pl.any_horizontal(*present, pl.col("history").is_not_null()),
                          first=_key(src.people, "first_name", first_word=True),
                          last=_key(src.people, "surname"),
                          dob=pl.col("dob").cast(pl.String),
                          sex=pl.when(pl.col("sex").is_in(["M", "F"])).then(pl.col("sex")))
            .filter(pl.col("first").is_not_null() & pl.col("last").is_not_null())
            .select("uid", "agency", "person_id", "first", "last", "dob", "sex", "placeable",
                    name=pl.concat_str(["first_name", "surname"], separator=" ")))


def probable_edges(src: SourceFrames, rules: ProbableRules | None = None) -> pl.DataFrame:
    """Edge evidence (`edges.EVIDENCE_SCHEMA`): a thin person holding a marker is probably
    the person its name agrees with (see the module's doc)."""
    rules = rules or default_probable()
    records = _records(src, rules)
    thin_persons = records.group_by("person_id").agg(pl.col("placeable").any()).filter(
        ~pl.col("placeable")).select("person_id")
    marked = src.markers.select(pl.concat_str([pl.col("agency"), pl.lit(":"),
                                               pl.col("record_id")]).alias("uid")).unique()
    thin = records.join(thin_persons, on="person_id").join(marked, on="uid")
    placed = records.join(thin_persons, on="person_id", how="anti")
    if thin.height == 0 or placed.height == 0:
        return empty_evidence()
    others = placed.select("person_id", "first", "last").unique().rename(
        {"person_id": "candidate"})
    named = pl.concat([
        thin.join(others, on=["first", "last"]),
        thin.filter(pl.col("first").str.len_chars() == 1).join(
            others.with_columns(initial=pl.col("first").str.slice(0, 1)).drop("first"),
            left_on=["first", "last"], right_on=["initial", "last"]),
    ]).unique(["uid", "candidate"])
    agreeing = _without_contradiction(named, placed)
    counted = agreeing.with_columns(namesakes=pl.col("candidate").n_unique().over("uid")).filter(
        pl.col("namesakes") <= rules.max_namesakes)
    return _as_evidence(counted, rules)


def _without_contradiction(named: pl.DataFrame, placed: pl.DataFrame) -> pl.DataFrame:
    """The (thin record, candidate) pairs whose date of birth and sex do not disagree."""
    known = placed.group_by("person_id").agg(
        full=pl.col("dob").filter(pl.col("dob").str.len_chars() == 10).unique(),
        years=pl.col("dob").str.slice(0, 4).drop_nulls().unique(),
        sexes=pl.col("sex").drop_nulls().unique(),
    ).rename({"person_id": "candidate"})
    pairs = named.join(known, on="candidate", how="left")
    dob_ok = (pl.col("dob").is_null()
              | pl.when(pl.col("dob").str.len_chars() == 10)
              .then((pl.col("full").list.len() == 0)
                    | pl.col("full").list.contains(pl.col("dob")))
              .otherwise((pl.col("years").list.len() == 0)
                         | pl.col("years").list.contains(pl.col("dob").str.slice(0, 4))))
    sex_ok = (pl.col("sex").is_null() | (pl.col("sexes").list.len() == 0)
              | pl.col("sexes").list.contains(pl.col("sex")))
    return pairs.filter(dob_ok & sex_ok)


def _as_evidence(pairs: pl.DataFrame, rules: ProbableRules) -> pl.DataFrame:
    alone = pl.when(pl.col("namesakes") == 1).then(pl.lit("the only person")).otherwise(
        pl.concat_str([pl.lit("one of "), pl.col("namesakes").cast(pl.String),
                       pl.lit(" persons")]))
    detail = pl.concat_str([
        pl.lit("probably the same person: "), pl.col("uid"), pl.lit(" ("),
        pl.col("name"), pl.lit(", date of birth "),
        pl.col("dob").fill_null("not recorded"),
        pl.lit(") holds no address or identifier to resolve it by; its name agrees with "),
        alone, pl.lit(" whose records resolution could place, and nothing disagrees"),
        pl.when(pl.col("namesakes") > 1)
        .then(pl.lit(" (shown only to a child all of them are around)")).otherwise(pl.lit("")),
    ])
    out = pairs.select(
        a=pl.col("person_id"), b=pl.col("candidate"), rel_ab=pl.lit(RELATION),
        source=pl.lit(SOURCE), recorded=pl.lit(False), agencies=pl.concat_list("agency"),
        records=pl.concat_list("uid"), incidents=pl.lit([], pl.List(pl.String)),
        partners=pl.lit(False), detail=detail, from_date=pl.lit(None, pl.Date),
        to_date=pl.lit(None, pl.Date),
        confidence=pl.lit(rules.confidence))
    return out.select(pl.col(c).cast(t) for c, t in EVIDENCE_SCHEMA.items())
