"""network graph snapshot and alerts

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-25 19:10:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('network_builds',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('edges', sa.Integer(), nullable=False),
    sa.Column('markers', sa.Integer(), nullable=False),
    sa.Column('unresolved_records', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_builds'))
    )
    op.create_table('network_persons',
    sa.Column('person_id', sa.String(length=140), nullable=False),
    sa.Column('first_name', sa.Text(), nullable=True),
    sa.Column('surname', sa.Text(), nullable=True),
    sa.Column('dob', sa.String(length=10), nullable=True),
    sa.Column('sex', sa.String(length=1), nullable=True),
    sa.Column('pupil', sa.Boolean(), nullable=False),
    sa.Column('records', sa.Text(), nullable=False),
    sa.Column('agencies', sa.Text(), nullable=False),
    sa.Column('resolved', sa.Boolean(), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_network_persons'))
    )
    op.create_table('network_edges',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.String(length=140), nullable=False),
    sa.Column('other_person_id', sa.String(length=140), nullable=False),
    sa.Column('relation', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=24), nullable=False),
    sa.Column('recorded', sa.Boolean(), nullable=False),
    sa.Column('agencies', sa.Text(), nullable=False),
    sa.Column('records', sa.Text(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('from_date', sa.Date(), nullable=True),
    sa.Column('to_date', sa.Date(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_edges'))
    )
    with op.batch_alter_table('network_edges', schema=None) as batch_op:
        batch_op.create_index('ix_network_edges_person', ['person_id'], unique=False)

    op.create_table('network_markers',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.String(length=140), nullable=False),
    sa.Column('agency', sa.String(length=64), nullable=False),
    sa.Column('record_id', sa.Text(), nullable=False),
    sa.Column('marker', sa.String(length=48), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('review_date', sa.Date(), nullable=True),
    sa.Column('related_record_id', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('confidence', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_markers'))
    )
    with op.batch_alter_table('network_markers', schema=None) as batch_op:
        batch_op.create_index('ix_network_markers_person', ['person_id'], unique=False)

    op.create_table('alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=24), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('person_id', sa.String(length=140), nullable=False),
    sa.Column('other_person_id', sa.String(length=140), nullable=True),
    sa.Column('agency', sa.String(length=64), nullable=True),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('detected', sa.Boolean(), nullable=False),
    sa.Column('first_detected_at', sa.DateTime(), nullable=False),
    sa.Column('last_detected_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alerts')),
    sa.UniqueConstraint('key', name=op.f('uq_alerts_key'))
    )
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.create_index('ix_alerts_person', ['person_id'], unique=False)
        batch_op.create_index('ix_alerts_type_status', ['type', 'status'], unique=False)

    op.create_table('alert_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_alert_events_alert_id_alerts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_events'))
    )
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_events_alert_id'), ['alert_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('alert_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_events_alert_id'))
    op.drop_table('alert_events')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_alerts_type_status')
        batch_op.drop_index('ix_alerts_person')
    op.drop_table('alerts')
    with op.batch_alter_table('network_markers', schema=None) as batch_op:
        batch_op.drop_index('ix_network_markers_person')
    op.drop_table('network_markers')
    with op.batch_alter_table('network_edges', schema=None) as batch_op:
        batch_op.drop_index('ix_network_edges_person')
    op.drop_table('network_edges')
    op.drop_table('network_persons')
    op.drop_table('network_builds')
