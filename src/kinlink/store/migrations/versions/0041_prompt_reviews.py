"""second-look prompt reviews; incident_people indexed by record

Revision ID: 0041
Revises: 0006
Create Date: 2026-12-02 09:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0041'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('prompt_reviews',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.Text(), nullable=False),
    sa.Column('decision', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['alerts.id'], name=op.f('fk_prompt_reviews_alert_id_alerts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prompt_reviews'))
    )
    with op.batch_alter_table('prompt_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prompt_reviews_alert_id'), ['alert_id'], unique=False)
    with op.batch_alter_table('incident_people', schema=None) as batch_op:
        batch_op.create_index('ix_incident_people_agency_record', ['agency', 'record_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incident_people', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_people_agency_record')
    with op.batch_alter_table('prompt_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prompt_reviews_alert_id'))
    op.drop_table('prompt_reviews')
