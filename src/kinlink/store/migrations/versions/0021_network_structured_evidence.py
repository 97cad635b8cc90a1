"""network edges keep structured evidence; lists are JSON arrays

Edges gain `incidents` and `partners`, so the network no longer parses its own display
text back. Lists of records and agencies become JSON arrays instead of `;`-joined text (a
record id may hold `;`). The graph is derived data: the stored snapshot is cleared and
the next network build rebuilds it from the source records; alerts are kept.

Revision ID: 0021
Revises: 0006
Create Date: 2026-12-02 09:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0006"
branch_labels = None
depends_on = None

SNAPSHOT = ("network_edges", "network_persons", "network_markers", "network_builds")


def _clear_snapshot() -> None:
    for table in SNAPSHOT:
        op.execute(sa.text(f"DELETE FROM {table}"))


def upgrade() -> None:
    _clear_snapshot()
    with op.batch_alter_table("network_edges") as batch_op:
        batch_op.add_column(sa.Column("incidents", sa.Text(), server_default="[]",
                                      nullable=False))
        batch_op.add_column(sa.Column("partners", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    _clear_snapshot()
    with op.batch_alter_table("network_edges") as batch_op:
        batch_op.drop_column("partners")
        batch_op.drop_column("incidents")
