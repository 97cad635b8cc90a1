"""accounts: local users, API tokens, sessions, restricted records and grants

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("agency", sa.String(length=64), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", AT, nullable=True),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_users")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("last_used_at", AT, nullable=True),
        sa.Column("revoked_at", AT, nullable=True),
        sa.ForeignKeyConstraint(["username"], ["users.username"],
                                name=op.f("fk_api_tokens_username_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_table(
        "sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", AT, nullable=False),
        sa.Column("last_seen_at", AT, nullable=False),
        sa.Column("expires_at", AT, nullable=False),
        sa.Column("revoked_at", AT, nullable=True),
        sa.ForeignKeyConstraint(["username"], ["users.username"],
                                name=op.f("fk_sessions_username_users")),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_sessions")),
    )
    op.create_index("ix_sessions_username", "sessions", ["username"])
    op.create_table(
        "restrictions",
        sa.Column("resource", sa.String(length=160), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("restricted_by", sa.String(length=64), nullable=False),
        sa.Column("restricted_at", AT, nullable=False),
        sa.PrimaryKeyConstraint("resource", name=op.f("pk_restrictions")),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("resource", sa.String(length=160), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by", sa.String(length=64), nullable=False),
        sa.Column("granted_at", AT, nullable=False),
        sa.Column("revoked_at", AT, nullable=True),
        sa.ForeignKeyConstraint(["username"], ["users.username"],
                                name=op.f("fk_grants_username_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
    )
    op.create_index("ix_grants_username", "grants", ["username"])


def downgrade() -> None:
    op.drop_index("ix_grants_username", table_name="grants")
    op.drop_table("grants")
    op.drop_table("restrictions")
    op.drop_index("ix_sessions_username", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("api_tokens")
    op.drop_table("users")
