"""Nothing lost, nothing kept too long: retention reviews and erasure.

`due_for_review` lists the source records whose review date (MoPI-style groups,
`policy.py`) has come; `erase_record` removes one record everywhere, keeping only the
metadata of the erasure. See docs/retention.md.
"""

from kinlink.retention.erase import Erasure, erase_record, erasures_done
from kinlink.retention.policy import DEFAULT_POLICY, RetentionGroup, load_policy
from kinlink.retention.review import DueRecord, due_for_review

__all__ = ["DEFAULT_POLICY", "DueRecord", "Erasure", "RetentionGroup", "due_for_review",
           "erase_record", "erasures_done", "load_policy"]
