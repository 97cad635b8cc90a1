"""aware UTC timestamps: every instant Kinlink stamps becomes timestamptz on PostgreSQL

The values were written as naive UTC (ingest runs as the machine's local time, which on a
server is UTC), so they are read as UTC. SQLite stores the same text either way: nothing
to change there. Agency event times (incidents, referrals) are local wall-clock times
from the source records and stay as they are.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
# The tables whose columns change come from the other areas' first migrations.
depends_on = ("0002", "0003", "0004", "0005")

INSTANTS = {
    "persons": ["created_at"],
    "linkage_models": ["created_at"],
    "network_builds": ["started_at", "finished_at"],
    "alerts": ["first_detected_at", "last_detected_at", "updated_at"],
    "alert_events": ["at"],
    "quality_findings": ["detected_at"],
    "resolution_runs": ["started_at", "finished_at"],
    "person_events": ["created_at"],
    "review_items": ["created_at", "updated_at"],
    "review_decisions": ["decided_at"],
    "ingest_runs": ["started_at", "finished_at"],
    "timeliness_runs": ["started_at"],
}


def _alter(aware: bool) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, columns in INSTANTS.items():
        for column in columns:
            using = (f"{column} AT TIME ZONE 'UTC'" if aware
                     else f"({column} AT TIME ZONE 'UTC')")
            op.alter_column(table, column, type_=sa.DateTime(timezone=aware),
                            postgresql_using=using)


def upgrade() -> None:
    _alter(aware=True)


def downgrade() -> None:
    _alter(aware=False)
