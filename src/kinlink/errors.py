"""One base exception, with a subclass per kind of failure a user can cause or meet.

The CLI and the web app turn these into a clear message; anything else is a bug.
"""

from __future__ import annotations


class KinlinkError(Exception):
    """Base of every error Kinlink raises on purpose."""


class InputError(KinlinkError):
    """A file or value supplied by the user cannot be used.

    `location` names the file, and where known the row and field, so the
    message can point at the exact place to fix.
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 field: str | None = None) -> None:
        self.file, self.row, self.field = file, row, field
        super().__init__(message)

    @property
    def location(self) -> str:
        parts = [p for p in (self.file, self.row and f"row {self.row}",
                             self.field and f"field {self.field!r}") if p]
        return ", ".join(str(p) for p in parts)

    def __str__(self) -> str:
        message = super().__str__()
        return f"{self.location}: {message}" if self.location else message


class StoreError(KinlinkError):
    """The operational store cannot be reached or is not at the expected schema."""


class NotFoundError(KinlinkError):
    """A person, record, alert or referral asked for does not exist."""


class ConfigError(KinlinkError):
    """A configuration file or setting is invalid."""


class Forbidden(KinlinkError):
    """The acting user may not do this (the core's gate said no; the attempt is logged)."""


class ReasonRequired(Forbidden):
    """A restricted record is opened only when the user says why."""


class AuthenticationError(KinlinkError):
    """Who the user is could not be established (wrong password, locked, ended session)."""
