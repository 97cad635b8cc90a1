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

class LibraryError(KinlinkError):
    """A library Kinlink runs on (the database, DuckDB, Splink) failed; the message says
    which, in one line, and the original error is kept as the cause for the logs."""


def first_line(e: BaseException) -> str:
    """The first line of an error's message (a driver's own, when it wraps one)."""
    text = str(getattr(e, "orig", None) or e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def from_library(e: BaseException) -> KinlinkError | None:
    """The error a user should see for a library's exception, or None if it is not one.

    The CLI and the web app call this at their edge, so the database's, DuckDB's and
    Splink's failures reach a person as one clear line instead of a traceback.
    """
    if isinstance(e, KinlinkError):
        return e
    module = type(e).__module__.split(".")[0].lstrip("_")  # duckdb's are `_duckdb.*`
    where = {"sqlalchemy": "the store", "psycopg": "the store", "sqlite3": "the store",
             "duckdb": "the linkage engine (DuckDB)", "splink": "the linkage model (Splink)",
             "pyspark": "the linkage engine (Spark)", "py4j": "the linkage engine (Spark)",
             "polars": "a data step (polars)", "pyarrow": "a data step (Arrow)"}.get(module)
    if where is not None:
        # Splink wraps the engine's error in one that opens with the SQL it ran: the
        # engine's own first line is the one that says what went wrong.
        cause = e.__cause__ if module == "splink" and e.__cause__ is not None else e
        return LibraryError(f"{where} failed: {first_line(cause)}")
    if isinstance(e, MemoryError):
        return LibraryError("ran out of memory; try a smaller input or a larger machine")
    if isinstance(e, OSError) and e.filename:
        return InputError(f"cannot use the file: {e.strerror or e}", file=str(e.filename))
    return None
