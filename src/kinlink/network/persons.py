"""One row per person of the network: the name and date of birth its records agree on.

Whether someone is a child depends on the date of birth, and agencies disagree about it
(a police record of a child written as an adult associate, an estimated year): we take the
value most of the person's records give, preferring on a tie the records that carry a
verified identifier (NHS number, UPN), then the most recently recorded. A person none of
whose records gives a date of birth is taken as born when their earliest recorded parent
link begins (a parent link begins at birth), and counts as a child when one of their records
holds a unique pupil number or is the child of a social care referral.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from kinlink.dates import age_in_years
from kinlink.network.load import SourceFrames

ADULT_AGE = 18


def is_child(age: int | None, pupil: bool) -> bool:
    """Under 18; with no date of birth at all, a person known to be a child (`pupil`: holding
    a pupil number, or the child of a social care referral)."""
    return age < ADULT_AGE if age is not None else pupil


def _most_agreed(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Per person, the value of `column` most records give (ties as in the module doc)."""
    votes = (
        frame.filter(pl.col(column).is_not_null() & (pl.col(column) != ""))
        .group_by("person_id", column)
        .agg(pl.len().alias("votes"), pl.col("verified").max(), pl.col("recorded_at").max())
        # The value itself breaks a full tie, so every build picks the same one.
        .sort(["person_id", "votes", "verified", "recorded_at", column],
              descending=[False, True, True, True, False], nulls_last=True)
    )
    return votes.group_by("person_id", maintain_order=True).first().select("person_id", column)


def person_table(src: SourceFrames) -> pl.DataFrame:
    """person_id, first_name, surname, dob, sex, pupil, records, agencies, resolved,
    confidence (see `store.schema.network.network_persons`)."""
    people = src.person_of(src.people).with_columns(
        verified=pl.col("nhs_number").is_not_null() | pl.col("upn").is_not_null(),
        # A full date beats a partial one written by the same number of records.
        dob_full=pl.when(pl.col("dob").str.len_chars() == 10).then(pl.col("dob")),
    )
    resolved = src.persons.select("uid", pl.lit(True).alias("resolved"))
    # A referral is about a child: with no date of birth, it says child as a UPN does.
    referred = src.referrals.select(
        pl.concat_str([pl.col("agency"), pl.lit(":"), pl.col("record_id")]).alias("uid"),
        pl.lit(True).alias("referred"))
    people = people.join(referred, on="uid", how="left")
    base = (
        people.join(resolved, on="uid", how="left")
        .group_by("person_id")
        .agg(
            pl.col("uid").unique().sort().alias("records"),
            pl.col("agency").unique().sort().alias("agencies"),
            pl.col("resolved").fill_null(False).all(),
            pl.col("confidence").min(),
            (pl.col("upn").is_not_null() | pl.col("referred").fill_null(False)).any()
            .alias("pupil"),
        )
    )
    for column in ("first_name", "surname", "sex"):
        base = base.join(_most_agreed(people, column), on="person_id", how="left")
    full = _most_agreed(people, "dob_full").rename({"dob_full": "dob"})
    partial = _most_agreed(people, "dob").rename({"dob": "dob_partial"})
    base = base.join(full, on="person_id", how="left").join(partial, on="person_id", how="left")
    base = base.join(_born_by_parent_links(src), on="person_id", how="left")
    return base.select(
        "person_id", "first_name", "surname",
        pl.coalesce("dob", "dob_partial", "born").alias("dob"), "sex", "pupil", "records",
        "agencies", "resolved", "confidence",
    ).sort("person_id")


def _born_by_parent_links(src: SourceFrames) -> pl.DataFrame:
    """person_id, born: the earliest start of a recorded parent link to the person, taken as
    their birth when no record gives a date of birth (a parent link begins at birth; a
    step-parent's or carer's later, so they are not used)."""
    links = src.relationships.filter(
        (pl.col("type") == "parent") & pl.col("from_date").is_not_null())
    return src.person_of(links, record="related_record_id").group_by("person_id").agg(
        pl.col("from_date").min().dt.strftime("%Y-%m-%d").alias("born"))


def parse_dob(dob: str | None) -> date | None:
    """A date of birth, partial ones taken at mid-month or mid-year; None when unknown."""
    if not dob:
        return None
    try:
        if len(dob) == 4:
            return date(int(dob), 7, 1)
        if len(dob) == 7:
            return date(int(dob[:4]), int(dob[5:7]), 15)
        return date.fromisoformat(dob[:10])
    except ValueError:
        return None


def age_on(dob: str | None, on: date) -> int | None:
    """Age in whole years on a date, None when the date of birth is unknown."""
    born = parse_dob(dob)
    return None if born is None else age_in_years(born, on)


def age_expr(dob: pl.Expr, on: pl.Expr) -> pl.Expr:
    """`age_on` over polars columns (partial dates taken at the start of the period)."""
    born = pl.coalesce(
        dob.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        pl.concat_str([dob, pl.lit("-15")]).str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        pl.concat_str([dob, pl.lit("-07-01")]).str.strptime(pl.Date, "%Y-%m-%d", strict=False),
    )
    before_birthday = (on.dt.month() < born.dt.month()) | (
        (on.dt.month() == born.dt.month()) & (on.dt.day() < born.dt.day()))
    return on.dt.year() - born.dt.year() - before_birthday.cast(pl.Int32)
