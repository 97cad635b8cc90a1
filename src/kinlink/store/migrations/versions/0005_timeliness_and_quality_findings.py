"""timeliness runs and data-quality findings

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-25 19:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quality_findings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('area', sa.String(length=32), nullable=False),
    sa.Column('agency', sa.String(length=64), nullable=False),
    sa.Column('table_name', sa.String(length=32), nullable=False),
    sa.Column('record_key', sa.Text(), nullable=False),
    sa.Column('rule', sa.String(length=48), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=8), nullable=False),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_findings'))
    )
    with op.batch_alter_table('quality_findings', schema=None) as batch_op:
        batch_op.create_index('ix_quality_findings_area_agency', ['area', 'agency'], unique=False)
        batch_op.create_index('ix_quality_findings_record', ['agency', 'table_name', 'record_key'], unique=False)

    op.create_table('timeliness_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('as_of', sa.DateTime(), nullable=False),
    sa.Column('referrals', sa.Integer(), nullable=False),
    sa.Column('waiting', sa.Integer(), nullable=False),
    sa.Column('overdue', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeliness_runs'))
    )


def downgrade() -> None:
    op.drop_table('timeliness_runs')
    with op.batch_alter_table('quality_findings', schema=None) as batch_op:
        batch_op.drop_index('ix_quality_findings_record')
        batch_op.drop_index('ix_quality_findings_area_agency')

    op.drop_table('quality_findings')
