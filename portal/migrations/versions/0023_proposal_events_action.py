"""proposal events by action: the proposal table finds the pending withdrawal requests from
the events that are requests, instead of probing every proposal of the contest for one

Revision ID: 0023_proposal_events_action
Revises: 0022_pinyin_collation
Create Date: 2026-12-02 18:00:00

"""
from alembic import op


revision = '0023_proposal_events_action'
down_revision = '0022_pinyin_collation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_proposal_events_action', 'proposal_events', ['action', 'proposal_id'])


def downgrade():
    op.drop_index('ix_proposal_events_action', table_name='proposal_events')
