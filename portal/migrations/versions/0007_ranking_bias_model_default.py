"""ranking: new contests rank by the judge-bias model (with a connected assignment design)

Revision ID: 0007_ranking
Revises: 0006
Create Date: 2026-12-02 00:05:00

Contests that exist keep the method they have: it may have been chosen.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_ranking'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.alter_column('ranking_method', existing_type=sa.String(length=20),
                              server_default='bias_model')


def downgrade():
    with op.batch_alter_table('contests', schema=None) as batch_op:
        batch_op.alter_column('ranking_method', existing_type=sa.String(length=20),
                              server_default='standardized')
