"""Children named in an incident's free-text summary but not recorded as present.

An officer may write "Child JANE SMITH (6) present in the kitchen" without adding Jane to
the incident's people. We look for her among the children we can tie to the incident
without the text: the children of the people at it (recorded or inferred links) and the
children living at its address on the day. A candidate is named when the summary holds
her first name and surname (fuzzy, rapidfuzz ratio >= 85 on single words, so "Jayne" and
"Smyth" count), or her first name next to an age within a year of hers on the day. A name
that is also the name of someone recorded at the incident (a mother and daughter who share
one) is taken to be theirs unless an age says it is the child's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl
from rapidfuzz import fuzz

from kinlink.network.address import address_keys
from kinlink.network.edges import _evidence, empty_evidence, incident_uid
from kinlink.network.load import SourceFrames
from kinlink.network.persons import ADULT_AGE, age_expr
from kinlink.text import fold_accents

NAME_SCORE = 85
SAME_AS_RECORDED_SCORE = 75
"""Looser: a name that could be a recorded person's (Faduma / Fadumo) is theirs."""
CHILD_LINKS = ["child", "step-child", "cared-for", "household-member", "sibling"]
_WORD = re.compile(r"[^\W\d_]+(?:['-][^\W\d_]+)*")  # letters of any script
_AGE = re.compile(r"\(\s*(\d{1,2})\s*\)|\bAGED?\s+(\d{1,2})\b|\b(\d{1,2})[\s-]*(?:YEARS?|YRS?)")


def _folded(text: str) -> str:
    """Upper case without accents, as names and summaries are compared."""
    return fold_accents(text).upper()


def _matches(word: str, words: Iterable[str]) -> bool:
    return any(fuzz.ratio(word, w) >= NAME_SCORE for w in words)


def names_child(summary: str, first_names: list[str], surnames: list[str],
                age: int | None, recorded: Iterable[tuple[str, str]] = ()) -> str | None:
    """The way `summary` names the child ("first surname" or "first (age)"), or None.

    `recorded` holds the (first name, surname) of the people recorded at the incident."""
    text = _folded(summary)
    words = _WORD.findall(text)
    for first in first_names:
        first = _folded(first)
        if not first or not _matches(first, words):
            continue
        others = [w for w in words if fuzz.ratio(first, w) < NAME_SCORE]  # one word, one name
        surname = next((_folded(s) for s in surnames if s and _matches(_folded(s), others)),
                       None)
        if surname and not _names_someone_recorded(first, surname, recorded):
            return "first name and surname"
        if age is not None:
            for position in (i for i, w in enumerate(words) if fuzz.ratio(first, w) >= 85):
                stated = _stated_age_after(text, words[position])
                if stated is not None and abs(stated - age) <= 1:
                    return f"first name and age {stated}"
    return None


def _names_someone_recorded(first: str, surname: str,
                            recorded: Iterable[tuple[str, str]]) -> bool:
    return any(fuzz.ratio(first, _folded(f)) >= SAME_AS_RECORDED_SCORE
               and fuzz.ratio(surname, _folded(s)) >= SAME_AS_RECORDED_SCORE
               for f, s in recorded if f and s)


def _stated_age_after(text: str, word: str) -> int | None:
    at = text.find(word)
    match = _AGE.search(text, at, at + len(word) + 24) if at >= 0 else None
    return int(next(g for g in match.groups() if g)) if match else None


def _candidates(src: SourceFrames, links: pl.DataFrame, periods: pl.DataFrame,
                persons: pl.DataFrame) -> pl.DataFrame:
    """(incident, child person) pairs tied to the incident other than by its text.

    `links` holds (a, b, rel_ab) edge evidence seen from both ends (at least every row
    whose `a` is recorded at an incident)."""
    incidents = src.incidents.filter(pl.col("summary").is_not_null()).with_columns(
        day=pl.col("occurred_at").cast(pl.Date))
    present = src.person_of(src.incident_people).select("agency", "incident_id", "person_id")
    linked = present.join(links.filter(pl.col("rel_ab").is_in(CHILD_LINKS)),
                          left_on="person_id", right_on="a").select(
        "agency", "incident_id", child=pl.col("b"))
    at_address = incidents.with_columns(address_keys(incidents)).join(
        periods.select("address_key", "person_id", "from_date", "to_date"), on="address_key",
    ).filter(
        (pl.col("from_date").is_null() | (pl.col("from_date") <= pl.col("day")))
        & (pl.col("to_date").is_null() | (pl.col("to_date") >= pl.col("day")))
    ).select("agency", "incident_id", child=pl.col("person_id"))
    candidates = pl.concat([linked, at_address]).unique().join(
        present.rename({"person_id": "child"}), on=["agency", "incident_id", "child"],
        how="anti")
    return candidates.join(incidents.select("agency", "incident_id", "day", "summary", "type"),
                           on=["agency", "incident_id"]).join(
        persons.select(child="person_id", dob="dob"), on="child", how="left",
    ).with_columns(age=age_expr(pl.col("dob"), pl.col("day"))).filter(
        pl.col("age").is_not_null() & (pl.col("age") < ADULT_AGE) & (pl.col("age") >= 0))


def incident_text_edges(src: SourceFrames, links: pl.DataFrame, periods: pl.DataFrame,
                        persons: pl.DataFrame) -> pl.DataFrame:
    """Edges from a child named in an incident's summary to everyone recorded there
    (`links` as `_candidates` takes them)."""
    candidates = _candidates(src, links, periods, persons)
    if candidates.height == 0:
        return empty_evidence()
    names = src.person_of(src.people).group_by("person_id").agg(
        pl.col("first_name").drop_nulls().unique(), pl.col("surname").drop_nulls().unique())
    recorded = src.incident_people.join(
        src.people.select("agency", "record_id", "first_name", "surname"),
        on=["agency", "record_id"]).group_by("agency", "incident_id").agg(
        recorded_first=pl.col("first_name"), recorded_surname=pl.col("surname"))
    candidates = candidates.join(names, left_on="child", right_on="person_id", how="left") \
        .join(recorded, on=["agency", "incident_id"], how="left")
    how = [names_child(r["summary"], r["first_name"] or [], r["surname"] or [], r["age"],
                       zip(r["recorded_first"] or [], r["recorded_surname"] or [], strict=True))
           for r in candidates.iter_rows(named=True)]
    named = candidates.with_columns(how=pl.Series(how, dtype=pl.String)).filter(
        pl.col("how").is_not_null())
    present = src.person_of(src.incident_people).select(
        "agency", "incident_id", "uid", "person_id", "confidence", "role")
    pairs = named.join(present, on=["agency", "incident_id"])
    return _evidence(
        pairs, a=pl.col("child"), b=pl.col("person_id"), rel_ab=pl.lit("co-present"),
        source=pl.lit("incident-text"), recorded=pl.lit(False),
        agencies=pl.concat_list("agency"), records=pl.concat_list("uid"),
        incidents=pl.concat_list(incident_uid()),
        detail=pl.concat_str([pl.col("agency"), pl.lit(" incident "), pl.col("incident_id"),
                              pl.lit(" ("), pl.col("type").fill_null("type unknown"),
                              pl.lit("): child named in the summary by "), pl.col("how"),
                              pl.lit("; other person recorded as "), pl.col("role")]),
        from_date=pl.col("day"), to_date=pl.col("day"), confidence=pl.col("confidence"),
    )
