"""The kinds of edge between persons, each built from source records as a polars frame.

Every builder returns *edge evidence*: one row per piece of evidence that person `b` is
the `rel_ab` of person `a` (and `a` the `rel_ba` of `b`), with its provenance: the source
record uids, the agencies, the dates, the confidence of the identities involved and
whether an agency recorded it or Kinlink inferred it. What the network reasons on is kept in
columns of its own (`incidents`, `partners`); `detail` is only ever shown to a person.
`graph.py` folds the evidence into edges.
"""

from __future__ import annotations

import polars as pl

from kinlink.network.address import address_keys
from kinlink.network.load import SourceFrames
from kinlink.vocabulary import ORDER_MARKERS, PARTNER_INCIDENTS, RELATIONS

INVERSE = {r.name: r.inverse for r in RELATIONS.values()}
"""Each relation as seen from the other end ("parent" of a child: the child's "child")."""

EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "a": pl.String(), "b": pl.String(), "rel_ab": pl.String(), "source": pl.String(),
    "recorded": pl.Boolean(), "agencies": pl.List(pl.String()),
    "records": pl.List(pl.String()), "incidents": pl.List(pl.String()),
    "partners": pl.Boolean(), "detail": pl.String(), "from_date": pl.Date(),
    "to_date": pl.Date(), "confidence": pl.Float64(),
}
"""`incidents`: the incidents behind the evidence (`agency:incident_id`); `partners`: the
evidence says a and b are intimate partners (both at a domestic-abuse incident)."""
MAX_RESIDENTS = 40
"""An address with more person records than this (a hostel, a block written without flat
numbers) gives no co-residence edges: living there says little about who lives with whom."""


def _evidence(frame: pl.DataFrame, **columns: pl.Expr) -> pl.DataFrame:
    """Select the evidence columns in order, dropping self-loops (two records, one person).

    Evidence that is not about an incident needs not name `incidents` or `partners`."""
    columns.setdefault("incidents", pl.lit([], pl.List(pl.String)))
    columns.setdefault("partners", pl.lit(False))
    out = frame.select(**columns).filter(pl.col("a") != pl.col("b"))
    return out.select(pl.col(c).cast(t) for c, t in EVIDENCE_SCHEMA.items())


def empty_evidence() -> pl.DataFrame:
    return pl.DataFrame(schema=EVIDENCE_SCHEMA)


def _pair(left: str, right: str) -> pl.Expr:
    """The values of two columns as one list (of two records, two agencies ...)."""
    return pl.concat_list([pl.col(left), pl.col(right)])


def incident_uid(agency: str = "agency", incident: str = "incident_id") -> pl.Expr:
    """An incident's `agency:incident_id` (agency names hold no `:`)."""
    return pl.concat_str([pl.col(agency), pl.lit(":"), pl.col(incident)])


def relationship_edges(src: SourceFrames) -> pl.DataFrame:
    """Links an agency recorded between two of its records, carried to their persons."""
    rel = src.person_of(src.relationships, record="record_id", prefix="b_")
    rel = src.person_of(rel, record="related_record_id", prefix="a_")
    return _evidence(
        rel, a=pl.col("a_person_id"), b=pl.col("b_person_id"), rel_ab=pl.col("type"),
        source=pl.lit("relationship"), recorded=pl.lit(True),
        agencies=pl.concat_list("agency"), records=_pair("b_uid", "a_uid"), detail=pl.col("type"),
        from_date=pl.col("from_date"), to_date=pl.col("to_date"),
        confidence=pl.min_horizontal("a_confidence", "b_confidence"),
    )


def order_edges(src: SourceFrames) -> pl.DataFrame:
    """Orders naming another party: a non-molestation order's respondent and protected."""
    orders = src.markers.filter(
        pl.col("marker").is_in(list(ORDER_MARKERS)) & pl.col("related_record_id").is_not_null()
    )
    orders = src.person_of(orders, record="record_id", prefix="a_")
    orders = src.person_of(orders, record="related_record_id", prefix="b_")
    return _evidence(
        orders, a=pl.col("a_person_id"), b=pl.col("b_person_id"),
        rel_ab=pl.col("marker").replace_strict(ORDER_MARKERS), source=pl.lit("order"),
        recorded=pl.lit(True), agencies=pl.concat_list("agency"), records=_pair("a_uid", "b_uid"),
        detail=pl.col("marker"), from_date=pl.col("start_date"), to_date=pl.col("end_date"),
        confidence=pl.min_horizontal("a_confidence", "b_confidence"),
    )


