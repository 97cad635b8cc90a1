"""Who is acting: a user with a role, an agency and any explicit grants."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """The jobs people do with Kinlink; `permissions` says what each may do."""

    POLICE_OFFICER = "police-officer"
    SOCIAL_WORKER = "social-worker"
    MASH_ANALYST = "mash-analyst"
    TEAM_MANAGER = "team-manager"
    DATA_QUALITY_OFFICER = "data-quality-officer"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Actor:
    """The user a call is made for.

    `agency` is the agency the user works for (None: the partnership as a whole, as in a
    MASH); roles scoped to an agency see and change only that agency's records.
    `grants` names restricted records the user was explicitly allowed to open, as
    `person:P0000001` or `record:police:R1`.
    """

    username: str
    role: Role
    agency: str | None = None
    grants: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "role", Role(self.role))
        object.__setattr__(self, "grants", frozenset(self.grants))

    def describe(self) -> str:
        """`asmith (social-worker, socialcare)`: for messages and the log."""
        where = f", {self.agency}" if self.agency else ""
        return f"{self.username} ({self.role.value}{where})"
