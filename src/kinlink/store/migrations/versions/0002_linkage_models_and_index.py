"""linkage models and the real-time matching index

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "linkage_models",
        sa.Column("version", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("training_record_count", sa.Integer(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("charts", sa.JSON(), nullable=False),
        sa.Column("training_seconds", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_linkage_models")),
    )
    op.create_table(
        "linkage_records",
        sa.Column("uid", sa.Text(), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("source_row_id", sa.Integer(), nullable=False),
        sa.Column("first_name", sa.Text(), nullable=True),
        sa.Column("surname", sa.Text(), nullable=True),
        sa.Column("features", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("uid", name=op.f("pk_linkage_records")),
    )
    op.create_table(
        "linkage_keys",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("uid", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", "uid", name=op.f("pk_linkage_keys")),
    )
    with op.batch_alter_table("linkage_keys", schema=None) as batch_op:
        batch_op.create_index("ix_linkage_keys_uid", ["uid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("linkage_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_linkage_keys_uid")
    op.drop_table("linkage_keys")
    op.drop_table("linkage_records")
    op.drop_table("linkage_models")
