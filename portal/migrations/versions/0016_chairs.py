"""contest grants: rights per contest and per theme (theme chairs, issue 25)

Revision ID: 0016_chairs
Revises: 0015_contest_listed
Create Date: 2026-12-02 04:30:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0016_chairs'
down_revision = '0015_contest_listed'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'contest_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contest_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('permissions', sa.JSON(), nullable=False),
        sa.Column('whole_contest', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'],
                                name=op.f('fk_contest_grants_contest_id_contests'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_contest_grants_user_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_contest_grants_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contest_grants')),
        sa.UniqueConstraint('contest_id', 'user_id',
                            name=op.f('uq_contest_grants_contest_id_user_id')),
    )
    op.create_index(op.f('ix_contest_grants_contest_id'), 'contest_grants', ['contest_id'])
    op.create_index(op.f('ix_contest_grants_user_id'), 'contest_grants', ['user_id'])
    op.create_table(
        'contest_grant_themes',
        sa.Column('grant_id', sa.Integer(), nullable=False),
        sa.Column('theme_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['grant_id'], ['contest_grants.id'],
                                name=op.f('fk_contest_grant_themes_grant_id_contest_grants'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['theme_id'], ['themes.id'],
                                name=op.f('fk_contest_grant_themes_theme_id_themes'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('grant_id', 'theme_id', name=op.f('pk_contest_grant_themes')),
    )


def downgrade():
    op.drop_table('contest_grant_themes')
    op.drop_index(op.f('ix_contest_grants_user_id'), table_name='contest_grants')
    op.drop_index(op.f('ix_contest_grants_contest_id'), table_name='contest_grants')
    op.drop_table('contest_grants')
