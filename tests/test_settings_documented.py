"""Every setting is in README's settings table, and the table names no setting that is gone."""

from __future__ import annotations

import re
from pathlib import Path

from kinlink.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_lists_every_setting() -> None:
    documented = set(re.findall(r"^\| `KINLINK_([A-Z_]+)` \|", README.read_text(), re.M))
    assert documented == {name.upper() for name in Settings.model_fields}
