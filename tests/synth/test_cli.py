"""`kinlink synth` on the command line."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from kinlink.cli import app

runner = CliRunner()


def test_synth_writes_a_borough_and_prints_a_summary(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--people", "300", "--seed", "2", "--out",
                                 str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "300 people" in result.output and "Hidden risks" in result.output
    assert "social-care" in result.output
    assert (tmp_path / "truth" / "hidden_risks.csv").exists()


def test_config_file_overrides_rates(tmp_path: Path) -> None:
    config = tmp_path / "rates.toml"
    config.write_text('[agencies.health.errors]\ndob-missing = 1.0\n', encoding="utf-8")
    result = runner.invoke(app, ["synth", "--people", "200", "--out", str(tmp_path / "b"),
                                 "--config", str(config), "--quiet"])
    assert result.exit_code == 0, result.output
    people = (tmp_path / "b" / "health" / "people.csv").read_text().splitlines()[1:]
    header = (tmp_path / "b" / "health" / "people.csv").read_text().splitlines()[0].split(",")
    assert all(line.split(",")[header.index("dob")] == "" for line in people
               if line.count('"') == 0)
    assert '"dob-missing": 1.0' in (tmp_path / "b" / "truth" / "config.json").read_text()


def test_bad_config_is_one_line_error(tmp_path: Path) -> None:
    config = tmp_path / "rates.toml"
    config.write_text('[agencies.health.errors]\nsmudge = 0.1\n', encoding="utf-8")
    result = runner.invoke(app, ["synth", "--people", "200", "--out", str(tmp_path / "c"),
                                 "--config", str(config)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "smudge" in result.output
    assert "Traceback" not in result.output
    missing = runner.invoke(app, ["synth", "--out", str(tmp_path), "--config",
                                  str(tmp_path / "nope.toml")])
    assert missing.exit_code == 1 and "not found" in missing.output


def test_too_few_people_is_refused(tmp_path: Path) -> None:
    result = runner.invoke(app, ["synth", "--people", "5", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "at least" in result.output
