"""Children's social care referrals over two years, with realistic (and late) timings.

Clocks run in working days on England's calendar (the `holidays` library): a decision is
due within one working day of the referral, an assessment within 45 working days, an
initial child protection conference within 15 working days of the strategy discussion.
Most meet them and some are late. As drawn every case path is complete: what was done is
recorded, and a case closes after its last event. Recording failures (an authorised
assessment never recorded, an enquiry's "no conference needed" never recorded) are errors
made afterwards at configured rates and labelled in the truth, like messy dates.
"""

from __future__ import annotations

from dataclasses import dataclass

import holidays
import numpy as np

from kinlink.synth.config import AgencyConfig
from kinlink.synth.corruption import ErrorLog
from kinlink.synth.population import DAY

TEAMS = ("MASH", "Assessment Team North", "Assessment Team South", "Assessment Team East",
         "Children in Need Team", "Child Protection Team", "Disabled Children's Team")
SOURCES = ("police", "school", "health", "individual", "local-authority", "housing",
           "education-other", "other-legal", "anonymous", "other", "unknown")
SOURCE_P = (0.30, 0.20, 0.14, 0.08, 0.09, 0.04, 0.03, 0.03, 0.03, 0.04, 0.02)
NEEDS = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9", "N0")
NEED_P = (0.55, 0.04, 0.04, 0.22, 0.02, 0.02, 0.02, 0.04, 0.03, 0.02)
MIN_ASSESSMENT_DAYS = 5
"""The fewest working days between an assessment's start and its authorisation."""


class WorkingDays:
    """Working-day arithmetic on England's bank holidays."""

    def __init__(self, first_year: int, last_year: int) -> None:
        days = holidays.country_holidays("GB", subdiv="ENG",
                                         years=range(first_year, last_year + 1))
        self.calendar = np.busdaycalendar(holidays=sorted(np.datetime64(d, "D") for d in days))

    def add(self, start: np.ndarray, days: np.ndarray) -> np.ndarray:
        """The date `days` working days after each start (rolled forward onto a working day)."""
        return np.busday_offset(start, days, roll="forward", busdaycal=self.calendar)


@dataclass
class Referrals:
    """Referral rows (by column) and the child (person) each is about."""

    child: np.ndarray
    columns: dict[str, np.ndarray]


def _nat(n: int) -> np.ndarray:
    return np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")


def draw_referrals(rng: np.random.Generator, children: np.ndarray, police_source: np.ndarray,
                   as_of: np.datetime64) -> Referrals:
    """One or two referrals per referred child over the two years before `as_of`."""
    twice = rng.random(len(children)) < 0.18
    child = np.concatenate([children, children[twice]])
    by_police = np.concatenate([police_source, police_source[twice]])
    n = len(child)
    wd = WorkingDays(int(str(as_of)[:4]) - 3, int(str(as_of)[:4]) + 2)
    start = as_of - 730
    day = wd.add(start + rng.integers(0, 730, n).astype("timedelta64[D]"), np.zeros(n, int))
    received = day.astype("datetime64[m]") + rng.integers(8 * 60, 18 * 60, n).astype(
        "timedelta64[m]")
    # Decision: due within one working day; one in six late, a few very late.
    delay = np.select([rng.random(n) < 0.83, rng.random(n) < 0.8], [rng.integers(0, 2, n),
                      rng.integers(2, 6, n)], rng.integers(6, 20, n))
    decision = wd.add(day, delay)
    nfa = rng.random(n) < 0.35
    triage = np.array(("red", "amber", "green"), dtype=object)[rng.choice(3, n, p=(.15, .45, .4))]
    # Assessment: starts within a week of the decision and is authorised within 45 working
    # days of the referral for most; some late; some never. Lengths count from the
    # referral, so a late decision could leave too little time: an assessment takes at
    # least MIN_ASSESSMENT_DAYS, which keeps start before authorisation.
    started_after = delay + rng.integers(0, 8, n)
    assess_start = wd.add(day, started_after)
    late = rng.random(n)
    length = np.select([late < 0.80, late < 0.97], [rng.integers(10, 46, n),
                       rng.integers(46, 90, n)], rng.integers(90, 150, n))
    length = np.maximum(length, started_after + MIN_ASSESSMENT_DAYS)
    authorised = wd.add(day, length)
    # Strategy discussion (within two working days of the decision) and section 47 for
    # most red and some amber referrals.
    strategy_p = np.select([triage == "red", triage == "amber"], [0.6, 0.15], 0.02)
    strategy = np.where(~nfa & (rng.random(n) < strategy_p),
                        wd.add(decision, rng.integers(0, 3, n)), _nat(n))
    # One in ten has a second discussion, 3-7 working days later, that leads to the
    # section 47 enquiry: the ICPC's 15 working days count from that one.
    again = np.where(~np.isnat(strategy) & (rng.random(n) < 0.1),
                     wd.add(strategy, rng.integers(3, 8, n)), _nat(n))
    leading = np.where(np.isnat(again), strategy, again)
    s47 = np.where(~np.isnat(leading), wd.add(leading, rng.integers(0, 2, n)), _nat(n))
    icpc_late = rng.random(n) < 0.25
    held = ~np.isnat(s47) & (rng.random(n) < 0.5)
    icpc = np.where(held, wd.add(leading, np.where(icpc_late, rng.integers(16, 30, n),
                                                   rng.integers(8, 16, n))), _nat(n))
    # An enquiry that needs no conference says so when it ends, 5-14 working days in.
    no_icpc = np.where(~np.isnat(s47) & ~held, wd.add(s47, rng.integers(5, 15, n)), _nat(n))
    plan = np.where(~np.isnat(icpc) & (rng.random(n) < 0.8), icpc, _nat(n))
    plan_end = np.where(~np.isnat(plan), plan + rng.integers(180, 600, n).astype(
        "timedelta64[D]"), _nat(n))
    reviews = [_reviews(p, e, as_of, wd) for p, e in zip(plan, plan_end, strict=True)]
    # A case closes after its last event: the decision (NFA), the plan's end, or the later
    # of the assessment and an ICPC that led to no plan.
    closure = np.select(
        [nfa, ~np.isnat(plan_end), ~np.isnat(authorised)],
        [decision + rng.integers(0, 6, n).astype("timedelta64[D]"), plan_end,
         np.fmax(authorised, icpc) + rng.integers(0, 40, n).astype("timedelta64[D]")],
        _nat(n))
    assess_start = np.where(nfa, _nat(n), assess_start)
    authorised = np.where(nfa, _nat(n), authorised)

    def by_as_of(dates: np.ndarray) -> np.ndarray:
        """What had happened by the reference date (later dates are not yet known)."""
        return np.where(dates <= as_of, dates, _nat(n))

    source = np.array(SOURCES, dtype=object)[rng.choice(len(SOURCES), n, p=SOURCE_P)]
    source[by_police] = "police"
    team = np.array(TEAMS, dtype=object)[np.select(
        [np.isnat(by_as_of(decision)), ~np.isnat(by_as_of(plan))],
        [0, 5], rng.choice([1, 2, 3, 4, 6], n, p=(.3, .3, .25, .1, .05)))]
    return Referrals(child, {
        "team": team,
        "referral_date": received,
        "referral_source": source,
        "primary_need": np.array(NEEDS, dtype=object)[rng.choice(len(NEEDS), n, p=NEED_P)],
        "triage_rating": triage,
        "decision_date": by_as_of(decision),
        "nfa": np.where(np.isnat(by_as_of(decision)), False, nfa),
        "assessment_start_date": by_as_of(assess_start),
        "assessment_authorised_date": by_as_of(authorised),
        "strategy_discussion_date": by_as_of(strategy),
        "strategy_discussion_dates": np.array(
            [str(d) if not np.isnat(d) else None for d in by_as_of(again)], dtype=object),
        "s47_start_date": by_as_of(s47),
        "icpc_not_required": ~np.isnat(by_as_of(no_icpc)),
        "icpc_date": by_as_of(icpc),
        "cp_plan_start_date": by_as_of(plan),
        "cp_plan_end_date": by_as_of(plan_end),
        "review_conference_dates": np.array(reviews, dtype=object),
        "closure_date": by_as_of(closure),
    })


