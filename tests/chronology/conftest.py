"""The hand-written borough of `tests/data/chronology/` (see its README), ingested for real
and resolved as `record_persons.csv` says (what `kinlink resolve` would have written)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from kinlink.store import Store

DATA = Path(__file__).parent.parent / "data" / "chronology"
AS_OF = date(2026, 11, 1)
AMY, LISA, DANIEL, KEVIN, BEN, CARA, MARK = (f"P000000{i}" for i in range(1, 8))


@pytest.fixture
def borough(hand_built: Callable[[Path], Store]) -> Store:
    """The store holding the small borough, resolved, its network built."""
    return hand_built(DATA)
