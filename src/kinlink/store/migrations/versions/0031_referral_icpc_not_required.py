"""referrals record every strategy discussion and an ICPC found not needed

Revision ID: 0031
Revises: 0001
Create Date: 2026-12-02 09:30:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0031'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('referrals') as batch_op:
        batch_op.add_column(sa.Column('strategy_discussion_dates', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('icpc_not_required', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('referrals') as batch_op:
        batch_op.drop_column('icpc_not_required')
        batch_op.drop_column('strategy_discussion_dates')
