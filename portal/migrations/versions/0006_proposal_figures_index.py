"""proposal figures index: the dashboard's and proposal table's counts read an index only

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 18:00:00

"""
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_proposals_contest_figures', 'proposals',
                    ['contest_id', 'status', 'theme_id', 'entrant_type_id', 'submitted_at'])


def downgrade():
    op.drop_index('ix_proposals_contest_figures', table_name='proposals')
