"""resolution runs, person events, review queue

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-25 18:41:40.428142
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('resolution_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('engine', sa.String(length=16), nullable=False),
    sa.Column('model_version', sa.Integer(), nullable=True),
    sa.Column('threshold', sa.Float(), nullable=False),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('merges', sa.Integer(), nullable=False),
    sa.Column('splits', sa.Integer(), nullable=False),
    sa.Column('retired', sa.Integer(), nullable=False),
    sa.Column('review_items', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resolution_runs'))
    )
    op.create_table('person_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.String(length=16), nullable=False),
    sa.Column('other_person_id', sa.String(length=16), nullable=True),
    sa.Column('record_uids', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['resolution_runs.id'], name=op.f('fk_person_events_run_id_resolution_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_events'))
    )
    with op.batch_alter_table('person_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_events_other_person_id'), ['other_person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_events_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_events_run_id'), ['run_id'], unique=False)

    op.create_table('review_items',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uid_l', sa.Text(), nullable=False),
    sa.Column('uid_r', sa.Text(), nullable=False),
    sa.Column('agency_l', sa.String(length=64), nullable=False),
    sa.Column('agency_r', sa.String(length=64), nullable=False),
    sa.Column('match_probability', sa.Float(), nullable=False),
    sa.Column('match_weight', sa.Float(), nullable=True),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('first_run_id', sa.Integer(), nullable=True),
    sa.Column('last_run_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['first_run_id'], ['resolution_runs.id'], name=op.f('fk_review_items_first_run_id_resolution_runs')),
    sa.ForeignKeyConstraint(['last_run_id'], ['resolution_runs.id'], name=op.f('fk_review_items_last_run_id_resolution_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_items')),
    sa.UniqueConstraint('uid_l', 'uid_r', name=op.f('uq_review_items_uid_l_uid_r'))
    )
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.create_index('ix_review_items_status', ['status', 'match_probability'], unique=False)

    op.create_table('review_decisions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uid_l', sa.Text(), nullable=False),
    sa.Column('uid_r', sa.Text(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['review_items.id'], name=op.f('fk_review_decisions_item_id_review_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_decisions'))
    )
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_review_decisions_pair', ['uid_l', 'uid_r'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('review_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_review_decisions_pair')

    op.drop_table('review_decisions')
    with op.batch_alter_table('review_items', schema=None) as batch_op:
        batch_op.drop_index('ix_review_items_status')

    op.drop_table('review_items')
    with op.batch_alter_table('person_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_events_run_id'))
        batch_op.drop_index(batch_op.f('ix_person_events_person_id'))
        batch_op.drop_index(batch_op.f('ix_person_events_other_person_id'))

    op.drop_table('person_events')
    op.drop_table('resolution_runs')
