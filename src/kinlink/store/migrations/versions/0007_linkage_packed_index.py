"""real-time index: packed records under integer ids, hashed keys, term counts

The index is derived data: the old tables are dropped and the next `refresh()` rebuilds
it from the source records.

Revision ID: 0007
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("linkage_keys", schema=None) as batch_op:
        batch_op.drop_index("ix_linkage_keys_uid")
    op.drop_table("linkage_keys")
    op.drop_table("linkage_records")
    op.create_table(
        "linkage_records",
        sa.Column("rid", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.Text(), nullable=False),
        sa.Column("source_row_id", sa.Integer(), nullable=False),
        sa.Column("layout", sa.BigInteger(), nullable=False),
        sa.Column("features", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("rid", name=op.f("pk_linkage_records")),
        sa.UniqueConstraint("agency", "record_id",
                            name=op.f("uq_linkage_records_agency_record_id")),
    )
    op.create_table(
        "linkage_keys",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("rid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "rid", name=op.f("pk_linkage_keys")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "linkage_terms",
        sa.Column("column_name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("column_name", "value", name=op.f("pk_linkage_terms")),
    )


def downgrade() -> None:
    op.drop_table("linkage_terms")
    op.drop_table("linkage_keys")
    op.drop_table("linkage_records")
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
