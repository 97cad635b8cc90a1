"""Splink's own messages during training: to a log file, not the user's console.

Splink warns, level by level, when an EM pass saw no likely match in a level ("Level
... not observed in dataset, unable to train m value"), and advises a larger
`max_pairs` for u sampling. Those are facts about the data, useful in a log and noise on
a console: `SplinkLog` writes them to a file while it is open, and remembers which
levels EM could not train, so that training can say in one line which levels kept
their starting values and why (`untrained_levels`, `untrained_summary`).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import TracebackType
from typing import Any

_UNOBSERVED = re.compile(r"Level (.+) on comparison (\S+) not observed in dataset, "
                         r"unable to train m value")


class SplinkLog(logging.Handler):
    """While open, Splink's log records go to `path` (and not to the console); the
    levels EM could not train are collected in `unobserved`."""

    def __init__(self, path: Path) -> None:
        super().__init__(logging.DEBUG)
        self.path = path
        self.unobserved: set[tuple[str, str]] = set()
        self._file: logging.FileHandler | None = None
        self._saved: tuple[list[logging.Handler], bool, int] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        found = _UNOBSERVED.search(record.getMessage())
        if found:
            self.unobserved.add((found.group(2), found.group(1)))

    def __enter__(self) -> SplinkLog:
        splink = logging.getLogger("splink")
        self._saved = (list(splink.handlers), splink.propagate, splink.level)
        for handler in self._saved[0]:
            splink.removeHandler(handler)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = logging.FileHandler(self.path, encoding="utf-8", delay=True)
        self._file.setFormatter(logging.Formatter("%(asctime)s %(name)s %(message)s"))
        # Splink adds a console handler only to a logger that has none.
        splink.addHandler(self._file)
        splink.addHandler(self)
        splink.propagate = False
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        splink = logging.getLogger("splink")
        splink.removeHandler(self)
        if self._file is not None:
            splink.removeHandler(self._file)
            self._file.close()
        if self._saved is not None:
            handlers, propagate, level = self._saved
            for handler in handlers:
                splink.addHandler(handler)
            splink.propagate, splink.level = propagate, level


def untrained_levels(initial: dict[str, Any], trained: dict[str, Any],
                     unobserved: set[tuple[str, str]]) -> list[dict[str, Any]]:
    """The levels whose m training did not learn, each with its m and why: fixed by the
    model's design, or seen by no EM pass among likely matches (kept at its start)."""
    kept = []
    for start, done in zip(initial["comparisons"], trained["comparisons"], strict=True):
        name = start["output_column_name"]
        for level, final in zip(start["comparison_levels"], done["comparison_levels"],
                                strict=True):
            label = level["label_for_charts"]
            if level.get("is_null_level") or final.get("m_probability") == final.get(
                    "u_probability"):
                continue
            if level.get("fix_m_probability"):
                why = "fixed"
            elif (name, label) in unobserved and final.get("m_probability") == level.get(
                    "m_probability"):
                why = "not observed"
            else:
                continue
            kept.append({"comparison": name, "level": label, "why": why,
                         "m": final.get("m_probability")})
    return kept


def untrained_summary(levels: list[dict[str, Any]]) -> str:
    """One line: which levels kept their starting m, and why."""
    fixed = [f"{lv['comparison']} '{lv['level']}'" for lv in levels if lv["why"] == "fixed"]
    unseen = [f"{lv['comparison']} '{lv['level']}'" for lv in levels
              if lv["why"] == "not observed"]
    parts = []
    if unseen:
        parts.append(f"not observed among EM's likely matches in these records: "
                     f"{', '.join(unseen)}")
    if fixed:
        parts.append(f"fixed by design or anchored (EM's blocks cannot show them): "
                     f"{', '.join(fixed)}")
    return ("Levels that kept their starting m: " + "; ".join(parts) + "."
            if parts else "Every level's m was learnt from these records.")
