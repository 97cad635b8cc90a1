"""Ages: one rule for every area (the network's adults, the timeliness age bands)."""

from __future__ import annotations

from datetime import date


def age_in_years(born: date, on: date) -> int:
    """Whole years from `born` to `on`: a birthday not yet reached that year does not count
    (someone born on 29 February turns a year older on 1 March in other years)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
