"""The review loop: uncertain record pairs waiting for a person, and what they decided.

The web app and the `kinlink review` commands use these functions; resolution runs
store the queue and honour the decisions.
"""

from kinlink.review.decisions import (
    DECISIONS,
    Decision,
    decide,
    decision_history,
    latest_decisions,
    review_constraints,
    undo_decision,
)
from kinlink.review.queue import (
    STATUSES,
    ReviewItem,
    count_review_items,
    get_review_item,
    list_review_items,
    store_review_items,
)

__all__ = [
    "DECISIONS",
    "STATUSES",
    "Decision",
    "ReviewItem",
    "count_review_items",
    "decide",
    "decision_history",
    "get_review_item",
    "latest_decisions",
    "list_review_items",
    "review_constraints",
    "store_review_items",
    "undo_decision",
]
