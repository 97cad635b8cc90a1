"""`kinlink alerts review` and `kinlink export prompts`: second-look prompts."""

from __future__ import annotations

from pathlib import Path

import typer

from kinlink.cli.common import console, core
from kinlink.cli.network import ALERT_ID, REASON, alerts_app, export_app
from kinlink.review.prompt_reviews import DECISIONS, write_prompts


@alerts_app.command("review")
def alerts_review(
    alert_id: int = ALERT_ID,
    decision: str = typer.Option(..., "--decision", help="What you decided: "
                                 + ", ".join(DECISIONS) + "."),
    reason: str = REASON,
) -> None:
    """Record your second look at a prompt: what you decided and why (you: the user the
    command acts as, KINLINK_CLI_USER)."""
    kl, actor = core()
    prompt = kl.alerts.review_prompt(actor, alert_id, decision, reason=reason)
    console.print(f"Prompt {alert_id} ({prompt.rule}) is now {prompt.status}: {decision}.")


@export_app.command("prompts")
def export_prompts_command(out: Path = typer.Option(..., "--out", help="The CSV file to "
                                                    "write.")) -> None:
    """One row per current second-look prompt: child_person_id, rule, referral_id,
    incident_id, adult_person_id, reason, status and the latest review."""
    kl, actor = core()
    rows = write_prompts(kl.export.prompts(actor), out)
    console.print(f"Wrote {rows} prompts to {out}")


def register(app: typer.Typer) -> None:
    """The commands join `kinlink alerts` and `kinlink export` (made by `cli.network`)."""
