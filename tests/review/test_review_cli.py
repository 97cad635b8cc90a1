"""`kinlink review ...` on SQLite and PostgreSQL."""

from __future__ import annotations

from typer.testing import CliRunner

from kinlink.cli import app
from kinlink.store import Store

from .test_review import add_people, offer

runner = CliRunner()


def test_review_list_decide_show_history(store: Store) -> None:
    add_people(store, "police:1", "health:1")
    offer(store, ("police:1", "health:1", 0.81))

    listed = runner.invoke(app, ["review", "list"])
    assert listed.exit_code == 0, listed.output
    assert "health:1" in listed.output and "81.0%" in listed.output

    decided = runner.invoke(app, ["review", "decide", "police:1", "health:1", "not-same",
                                  "--reason", "different dates of birth"])
    assert decided.exit_code == 0, decided.output
    assert "not-same" in decided.output
    assert "health:1" not in runner.invoke(app, ["review", "list"]).output
    assert "health:1" in runner.invoke(app, ["review", "list", "--status", "decided"]).output

    shown = runner.invoke(app, ["review", "show", "1"])
    assert shown.exit_code == 0, shown.output
    assert "explained police:1 health:1" in shown.output and "kinlink-admin" in shown.output
    history = runner.invoke(app, ["review", "history", "health:1", "police:1"])
    assert "different dates of birth" in history.output


def test_review_errors_are_one_line(store: Store) -> None:
    add_people(store, "police:1", "health:1")
    for args, message in [
        (["review", "decide", "police:1", "health:1", "perhaps", "--reason", "r"],
         "unknown decision"),
        (["review", "decide", "police:1", "health:9", "same", "--reason", "r"],
         "no person record health:9"),
        (["review", "list", "--status", "lost"], "unknown status"),
        (["review", "show", "77"], "no review item 77"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert message in result.output and "Traceback" not in result.output
