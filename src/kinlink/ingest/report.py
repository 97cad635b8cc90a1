"""What an ingest did: per-file counts and the problems that sent rows to quarantine."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Problem:
    """Why one row (or one value of it) was quarantined."""

    table: str
    file: str
    row: int  # 1-based data row; the header is row 0
    field: str | None
    reason: str


@dataclass(frozen=True)
class FileReport:
    """Counts for one file: every row read is new, changed, unchanged or quarantined;
    `set_aside` counts the values of stored rows kept as unknown (each a finding)."""

    table: str
    file: str
    read: int
    new: int
    changed: int
    unchanged: int
    quarantined: int
    seconds: float = 0.0  # time spent on this file
    set_aside: int = 0

    @property
    def stored(self) -> int:
        """Rows added to the store (new keys plus new versions)."""
        return self.new + self.changed


@dataclass
class IngestReport:
    """The outcome of one stored extract (a refused extract raises instead)."""

    run_id: int
    agency: str
    path: str
    started_at: datetime
    finished_at: datetime
    files: list[FileReport] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    """The first quarantined problems, in file and row order (see `kinlink quarantine` for all)."""

    def total(self, count: str) -> int:
        """The sum of one count (`read`, `new`, `changed`, `unchanged`, `quarantined`,
        `set_aside`)."""
        return sum(int(getattr(f, count)) for f in self.files)

    @property
    def changed_anything(self) -> bool:
        return self.total("new") + self.total("changed") > 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form, for the web app and `--format json`."""
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["finished_at"] = self.finished_at.isoformat()
        return data
