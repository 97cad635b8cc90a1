"""data-quality runs and scores kept for trends; findings name the record's team

Revision ID: 0051
Revises: 0005
Create Date: 2026-12-02 09:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0051'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('quality_findings') as batch_op:
        batch_op.add_column(sa.Column('team', sa.Text(), nullable=True))
    op.create_table(
        'quality_runs',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('as_of', sa.DateTime(), nullable=False),
        sa.Column('network_build_id', sa.Integer(), nullable=True),
        sa.Column('ingest_run_ids', sa.JSON(), nullable=False),
        sa.Column('findings', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_runs')),
    )
    op.create_table(
        'quality_scores',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('rule', sa.String(length=48), nullable=False),
        sa.Column('agency', sa.String(length=64), nullable=False),
        sa.Column('team', sa.Text(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('denominator', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['run_id'], ['quality_runs.id'],
                                name=op.f('fk_quality_scores_run_id_quality_runs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_scores')),
    )
    with op.batch_alter_table('quality_scores') as batch_op:
        batch_op.create_index('ix_quality_scores_run', ['run_id', 'rule'], unique=False)


def downgrade() -> None:
    op.drop_table('quality_scores')
    op.drop_table('quality_runs')
    with op.batch_alter_table('quality_findings') as batch_op:
        batch_op.drop_column('team')