def _reviews(plan: np.datetime64, end: np.datetime64, as_of: np.datetime64,
             wd: WorkingDays) -> str | None:
    """Review conferences: three months after the plan starts, then every six months, each
    on a working day (the next one when the date falls on a bank holiday)."""
    if np.isnat(plan):
        return None
    until = min(end, as_of)
    due = plan + 91 + 182 * np.arange(max(int((until - plan) / DAY) // 182 + 1, 0))
    held = wd.add(due, np.zeros(len(due), int))
    return ";".join(str(d) for d in held[held <= until]) or None


def messy_dates(rng: np.random.Generator, refs: Referrals, config: AgencyConfig,
                log: ErrorLog, record_index: np.ndarray, referral_ids: np.ndarray) -> None:
    """Dates entered wrongly: a missing decision, one on a Sunday, assessment before referral;
    and outcomes never recorded: an authorised assessment (so the case never closes either),
    an enquiry's finding that no conference was needed."""
    cols = refs.columns
    decided = ~np.isnat(cols["decision_date"])
    n = len(refs.child)

    def chosen(kind: str, eligible: np.ndarray) -> np.ndarray:
        return np.flatnonzero(eligible & (rng.random(n) < config.rate(kind)))

    for i in chosen("assessment-not-recorded", ~np.isnat(cols["assessment_authorised_date"])):
        log.add(int(record_index[i]), "referrals.assessment_authorised_date",
                "assessment-not-recorded", f"{referral_ids[i]}: authorised "
                f"{cols['assessment_authorised_date'][i]}, closed {cols['closure_date'][i]}; "
                "neither recorded")
        cols["assessment_authorised_date"][i] = cols["closure_date"][i] = np.datetime64("NaT")
    for i in chosen("icpc-outcome-not-recorded", cols["icpc_not_required"]):
        log.add(int(record_index[i]), "referrals.icpc_not_required", "icpc-outcome-not-recorded",
                f"{referral_ids[i]}: no conference needed, not recorded")
        cols["icpc_not_required"][i] = False

    for i in chosen("decision-date-missing", decided):
        log.add(int(record_index[i]), "referrals.decision_date", "decision-date-missing",
                f"{referral_ids[i]}: {cols['decision_date'][i]} -> ")
        cols["decision_date"][i] = np.datetime64("NaT")
    decided = ~np.isnat(cols["decision_date"])
    for i in chosen("decision-on-weekend", decided):
        old = cols["decision_date"][i]
        sunday = np.busday_offset(old, 0, roll="forward", weekmask="Sun")
        cols["decision_date"][i] = sunday
        log.add(int(record_index[i]), "referrals.decision_date", "decision-on-weekend",
                f"{referral_ids[i]}: {old} -> {sunday}")
    assessed = ~np.isnat(cols["assessment_start_date"])
    for i in chosen("assessment-before-referral", assessed):
        old = cols["assessment_start_date"][i]
        new = cols["referral_date"][i].astype("datetime64[D]") - int(rng.integers(1, 30))
        cols["assessment_start_date"][i] = new
        log.add(int(record_index[i]), "referrals.assessment_start_date",
                "assessment-before-referral", f"{referral_ids[i]}: {old} -> {new}")
