"""The data-quality rules: each one a count of flagged records over a stated population.

A rule looks at a population of records (its denominator: every current person record,
the records of children, every incident, every referral) and flags those that fail it,
with a reason a person can act on. Every flagged record is in the population, so a rate
is never above 100%, and rates add up over teams and agencies. docs/quality-and-report.md
states each rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from kinlink.ingest.identifiers import nhs_number_check_ok, normalise_nhs_number
from kinlink.network.persons import ADULT_AGE, age_expr
from kinlink.quality.inputs import NO_TEAM, QualityInputs
from kinlink.timeliness import ClockStatus, load_config

KEYS = {"agency": pl.String, "team": pl.String, "record_key": pl.String}
FLAGGED = KEYS | {"reason": pl.String}


@dataclass(frozen=True)
class Outcome:
    """What a rule looked at (`population`) and what it flagged, each by agency and team."""

    population: pl.DataFrame  # agency, team, record_key
    flagged: pl.DataFrame  # agency, team, record_key, reason


@dataclass(frozen=True)
class Rule:
    """One data-quality rule: its name, what it checks, over what, and how."""

    name: str
    label: str
    table: str  # the source table its records come from
    denominator: str  # what the rate is out of
    severity: str
    check: Callable[[QualityInputs], Outcome]


def _people_outcome(people: pl.DataFrame, failing: pl.Expr, reason: pl.Expr) -> Outcome:
    """An outcome over person records: all of `people`, those where `failing` holds."""
    keyed = people.with_columns(record_key=pl.col("record_id"))
    flagged = keyed.filter(failing).with_columns(reason=reason)
    return Outcome(keyed.select(*KEYS), flagged.select(*FLAGGED))


def _blank(column: str) -> pl.Expr:
    return pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "")


def missing_dob(inputs: QualityInputs) -> Outcome:
    return _people_outcome(inputs.people, _blank("dob"), pl.lit("date of birth is blank"))


def missing_sex(inputs: QualityInputs) -> Outcome:
    return _people_outcome(inputs.people, _blank("sex") | (pl.col("sex") == "U"),
                           pl.lit("sex is blank or recorded as unknown (U)"))


def missing_address(inputs: QualityInputs) -> Outcome:
    reason = pl.when(_blank("postcode")).then(pl.lit("no current address or postcode")).otherwise(
        pl.concat_str([pl.lit("no current address, only the postcode "), pl.col("postcode")]))
    return _people_outcome(inputs.people, _blank("address"), reason)


def invalid_nhs_number(inputs: QualityInputs) -> Outcome:
    """Person records whose NHS number fails the ingest's own check: kept with the number
    set aside as unknown, or (with nothing else usable) refused by the newest ingest; over
    every NHS number given (stored, set aside or refused)."""
    refused = inputs.refused_people.filter(~_blank("nhs_number"))
    number = normalise_nhs_number(pl.col("nhs_number").str.strip_chars())
    refused = refused.with_columns(ok=nhs_number_check_ok(number).fill_null(False)).filter(
        ~pl.col("ok"))
    refused = inputs.team_of(refused).with_columns(
        record_key=pl.coalesce(pl.col("record_id"),
                               pl.format("people row {}", pl.col("row_number"))),
        reason=pl.format("NHS number '{}' fails the NHS number check (people row {}, refused "
                         "by the newest ingest)", pl.col("nhs_number"), pl.col("row_number")))
    set_aside = inputs.team_of(inputs.set_aside_nhs).with_columns(
        record_key=pl.col("record_id"))
    stored = inputs.people.filter(~_blank("nhs_number")).with_columns(
        record_key=pl.col("record_id"))
    population = pl.concat([stored.select(*KEYS), set_aside.select(*KEYS),
                            refused.select(*KEYS)])
    return Outcome(population, pl.concat([set_aside.select(*FLAGGED),
                                          refused.select(*FLAGGED)]))


def _child_records(inputs: QualityInputs) -> pl.DataFrame:
    return inputs.people.filter(pl.col("person_id").is_in(list(inputs.children)))


def child_recorded_as_adult(inputs: QualityInputs) -> Outcome:
    children = _child_records(inputs).with_columns(
        age=age_expr(pl.col("dob"), pl.lit(inputs.as_of)))
    return _people_outcome(
        children, pl.col("age") >= ADULT_AGE,
        pl.format("date of birth {} makes them {} on {}, but their other records show a "
                  "child", pl.col("dob"), pl.col("age"), pl.lit(inputs.as_of.isoformat())))


def child_in_wrong_place(inputs: QualityInputs) -> Outcome:
    """Children recorded as an adult's associate rather than as a child in their life."""
    children = _child_records(inputs)
    rel = inputs.sources.relationships.filter(pl.col("type") == "associate")
    pairs = pl.concat([
        rel.select("agency", pl.col("record_id").alias("child"),
                   pl.col("related_record_id").alias("other")),
        rel.select("agency", pl.col("related_record_id").alias("child"),
                   pl.col("record_id").alias("other")),
    ])
    persons = inputs.people.select("agency", pl.col("record_id").alias("other"),
                                   pl.col("person_id").alias("other_person"))
    adults = pairs.join(persons, on=["agency", "other"], how="left").filter(
        ~pl.col("other_person").is_in(list(inputs.children)))
    found = adults.group_by("agency", "child").agg(pl.col("other").sort())
    flagged = children.join(found, left_on=["agency", "record_id"],
                            right_on=["agency", "child"], how="left")
    return _people_outcome(
        flagged, pl.col("other").is_not_null(),
        pl.concat_str([pl.lit("recorded as an associate of adult record(s) "),
                       pl.col("other").list.join(", "),
                       pl.lit(", not as a child in their life")]))


