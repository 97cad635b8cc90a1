"""The smallest boroughs `kinlink synth` accepts are generated without a crash.

At 50 to 100 people some agencies hold no record and some risks are never drawn: every
array built from an empty list must still have the type it is used as.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.synth import generate


@pytest.mark.parametrize(("people", "seed"), [(50, 1), (55, 1), (55, 55), (63, 63), (89, 89)])
def test_small_borough_is_generated(tmp_path: Path, people: int, seed: int) -> None:
    summary = generate(tmp_path, people=people, seed=seed, progress=False)
    assert summary.persons == people
    assert (tmp_path / "police" / "people.csv").exists()


def test_synth_55_people_on_the_command_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["synth", "--people", "55", "--quiet", "--out",
                                      str(tmp_path)])
    assert result.exit_code == 0, result.output
