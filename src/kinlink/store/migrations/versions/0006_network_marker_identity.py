"""network markers keep the review queue's identity evidence

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-25 19:50:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('network_markers') as batch_op:
        batch_op.add_column(sa.Column('identity', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('network_markers') as batch_op:
        batch_op.drop_column('identity')