_CHILD_WORDS = re.compile(r"(?<!\bNO )\b(CHILD|CHILDREN|SON|DAUGHTER|BABY|TODDLER|INFANT"
                          r"|YOUNG PERSON)\b")
"""Words that say a child was there ("no children" says the opposite)."""
_AGES = re.compile(r"\(\s*(?:CHILD,\s*)?(\d{1,2})(?:\s*YRS?)?\s*\)|\bAGED?\s+(\d{1,2})\b"
                   r"|\bAPPROX\s+(\d{1,2})\b|,\s*(\d{1,2})\.")


def child_sign(summary: str | None) -> str | None:
    """What in an incident summary says a child was there (a word or an age under 18)."""
    text = (summary or "").upper()
    if word := _CHILD_WORDS.search(text):
        return f"'{word[0].lower()}'"
    for match in _AGES.finditer(text):
        age = int(next(g for g in match.groups() if g is not None))
        if age < ADULT_AGE:
            return f"an age of {age}"
    return None


def child_not_recorded_at_incident(inputs: QualityInputs) -> Outcome:
    """Incidents whose summary shows a child there with no child among those recorded, and
    incidents whose summary names a child the network knows who is not recorded there
    (even when other children are)."""
    incidents = inputs.sources.incidents.with_columns(
        team=pl.lit(NO_TEAM), record_key=pl.col("incident_id"))
    # A child then: recorded as present as a child, under 18 on the day by their record,
    # or a child now.
    attended = inputs.sources.person_of(inputs.sources.incident_people).join(
        inputs.sources.incidents.select("agency", "incident_id", "occurred_at"),
        on=["agency", "incident_id"], how="left").join(
        inputs.people.select("agency", "record_id", "dob"), on=["agency", "record_id"],
        how="left").filter(
        (pl.col("role") == "child-present")
        | (age_expr(pl.col("dob"), pl.col("occurred_at").dt.date()) < ADULT_AGE)
        | pl.col("person_id").is_in(list(inputs.children)))
    with_child = set(zip(attended["agency"].to_list(), attended["incident_id"].to_list(),
                         strict=True))
    rows = []
    for agency, incident_id, summary in incidents.select(
            "agency", "incident_id", "summary").iter_rows():
        named = inputs.named_at_incidents.get((agency, incident_id))
        sign = child_sign(summary)
        if named:
            rows.append((agency, NO_TEAM, incident_id, "the summary names child(ren) "
                         f"{', '.join(sorted(named))}, not recorded at the incident"))
        elif sign and (agency, incident_id) not in with_child:
            rows.append((agency, NO_TEAM, incident_id, f"the summary mentions {sign}, but no "
                         "child is recorded at the incident"))
    return Outcome(incidents.select(*KEYS), pl.DataFrame(rows, schema=FLAGGED, orient="row"))


def child_without_carer(inputs: QualityInputs) -> Outcome:
    return _people_outcome(
        _child_records(inputs), ~pl.col("person_id").is_in(list(inputs.with_carer)),
        pl.lit("no current parent or carer is linked to this child in any agency's records"))


