"""award proposals: a theme chair proposes the theme's winners, an organizer confirms (issue 25)

Revision ID: 0020_award_proposals
Revises: 0017_constraints
Create Date: 2026-12-02 08:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0020_award_proposals'
down_revision = '0019_score_scale'
branch_labels = None
depends_on = None

STATES = ('draft', 'submitted', 'confirmed', 'returned')
OPEN = "state IN ('draft', 'submitted', 'returned')"


def upgrade():
    op.create_table(
        'award_proposals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('contest_id', sa.Integer(), nullable=False),
        sa.Column('theme_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('return_reason', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('submitted_by_id', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint(f"state IN ({', '.join(repr(s) for s in STATES)})",
                           name=op.f('ck_award_proposals_state')),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'],
                                name=op.f('fk_award_proposals_contest_id_contests'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['theme_id'], ['themes.id'],
                                name=op.f('fk_award_proposals_theme_id_themes'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_award_proposals_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'],
                                name=op.f('fk_award_proposals_submitted_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                                name=op.f('fk_award_proposals_decided_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_award_proposals')),
    )
    op.create_index(op.f('ix_award_proposals_contest_id'), 'award_proposals', ['contest_id'])
    # One open proposal per theme at a time.
    op.create_index('uq_award_proposals_open_theme', 'award_proposals', ['theme_id'],
                    unique=True, sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    op.create_table(
        'award_proposal_lines',
        sa.Column('award_proposal_id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('tier_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['award_proposal_id'], ['award_proposals.id'],
            name=op.f('fk_award_proposal_lines_award_proposal_id_award_proposals'),
            ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_award_proposal_lines_proposal_id_proposals'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tier_id'], ['award_tiers.id'],
                                name=op.f('fk_award_proposal_lines_tier_id_award_tiers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('award_proposal_id', 'proposal_id',
                                name=op.f('pk_award_proposal_lines')),
    )


def downgrade():
    op.drop_table('award_proposal_lines')
    op.drop_index('uq_award_proposals_open_theme', table_name='award_proposals')
    op.drop_index(op.f('ix_award_proposals_contest_id'), table_name='award_proposals')
    op.drop_table('award_proposals')
