"""The typed records of a chronology: who an event is about, the event, the whole story."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class EventKind(StrEnum):
    """What happened. The values are what `--kind` takes and the CSV writes."""

    BIRTH = "birth"
    MOVED_IN = "moved-in"
    MOVED_OUT = "moved-out"
    ADDRESS_CHANGED = "address-changed"
    JOINED_HOUSEHOLD = "joined-household"
    LEFT_HOUSEHOLD = "left-household"
    RELATIONSHIP_BEGAN = "relationship-began"
    RELATIONSHIP_ENDED = "relationship-ended"
    INCIDENT = "incident"
    REFERRAL = "referral"
    DECISION = "referral-decision"
    ASSESSMENT_STARTED = "assessment-started"
    ASSESSMENT_AUTHORISED = "assessment-authorised"
    STRATEGY_DISCUSSION = "strategy-discussion"
    S47_ENQUIRY = "section-47-enquiry"
    INITIAL_CONFERENCE = "initial-conference"
    REVIEW_CONFERENCE = "review-conference"
    PLAN_STARTED = "plan-started"
    PLAN_ENDED = "plan-ended"
    CASE_CLOSED = "case-closed"
    MARKER_STARTED = "marker-started"
    MARKER_ENDED = "marker-ended"
    ORDER_STARTED = "order-started"
    ORDER_ENDED = "order-ended"
    SCHOOL_CHANGED = "school-changed"


class About(StrEnum):
    """Whether an event is about the child or an adult in the child's network."""

    CHILD = "child"
    ADULT = "adult"


@dataclass(frozen=True)
class Subject:
    """A person a chronology tells of: the child, or an adult near them and how."""

    person_id: str
    name: str
    about: About
    relation: str  # "child" for the child; the adult's role (parent, household member, ...)

    @property
    def label(self) -> str:
        return "the child" if self.about is About.CHILD else f"{self.relation} {self.name}"


@dataclass(frozen=True)
class Event:
    """One dated thing an agency holds, with the record it comes from.

    `on` is None when the agency holds the event but not its date: such events are kept
    and flagged (`date_missing`), never dropped.
    """

    on: date | None
    kind: EventKind
    agency: str
    record: str  # the source record's uid (agency:record_id), or agency:referral/incident id
    table: str  # the source table
    subject: Subject
    summary: str
    at: datetime | None = None  # the time of day, where the agency recorded one

    @property
    def date_missing(self) -> bool:
        return self.on is None

    def sort_key(self) -> tuple[int, date, datetime, str, str, str]:
        """Dated events in order (by time within a day); undated ones last."""
        return (self.on is None, self.on or date.max, self.at or datetime.min,
                "0" if self.subject.about is About.CHILD else "1", self.kind.value,
                self.record)


@dataclass(frozen=True)
class Filters:
    """What part of a chronology to show. Events with a missing date are always kept."""

    since: date | None = None
    until: date | None = None
    agencies: frozenset[str] = frozenset()
    kinds: frozenset[EventKind] = frozenset()

    def keep(self, event: Event) -> bool:
        if self.agencies and event.agency not in self.agencies:
            return False
        if self.kinds and event.kind not in self.kinds:
            return False
        if event.on is None:
            return True
        return not ((self.since and event.on < self.since)
                    or (self.until and event.on > self.until))


@dataclass(frozen=True)
class Chronology:
    """A child's events across agencies, in order, and who they are about."""

    child: Subject
    dob: str | None
    as_of: date
    subjects: tuple[Subject, ...]  # the child first, then the adults
    events: tuple[Event, ...]

    @property
    def undated(self) -> tuple[Event, ...]:
        return tuple(e for e in self.events if e.date_missing)
