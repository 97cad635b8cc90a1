"""`kl.review`: the queue of uncertain record pairs, and people's decisions on them."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

from kinlink.core.actors import Actor
from kinlink.core.capability import Capability
from kinlink.core.permissions import Action, Resource
from kinlink.review import (
    Decision,
    ReviewItem,
    count_review_items,
    decide,
    decision_history,
    get_review_item,
    list_review_items,
)


@dataclass(frozen=True)
class ReviewPage:
    """A page of review items and how many match in all."""

    items: list[ReviewItem]
    total: int


def _pair(uid_a: str, uid_b: str) -> Resource:
    return Resource("pair", f"{uid_a}|{uid_b}")


class Review(Capability):
    """Uncertain pairs from the latest resolution, and decisions the next run honours."""

    def list(self, actor: Actor, *, status: str | None = "open", agency: str | None = None,
             limit: int = 20, offset: int = 0) -> ReviewPage:
        """Review items, most likely matches first, with the total count."""
        agency = self.scoped_agency(actor, agency)
        detail = {k: v for k, v in (("status", status), ("agency", agency)) if v is not None}
        with self.gate(actor, Action.REVIEW_LIST, Resource("review-items", agency=agency),
                       detail=detail or None):
            items = list_review_items(self.store, status=status, agency=agency, limit=limit,
                                      offset=offset)
            return ReviewPage(items, count_review_items(self.store, status=status,
                                                        agency=agency))

    def get(self, actor: Actor, item_id: int) -> ReviewItem:
        """One review item with its explanation."""
        with self.gate(actor, Action.REVIEW_VIEW, Resource("review-item", str(item_id))):
            return get_review_item(self.store, item_id)

    def history(self, actor: Actor, uid_a: str, uid_b: str) -> builtins.list[Decision]:
        """Every decision made on a pair of records, oldest first."""
        with self.gate(actor, Action.REVIEW_VIEW, _pair(uid_a, uid_b)):
            return decision_history(self.store, uid_a, uid_b)

    def decide(self, actor: Actor, uid_a: str, uid_b: str, decision: str, *,
               reason: str) -> Decision:
        """Decide whether two records are one person (`same`, `not-same`, `unsure`)."""
        with self.gate(actor, Action.REVIEW_DECIDE, _pair(uid_a, uid_b), reason=reason,
                       detail={"decision": decision}):
            return decide(self.store, (uid_a, uid_b), decision, actor=actor.username,
                          reason=reason, clock=self.clock)