def residence_periods(src: SourceFrames) -> pl.DataFrame:
    """Who lived where and when: address history, else the people row's current address.

    A people row's address has no dates; it is used (as "from unknown, still there") only
    for records whose agency sent no address history, so a stale current address does not
    also claim the years covered by the history.
    """
    history = src.addresses.select("agency", "record_id", "address", "postcode", "from_date",
                                   "to_date")
    with_history = history.select("agency", "record_id").unique()
    current = (
        src.people.join(with_history, on=["agency", "record_id"], how="anti")
        .filter(pl.col("address").is_not_null())
        .select("agency", "record_id", "address", "postcode",
                pl.lit(None, pl.Date).alias("from_date"), pl.lit(None, pl.Date).alias("to_date"))
    )
    periods = pl.concat([history, current], how="vertical_relaxed")
    periods = periods.with_columns(address_keys(periods)).filter(
        pl.col("address_key").is_not_null())
    return src.person_of(periods)


def coresidence_edges(periods: pl.DataFrame) -> pl.DataFrame:
    """Persons recorded at the same normalised address at overlapping dates."""
    crowded = periods.group_by("address_key").len().filter(pl.col("len") > MAX_RESIDENTS)
    periods = periods.join(crowded, on="address_key", how="anti").select(
        "address_key", "agency", "uid", "person_id", "confidence", "from_date", "to_date")
    pairs = periods.join(periods, on="address_key", suffix="_b").filter(
        (pl.col("person_id") < pl.col("person_id_b"))
        & (pl.col("from_date").is_null() | pl.col("to_date_b").is_null()
           | (pl.col("from_date") <= pl.col("to_date_b")))
        & (pl.col("from_date_b").is_null() | pl.col("to_date").is_null()
           | (pl.col("from_date_b") <= pl.col("to_date")))
    )
    return _evidence(
        pairs, a=pl.col("person_id"), b=pl.col("person_id_b"), rel_ab=pl.lit("household-member"),
        source=pl.lit("co-residence"), recorded=pl.lit(False),
        agencies=_pair("agency", "agency_b"), records=_pair("uid", "uid_b"),
        detail=pl.col("address_key"),
        from_date=pl.max_horizontal("from_date", "from_date_b"),
        to_date=pl.min_horizontal("to_date", "to_date_b"),
        confidence=pl.min_horizontal("confidence", "confidence_b"),
    )


def incident_edges(src: SourceFrames) -> pl.DataFrame:
    """Persons an agency recorded at the same incident, with their roles."""
    people = src.person_of(src.incident_people).join(
        src.incidents.select("agency", "incident_id", "occurred_at", "type"),
        on=["agency", "incident_id"], how="left",
    ).select("agency", "incident_id", "uid", "person_id", "confidence", "role", "occurred_at",
             "type")
    pairs = people.join(people, on=["agency", "incident_id"], suffix="_b").filter(
        pl.col("uid") != pl.col("uid_b"))
    day = pl.col("occurred_at").cast(pl.Date)
    return _evidence(
        pairs, a=pl.col("person_id"), b=pl.col("person_id_b"), rel_ab=pl.lit("co-present"),
        source=pl.lit("incident"), recorded=pl.lit(True), agencies=pl.concat_list("agency"),
        records=_pair("uid", "uid_b"), incidents=pl.concat_list(incident_uid()),
        partners=pl.col("type").is_in(PARTNER_INCIDENTS).fill_null(False),
        detail=pl.concat_str([pl.col("agency"), pl.lit(" incident "), pl.col("incident_id"),
                              pl.lit(" ("), pl.col("type").fill_null("type unknown"),
                              pl.lit("): "), pl.col("uid"), pl.lit(" "), pl.col("role"),
                              pl.lit(", "), pl.col("uid_b"), pl.lit(" "), pl.col("role_b")]),
        from_date=day, to_date=day,
        confidence=pl.min_horizontal("confidence", "confidence_b"),
    ).filter(pl.col("a") < pl.col("b"))  # the self-join gave each pair twice


def shared_parenthood_edges(evidence: pl.DataFrame) -> pl.DataFrame:
    """Two persons recorded as parents (or step-parents) of the same child."""
    parents = evidence.filter(pl.col("rel_ab").is_in(["parent", "step-parent"])).select(
        child=pl.col("a"), parent=pl.col("b"), records=pl.col("records"),
        agencies=pl.col("agencies"), confidence=pl.col("confidence"))
    pairs = parents.join(parents, on="child", suffix="_b").filter(
        pl.col("parent") < pl.col("parent_b"))
    return _evidence(
        pairs, a=pl.col("parent"), b=pl.col("parent_b"), rel_ab=pl.lit("co-parent"),
        source=pl.lit("shared-parenthood"), recorded=pl.lit(False),
        agencies=_pair("agencies", "agencies_b"), records=_pair("records", "records_b"),
        detail=pl.concat_str([pl.lit("parents of "), pl.col("child")]),
        from_date=pl.lit(None, pl.Date), to_date=pl.lit(None, pl.Date),
        confidence=pl.min_horizontal("confidence", "confidence_b"),
    )