def probable_duplicate(inputs: QualityInputs) -> Outcome:
    """Records resolved into one person with another record of the same agency, and
    records in an open review item with another record of the same agency."""
    held = inputs.people.group_by("agency", "person_id").agg(held=pl.col("record_id").sort())
    same = inputs.people.join(held, on=["agency", "person_id"]).filter(
        pl.col("held").list.len() > 1).select(
        "agency", "record_id", reason=pl.format(
            "one of {} records of person {} held by {}: {}", pl.col("held").list.len(),
            pl.col("person_id"), pl.col("agency"), pl.col("held").list.join(", ")))
    pairs = inputs.uncertain_pairs
    doubtful = pl.concat([pairs.select("agency", uid="uid_l", other="uid_r"),
                          pairs.select("agency", uid="uid_r", other="uid_l")]).select(
        "agency", record_id=pl.col("uid").str.split_exact(":", 1).struct.field("field_1"),
        reason=pl.format("may be the same person as {} (awaiting review)", pl.col("other")))
    reasons = pl.concat([same, doubtful]).group_by("agency", "record_id").agg(
        pl.col("reason").sort().str.join("; "))
    flagged = inputs.people.join(reasons, on=["agency", "record_id"], how="left")
    return _people_outcome(flagged, pl.col("reason").is_not_null(), pl.col("reason"))


def stale_address(inputs: QualityInputs) -> Outcome:
    """A full postcode that more of the person's records contradict (by agreeing on another)
    than support. Measured on the synthetic borough, trusting the most recently updated
    record instead flagged as many current addresses as stale ones (an agency may update a
    record and keep an old address): a majority is the evidence that holds."""
    placed = inputs.people.filter(pl.col("postcode").str.contains(" "))
    votes = placed.group_by("person_id", "postcode").agg(
        votes=pl.len(), example=pl.format("{} {}", pl.col("agency"), pl.col("record_id")).min())
    # For each postcode of a person, the other postcode most of their records give.
    rivals = (votes.join(votes, on="person_id", suffix="_other")
              .filter(pl.col("postcode") != pl.col("postcode_other"))
              .sort("votes_other", "postcode_other", descending=[True, False])
              .group_by("person_id", "postcode", maintain_order=True).first())
    judged = placed.join(rivals, on=["person_id", "postcode"], how="left")
    reason = pl.format("postcode {} (in {} of the person's records), but {} give {} (e.g. {})",
                       pl.col("postcode"), pl.col("votes"), pl.col("votes_other"),
                       pl.col("postcode_other"), pl.col("example_other"))
    return _people_outcome(judged, (pl.col("votes_other") > pl.col("votes")).fill_null(False),
                           reason)


def missing_decision_date(inputs: QualityInputs) -> Outcome:
    """Referrals decided (a later step shows it) whose decision date is blank, and
    referrals whose decision is probably made but not recorded (the queue sets them apart:
    long overdue with nothing recorded since, see `kinlink.timeliness.stale`)."""
    config = load_config()
    decision_clocks = {name for name, c in config.clocks.items() if c.stop == "decision"}
    population, flagged = [], []
    for entry in inputs.cases:
        case = entry.case
        key = (case.agency, case.team or NO_TEAM, case.referral_id)
        population.append(key)
        unknown = [c.note or "decision_date is blank" for c in entry.clocks
                   if c.clock in decision_clocks and c.status is ClockStatus.UNKNOWN]
        stale = [reason for c in entry.clocks if c.clock in decision_clocks
                 and (reason := entry.not_recorded.get(c.name))]
        if unknown or stale:
            flagged.append((*key, (unknown or stale)[0]))
    return Outcome(pl.DataFrame(population, schema=KEYS, orient="row"),
                   pl.DataFrame(flagged, schema=FLAGGED, orient="row"))


RULES: tuple[Rule, ...] = (
    Rule("missing-dob", "Missing date of birth", "people", "current person records",
         "warning", missing_dob),
    Rule("missing-sex", "Missing sex", "people", "current person records", "info",
         missing_sex),
    Rule("missing-address", "Missing address", "people", "current person records", "warning",
         missing_address),
    Rule("invalid-nhs-number", "Invalid NHS number", "people",
         "person records with an NHS number (stored, or refused by the newest ingest)",
         "error", invalid_nhs_number),
    Rule("child-recorded-as-adult", "Child recorded as an adult", "people",
         "person records of children", "error", child_recorded_as_adult),
    Rule("child-in-wrong-place", "Child recorded in the wrong place", "people",
         "person records of children", "error", child_in_wrong_place),
    Rule("child-not-recorded-at-incident", "Children present, no child recorded",
         "incidents", "incidents", "error", child_not_recorded_at_incident),
    Rule("child-without-carer", "Child with no parent or carer linked", "people",
         "person records of children", "warning", child_without_carer),
    Rule("probable-duplicate", "Probable duplicate in the agency", "people",
         "current person records", "warning", probable_duplicate),
    Rule("stale-address", "Stale address", "people", "person records with a full postcode",
         "warning", stale_address),
    Rule("missing-decision-date", "Referral missing its decision date", "referrals",
         "referrals", "warning", missing_decision_date),
)
"""Every rule, in the order scorecards show them."""

RULES_BY_NAME = {rule.name: rule for rule in RULES}
