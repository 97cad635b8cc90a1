"""audit log: hash-chained entries and the chain's head; updates and deletes refused

Revision ID: 0011
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

# Append-only in the database itself, not only in our code: an UPDATE or DELETE of an
# entry fails. (Someone who can drop the trigger can still tamper; `audit verify` finds it.)
_SQLITE_TRIGGER = ("CREATE TRIGGER audit_log_append_only_{op} BEFORE {OP} ON audit_log "
                   "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
_POSTGRES_FUNCTION = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
"""
_POSTGRES_TRIGGER = ("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
                     "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("resource", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_username_at", "audit_log", ["username", "at"])
    op.create_index("ix_audit_log_resource", "audit_log", ["resource"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.bulk_insert(head, [{"id": 1, "last_id": 0, "last_hash": GENESIS}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_POSTGRES_FUNCTION)
        op.execute(_POSTGRES_TRIGGER)
    else:
        for operation in ("update", "delete"):
            op.execute(_SQLITE_TRIGGER.format(op=operation, OP=operation.upper()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    op.drop_table("audit_head")
    op.drop_index("ix_audit_log_resource", table_name="audit_log")
    op.drop_index("ix_audit_log_username_at", table_name="audit_log")
    op.drop_table("audit_log")
