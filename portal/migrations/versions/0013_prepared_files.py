"""prepared files: large exports built by a job, downloaded when ready, deleted when expired

Revision ID: 0013_prepared_files
Revises: 0012_grants
Create Date: 2026-12-02 04:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0013_prepared_files'
down_revision = '0012_grants'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'prepared_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=False),
        sa.Column('contest_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('arguments', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('filename', sa.String(length=255), nullable=True),
        sa.Column('path', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('lease_until', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'],
                                name=op.f('fk_prepared_files_contest_id_contests'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                                name=op.f('fk_prepared_files_requested_by_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_prepared_files')),
    )
    op.create_index('ix_prepared_files_status_lease', 'prepared_files',
                    ['status', 'lease_until'])
    op.create_index(op.f('ix_prepared_files_contest_id'), 'prepared_files', ['contest_id'])
    op.create_index(op.f('ix_prepared_files_expires_at'), 'prepared_files', ['expires_at'])
    op.create_index(op.f('ix_prepared_files_requested_by_id'), 'prepared_files',
                    ['requested_by_id'])


def downgrade():
    op.drop_table('prepared_files')
