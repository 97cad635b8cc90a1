"""Second-look prompts as people see them: listed, exported and reviewed.

A review records who looked, what they decided and why (`prompt_reviews`), and moves the
prompt's alert status with the same reason in its history: `decision-stands` and
`further-action` resolve it, `needs-discussion` acknowledges it. A prompt found again by
a later recompute keeps that status (its key is stable; see `network.alerts`).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert, select

from kinlink.clock import SYSTEM_CLOCK, Clock
from kinlink.errors import InputError, NotFoundError
from kinlink.network.alerts import change_status
from kinlink.review.prompts import ALERT_TYPE
from kinlink.store import Store
from kinlink.store.schema.chronology import prompt_reviews
from kinlink.store.schema.network import alerts

DECISIONS = {"decision-stands": "resolved", "further-action": "resolved",
             "needs-discussion": "acknowledged"}
"""What a reviewer may decide, and the status it gives the prompt."""
EXPORT_COLUMNS = ("child_person_id", "rule", "referral_id", "incident_id", "adult_person_id",
                  "reason", "status", "alert_id", "reviewed_by", "decision", "decision_reason")


@dataclass(frozen=True)
class PromptReview:
    at: datetime
    actor: str
    decision: str
    reason: str


@dataclass(frozen=True)
class Prompt:
    """A stored second-look prompt with every review of it, latest last."""

    alert_id: int
    rule: str
    status: str
    child_person_id: str
    adult_person_id: str | None
    agency: str | None
    referral_id: str | None
    incident_id: str | None
    reason: str
    detected: bool  # found by the latest recompute
    reviews: tuple[PromptReview, ...]

    def row(self) -> dict[str, Any]:
        """The prompt as `EXPORT_COLUMNS` values."""
        last = self.reviews[-1] if self.reviews else None
        return {"child_person_id": self.child_person_id, "rule": self.rule,
                "referral_id": self.referral_id or "", "incident_id": self.incident_id or "",
                "adult_person_id": self.adult_person_id or "", "reason": self.reason,
                "status": self.status, "alert_id": self.alert_id,
                "reviewed_by": last.actor if last else "",
                "decision": last.decision if last else "",
                "decision_reason": last.reason if last else ""}


def _reviews(conn: Connection, ids: list[int]) -> dict[int, list[PromptReview]]:
    out: defaultdict[int, list[PromptReview]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        query = select(prompt_reviews).where(prompt_reviews.c.alert_id.in_(ids[i:i + 500])
                                             ).order_by(prompt_reviews.c.id)
        for r in conn.execute(query).mappings():
            out[r["alert_id"]].append(PromptReview(r["at"], r["actor"], r["decision"],
                                                   r["reason"]))
    return out


def list_prompts(store: Store, *, detected_only: bool = True, person_id: str | None = None,
                 alert_id: int | None = None) -> list[Prompt]:
    """Stored prompts (by default only those the latest recompute found), oldest first."""
    query = select(alerts).where(alerts.c.type == ALERT_TYPE).order_by(alerts.c.id)
    if detected_only:
        query = query.where(alerts.c.detected.is_(True))
    for column, value in ((alerts.c.person_id, person_id), (alerts.c.id, alert_id)):
        if value is not None:
            query = query.where(column == value)
    with store.connect() as conn:
        rows = [dict(r) for r in conn.execute(query).mappings()]
        reviews = _reviews(conn, [r["id"] for r in rows])
    return [Prompt(r["id"], r["evidence"].get("rule", ""), r["status"], r["person_id"],
                   r["other_person_id"], r["agency"], r["evidence"].get("referral_id"),
                   r["evidence"].get("incident_id"), r["summary"], bool(r["detected"]),
                   tuple(reviews.get(r["id"], []))) for r in rows]


def write_prompts(prompts: Iterable[Prompt], out: Path) -> int:
    """Write prompts to a CSV file (`EXPORT_COLUMNS`); returns the row count."""
    try:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, EXPORT_COLUMNS)
            writer.writeheader()
            rows = 0
            for prompt in prompts:
                writer.writerow(prompt.row())
                rows += 1
    except OSError as e:
        raise InputError(f"cannot write: {e.strerror}", file=str(out)) from e
    return rows


def review_prompt(store: Store, alert_id: int, decision: str, *, actor: str,
                  reason: str, clock: Clock = SYSTEM_CLOCK) -> Prompt:
    """Record what a person decided on a prompt, and why; move its status to match."""
    if decision not in DECISIONS:
        raise InputError(f"unknown decision {decision!r}; choose from {', '.join(DECISIONS)}",
                         field="decision")
    if not actor.strip() or not reason.strip():
        raise InputError("say who looked (actor) and why they decided so (reason)")
    with store.begin() as conn:
        kind = conn.execute(select(alerts.c.type).where(alerts.c.id == alert_id)).scalar()
        if kind != ALERT_TYPE:
            raise NotFoundError(f"no second-look prompt {alert_id}")
        at = clock.now()
        conn.execute(insert(prompt_reviews).values(
            alert_id=alert_id, at=at, actor=actor.strip(), decision=decision,
            reason=reason.strip()))
        change_status(conn, alert_id, DECISIONS[decision], actor=actor,
                      reason=f"{decision}: {reason.strip()}", at=at)
    return list_prompts(store, detected_only=False, alert_id=alert_id)[0]
