"""linkage models: what training chose and found (blocking profile and rules, levels left
at their starting values), saved with the model

Revision ID: 0070
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0070"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("linkage_models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("linkage_models", schema=None) as batch_op:
        batch_op.drop_column("details")
