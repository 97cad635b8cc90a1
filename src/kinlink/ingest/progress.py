"""The progress bar of a long ingest: one line per stage (reading, checking, storing a file)."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)


class IngestProgress:
    """A rich progress display on stderr, or nothing at all when disabled.

    Shown only on a terminal: in a pipe or a log its redraws would be noise.
    """

    def __init__(self, *, enabled: bool) -> None:
        console = Console(stderr=True)
        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, disable=not (enabled and console.is_terminal),
        )
        self._task: TaskID | None = None

    def __enter__(self) -> IngestProgress:
        self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._finish_stage()
        self._progress.stop()

    def stage(self, description: str, total: int | None = None) -> None:
        """Close the current stage and start the next (`total` rows, or unknown)."""
        self._finish_stage()
        self._task = self._progress.add_task(description, total=total)

    def advance(self, rows: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, rows)

    def _finish_stage(self) -> None:
        if self._task is not None:
            task = self._progress.tasks[self._task]
            self._progress.update(self._task, total=task.total or 1,
                                  completed=task.total or 1)
            self._task = None
