"""indexes for one person's page: alerts by other_person_id (an alert names a person as
the child or as the adult) and review items by uid_r (a record is either side of a pair);
without them each view scanned both tables

Revision ID: 0081
Revises: 0070
"""

from alembic import op

revision = "0081"
down_revision = "0070"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_other_person", "alerts", ["other_person_id"])
    op.create_index("ix_review_items_uid_r", "review_items", ["uid_r"])


def downgrade() -> None:
    op.drop_index("ix_review_items_uid_r", table_name="review_items")
    op.drop_index("ix_alerts_other_person", table_name="alerts")
