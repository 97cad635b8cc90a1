"""Who may do what: the whole permission matrix, in one place.

`allowed(actor, action, resource)` is the only question asked; the core's gate asks it
before every call and raises `Forbidden` when the answer is no. Four rules, in order:

1. the role: each action lists the roles that may take it (`MATRIX`);
2. agency scope: a role scoped to its agency (police officer, social worker, data-quality
   officer) loads, lists and fixes only its own agency's records (ingest, quarantine,
   findings, review). Consulting a child's network and alerts is partnership-wide: sharing
   it is why a MASH exists;
3. lawful basis: health records are consulted or disclosed only by roles with a basis
   for them (`HEALTH_BASIS`); evidence without a basis is also filtered out of answers;
4. restriction: a restricted record is opened only with an explicit grant, and only when a
   reason is given (the reason goes to the audit log).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

from kinlink.core.actors import Actor, Role


class Kind(StrEnum):
    """What an entry of the audit log records (the Data Protection Act 2018, s62)."""

    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    COMBINATION = "combination"
    ERASURE = "erasure"
    AUTHENTICATION = "authentication"  # sign-ins, not s62 processing, but kept the same way


class Action(Enum):
    """Every action a capability offers, named `area.verb`, with the kind it is logged as."""

    PERSONS_SEARCH = ("persons.search", Kind.CONSULTATION)
    PERSONS_VIEW = ("persons.view", Kind.CONSULTATION)
    NETWORK_VIEW = ("network.view", Kind.CONSULTATION)
    NETWORK_STATUS = ("network.status", Kind.CONSULTATION)
    NETWORK_REBUILD = ("network.rebuild", Kind.COMBINATION)
    ALERTS_LIST = ("alerts.list", Kind.CONSULTATION)
    ALERTS_VIEW = ("alerts.view", Kind.CONSULTATION)
    ALERTS_CHANGE = ("alerts.change", Kind.ALTERATION)
    CHRONOLOGY_VIEW = ("chronology.view", Kind.CONSULTATION)
    REVIEW_LIST = ("review.list", Kind.CONSULTATION)
    REVIEW_VIEW = ("review.view", Kind.CONSULTATION)
    REVIEW_DECIDE = ("review.decide", Kind.ALTERATION)
    RESOLUTION_RUN = ("resolution.run", Kind.COMBINATION)
    RESOLUTION_FILE = ("resolution.file", Kind.COMBINATION)
    RESOLUTION_TRAIN = ("resolution.train", Kind.COMBINATION)
    RESOLUTION_MATCH = ("resolution.match", Kind.CONSULTATION)
    INGEST_LOAD = ("ingest.load", Kind.COLLECTION)
    INGEST_RECORD = ("ingest.record", Kind.COLLECTION)
    INGEST_QUARANTINE = ("ingest.quarantine", Kind.CONSULTATION)
    INGEST_STATUS = ("ingest.status", Kind.CONSULTATION)
    TIMELINESS_QUEUE = ("timeliness.queue", Kind.CONSULTATION)
    TIMELINESS_REPORT = ("timeliness.report", Kind.CONSULTATION)
    TIMELINESS_CLOCKS = ("timeliness.clocks", Kind.CONSULTATION)
    TIMELINESS_RECORD = ("timeliness.record", Kind.ALTERATION)
    QUALITY_FINDINGS = ("quality.findings", Kind.CONSULTATION)
    QUALITY_SCORES = ("quality.scores", Kind.CONSULTATION)
    QUALITY_RUN = ("quality.run", Kind.ALTERATION)
    REPORT_PRODUCE = ("report.produce", Kind.DISCLOSURE)
    EXPORT_LINKS = ("export.links", Kind.DISCLOSURE)
    EXPORT_PERSONS = ("export.persons", Kind.DISCLOSURE)
    EXPORT_PROMPTS = ("export.prompts", Kind.DISCLOSURE)
    USERS_LIST = ("users.list", Kind.CONSULTATION)
    USERS_CHANGE = ("users.change", Kind.ALTERATION)
    RESTRICTIONS_CHANGE = ("restrictions.change", Kind.ALTERATION)
    AUDIT_VERIFY = ("audit.verify", Kind.CONSULTATION)
    AUDIT_SEARCH = ("audit.search", Kind.CONSULTATION)
    AUDIT_EXPORT = ("audit.export", Kind.DISCLOSURE)
    DB_UPGRADE = ("db.upgrade", Kind.ALTERATION)
    RETENTION_DUE = ("retention.due", Kind.CONSULTATION)
    RETENTION_ERASE = ("retention.erase", Kind.ERASURE)
    RETENTION_REVERSE = ("retention.reverse", Kind.ALTERATION)

    def __init__(self, label: str, kind: Kind) -> None:
        self.label = label
        self.kind = kind


@dataclass(frozen=True)
class Resource:
    """What an action is taken on: `person:P0000001`, `alert:12`, `agency:police`, ...

    `agency` is the one agency whose records the resource is, for agency scope (None when
    it spans agencies); `health` says it holds health records (lawful basis);
    `restricted` marks a record that needs an explicit grant to open.
    """

    kind: str
    id: str | None = None
    agency: str | None = None
    restricted: bool = False
    health: bool = False

    def __str__(self) -> str:
        return self.kind if self.id is None else f"{self.kind}:{self.id}"


R = Role
_FRONT_LINE = frozenset({R.POLICE_OFFICER, R.SOCIAL_WORKER, R.MASH_ANALYST, R.TEAM_MANAGER,
                         R.ADMINISTRATOR})
_DATA = frozenset({R.DATA_QUALITY_OFFICER, R.MASH_ANALYST, R.ADMINISTRATOR})
_EVERYONE = frozenset(Role)

MATRIX: dict[Action, frozenset[Role]] = {
    Action.PERSONS_SEARCH: _FRONT_LINE | _DATA,
    Action.PERSONS_VIEW: _FRONT_LINE | _DATA,
    Action.NETWORK_VIEW: _FRONT_LINE,
    Action.NETWORK_STATUS: _EVERYONE,
    Action.NETWORK_REBUILD: _DATA,
    Action.ALERTS_LIST: _FRONT_LINE,
    Action.ALERTS_VIEW: _FRONT_LINE,
    Action.ALERTS_CHANGE: _FRONT_LINE,
    Action.CHRONOLOGY_VIEW: _FRONT_LINE,
    Action.REVIEW_LIST: _DATA,
    Action.REVIEW_VIEW: _DATA,
    Action.REVIEW_DECIDE: _DATA,
    Action.RESOLUTION_RUN: _DATA,
    Action.RESOLUTION_FILE: _DATA,
    Action.RESOLUTION_TRAIN: frozenset({R.DATA_QUALITY_OFFICER, R.ADMINISTRATOR}),
    Action.RESOLUTION_MATCH: _FRONT_LINE | _DATA,
    Action.INGEST_LOAD: frozenset({R.DATA_QUALITY_OFFICER, R.ADMINISTRATOR}),
    # One record typed in (the new-record form), within an agency-scoped role's own agency.
    Action.INGEST_RECORD: _FRONT_LINE | _DATA,
    Action.INGEST_QUARANTINE: _DATA,
    Action.INGEST_STATUS: _EVERYONE,
    Action.TIMELINESS_QUEUE: frozenset({R.SOCIAL_WORKER, R.MASH_ANALYST, R.TEAM_MANAGER,
                                        R.ADMINISTRATOR}),
    Action.TIMELINESS_REPORT: frozenset({R.SOCIAL_WORKER, R.MASH_ANALYST, R.TEAM_MANAGER,
                                         R.DATA_QUALITY_OFFICER, R.ADMINISTRATOR}),
    Action.TIMELINESS_CLOCKS: _EVERYONE,
    Action.TIMELINESS_RECORD: _DATA,
    Action.QUALITY_FINDINGS: _DATA | {R.TEAM_MANAGER},
    Action.QUALITY_SCORES: _DATA | {R.TEAM_MANAGER},
    Action.QUALITY_RUN: _DATA,
    # The inspection report spans every agency and is sent outside the system.
    Action.REPORT_PRODUCE: frozenset({R.MASH_ANALYST, R.TEAM_MANAGER, R.ADMINISTRATOR}),
    # Disclosure outside the system: only roles that may share on the partnership's behalf.
    Action.EXPORT_LINKS: frozenset({R.MASH_ANALYST, R.TEAM_MANAGER, R.ADMINISTRATOR}),
    Action.EXPORT_PERSONS: frozenset({R.MASH_ANALYST, R.TEAM_MANAGER, R.ADMINISTRATOR}),
    Action.EXPORT_PROMPTS: frozenset({R.MASH_ANALYST, R.TEAM_MANAGER, R.ADMINISTRATOR}),
    Action.USERS_LIST: frozenset({R.ADMINISTRATOR, R.AUDITOR}),
    Action.USERS_CHANGE: frozenset({R.ADMINISTRATOR}),
    # Restricting a record and granting it to a named user are decisions about cases.
    Action.RESTRICTIONS_CHANGE: frozenset({R.TEAM_MANAGER, R.ADMINISTRATOR}),
    Action.AUDIT_VERIFY: frozenset({R.AUDITOR, R.ADMINISTRATOR}),
    # Reading the log itself is kept from the administrators whose work it records.
    Action.AUDIT_SEARCH: frozenset({R.AUDITOR}),
    Action.AUDIT_EXPORT: frozenset({R.AUDITOR}),
    Action.DB_UPGRADE: frozenset({R.ADMINISTRATOR}),
    # Reviewing and erasing records is records management, within the agency's scope.
    Action.RETENTION_DUE: frozenset({R.DATA_QUALITY_OFFICER, R.ADMINISTRATOR}),
    Action.RETENTION_ERASE: frozenset({R.DATA_QUALITY_OFFICER, R.ADMINISTRATOR}),
    Action.RETENTION_REVERSE: _DATA,
}

AGENCY_SCOPED = frozenset({R.POLICE_OFFICER, R.SOCIAL_WORKER, R.DATA_QUALITY_OFFICER})
"""Roles that act for one agency: given a resource of another agency (or any agency's, when
the user has none), they are refused."""

HEALTH_BASIS = frozenset({R.SOCIAL_WORKER, R.MASH_ANALYST, R.TEAM_MANAGER,
                          R.DATA_QUALITY_OFFICER, R.ADMINISTRATOR})
"""Roles with a lawful basis to consult or disclose health records (not police, not audit)."""

HEALTH_AGENCIES = frozenset({"health"})


@dataclass(frozen=True)
class Decision:
    """The answer to `allowed`: true or false, with the rule that decided it."""

    allowed: bool
    why: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def has_basis(actor: Actor, agency: str) -> bool:
    """Whether the actor has a lawful basis to consult this agency's records.

    Agency scope does not hide other agencies' evidence in a child's network (sharing it
    is the point of a MASH); it limits what a scoped role may load, list and change.
    """
    return agency not in HEALTH_AGENCIES or actor.role in HEALTH_BASIS


def allowed(actor: Actor, action: Action, resource: Resource) -> Decision:
    """Whether `actor` may take `action` on `resource`, and which rule says no."""
    if actor.role not in MATRIX[action]:
        return Decision(False, f"a {actor.role.value} may not {action.label}")
    if (resource.agency is not None and actor.role in AGENCY_SCOPED
            and actor.agency != resource.agency):
        return Decision(False, f"{actor.username} acts for {actor.agency or 'no agency'}, "
                               f"not {resource.agency}")
    if ((resource.health or resource.agency in HEALTH_AGENCIES)
            and actor.role not in HEALTH_BASIS
            and action.kind in (Kind.CONSULTATION, Kind.DISCLOSURE)):
        return Decision(False, f"a {actor.role.value} has no lawful basis for health records")
    if resource.restricted and str(resource) not in actor.grants:
        return Decision(False, f"{resource} is restricted and {actor.username} has no grant")
    return Decision(True)
