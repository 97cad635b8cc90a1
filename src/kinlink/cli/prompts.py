"""`kinlink alerts review` and `kinlink export prompts`: second-look prompts."""

from __future__ import annotations

from pathlib import Path

import typer

from kinlink.cli.common import console, store
from kinlink.cli.network import ACTOR, ALERT_ID, REASON, alerts_app, export_app
from kinlink.review.prompt_reviews import DECISIONS, export_prompts, review_prompt


@alerts_app.command("review")
def alerts_review(
    alert_id: int = ALERT_ID,
    decision: str = typer.Option(..., "--decision", help="What you decided: "
                                 + ", ".join(DECISIONS) + "."),
    reason: str = REASON,
    actor: str = ACTOR,
) -> None:
    """Record your second look at a prompt: who looked, what they decided and why."""
    prompt = review_prompt(store(), alert_id, decision, actor=actor, reason=reason)
    console.print(f"Prompt {alert_id} ({prompt.rule}) is now {prompt.status}: {decision}.")


@export_app.command("prompts")
def export_prompts_command(out: Path = typer.Option(..., "--out", help="The CSV file to "
                                                    "write.")) -> None:
    """One row per current second-look prompt: child_person_id, rule, referral_id,
    incident_id, adult_person_id, reason, status and the latest review."""
    rows = export_prompts(store(), out)
    console.print(f"Wrote {rows} prompts to {out}")


def register(app: typer.Typer) -> None:
    """The commands join `kinlink alerts` and `kinlink export` (made by `cli.network`)."""
