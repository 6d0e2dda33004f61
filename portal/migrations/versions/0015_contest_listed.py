"""contests.listed: whether the contest is shown on the public home page (demo contests are not)

Revision ID: 0015_contest_listed
Revises: 0014_live
Create Date: 2026-12-02 04:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0015_contest_listed'
down_revision = '0014_live'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contests') as batch_op:
        batch_op.add_column(sa.Column('listed', sa.Boolean(), nullable=False,
                                      server_default=sa.true()))


def downgrade():
    with op.batch_alter_table('contests') as batch_op:
        batch_op.drop_column('listed')
