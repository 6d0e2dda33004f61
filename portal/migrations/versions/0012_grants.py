"""grants: after the award, a grant per awarded proposal with its tranches, budget lines,
milestones, reports (spending per line, attachments) and budget changes; money in integer fen

Revision ID: 0012_grants
Revises: 0011_jobs
Create Date: 2026-12-02 03:37:48.819716

"""
import sqlalchemy as sa
from alembic import op


revision = '0012_grants'
down_revision = '0011_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('agreement_name', sa.String(length=255), nullable=True),
    sa.Column('agreement_stored', sa.String(length=64), nullable=True),
    sa.Column('agreement_kind', sa.String(length=10), nullable=True),
    sa.Column('agreement_signed_at', sa.DateTime(), nullable=True),
    sa.Column('public_progress', sa.Boolean(), nullable=False),
    sa.Column('milestones_approved', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount_fen >= 0', name=op.f('ck_grants_amount')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_grants_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_grants_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_grants_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grants')),
    sa.UniqueConstraint('agreement_stored', name=op.f('uq_grants_agreement_stored')),
    sa.UniqueConstraint('proposal_id', name=op.f('uq_grants_proposal_id'))
    )
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grants_contest_id'), ['contest_id'], unique=False)

    op.create_table('grant_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('planned_fen', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('planned_fen >= 0', name=op.f('ck_grant_lines_planned')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_lines_grant_id_grants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_lines')),
    sa.UniqueConstraint('grant_id', 'position', name=op.f('uq_grant_lines_grant_id_position'))
    )
    with op.batch_alter_table('grant_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_lines_grant_id'), ['grant_id'], unique=False)

    op.create_table('grant_milestones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('reached_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_milestones_grant_id_grants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_milestones'))
    )
    with op.batch_alter_table('grant_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_milestones_grant_id'), ['grant_id'], unique=False)

    op.create_table('grant_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=True),
    sa.Column('beneficiaries_reached', sa.Integer(), nullable=True),
    sa.Column('problems', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('reminded', sa.String(length=10), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind IN ('midterm', 'final', 'monthly')", name=op.f('ck_grant_reports_kind')),
    sa.CheckConstraint("status IN ('due', 'submitted', 'returned', 'accepted')", name=op.f('ck_grant_reports_status')),
    sa.CheckConstraint('beneficiaries_reached IS NULL OR beneficiaries_reached >= 0', name=op.f('ck_grant_reports_beneficiaries')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_reports_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_grant_reports_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_reports'))
    )
    with op.batch_alter_table('grant_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_reports_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_reports_status'), ['status'], unique=False)

    op.create_table('grant_tranches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('condition', sa.String(length=20), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('release_reference', sa.String(length=100), nullable=True),
    sa.Column('released_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("condition IN ('signing', 'midterm', 'final')", name=op.f('ck_grant_tranches_condition')),
    sa.CheckConstraint('amount_fen >= 0', name=op.f('ck_grant_tranches_amount')),
    sa.CheckConstraint('percent >= 0 AND percent <= 100', name=op.f('ck_grant_tranches_percent')),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_tranches_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_grant_tranches_released_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_tranches')),
    sa.UniqueConstraint('grant_id', 'position', name=op.f('uq_grant_tranches_grant_id_position'))
    )
    with op.batch_alter_table('grant_tranches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_tranches_grant_id'), ['grant_id'], unique=False)

    op.create_table('grant_budget_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=False),
    sa.Column('from_line_id', sa.Integer(), nullable=False),
    sa.Column('to_line_id', sa.Integer(), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_grant_budget_changes_status')),
    sa.CheckConstraint('amount_fen > 0', name=op.f('ck_grant_budget_changes_amount')),
    sa.CheckConstraint('from_line_id <> to_line_id', name=op.f('ck_grant_budget_changes_two_lines')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_grant_budget_changes_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_line_id'], ['grant_lines.id'], name=op.f('fk_grant_budget_changes_from_line_id_grant_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['grant_id'], ['grants.id'], name=op.f('fk_grant_budget_changes_grant_id_grants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_grant_budget_changes_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['to_line_id'], ['grant_lines.id'], name=op.f('fk_grant_budget_changes_to_line_id_grant_lines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_budget_changes'))
    )
    with op.batch_alter_table('grant_budget_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_budget_changes_grant_id'), ['grant_id'], unique=False)

    op.create_table('grant_report_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['grant_reports.id'], name=op.f('fk_grant_report_attachments_report_id_grant_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_report_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_grant_report_attachments_stored_name'))
    )
    with op.batch_alter_table('grant_report_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_report_attachments_report_id'), ['report_id'], unique=False)

    op.create_table('grant_report_spending',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('spent_fen', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('spent_fen >= 0', name=op.f('ck_grant_report_spending_spent')),
    sa.ForeignKeyConstraint(['line_id'], ['grant_lines.id'], name=op.f('fk_grant_report_spending_line_id_grant_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['grant_reports.id'], name=op.f('fk_grant_report_spending_report_id_grant_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_report_spending')),
    sa.UniqueConstraint('report_id', 'line_id', name=op.f('uq_grant_report_spending_report_id_line_id'))
    )
    with op.batch_alter_table('grant_report_spending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_report_spending_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_report_spending_report_id'), ['report_id'], unique=False)


    op.create_table('grant_report_evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_grant_report_evaluations_judge_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['grant_reports.id'], name=op.f('fk_grant_report_evaluations_report_id_grant_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grant_report_evaluations')),
    sa.UniqueConstraint('report_id', 'judge_id', name=op.f('uq_grant_report_evaluations_report_id_judge_id'))
    )
    with op.batch_alter_table('grant_report_evaluations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grant_report_evaluations_judge_id'), ['judge_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_grant_report_evaluations_report_id'), ['report_id'], unique=False)


def downgrade():
    op.drop_table('grant_report_evaluations')
    with op.batch_alter_table('grant_report_spending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_report_spending_report_id'))
        batch_op.drop_index(batch_op.f('ix_grant_report_spending_line_id'))

    op.drop_table('grant_report_spending')
    with op.batch_alter_table('grant_report_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_report_attachments_report_id'))

    op.drop_table('grant_report_attachments')
    with op.batch_alter_table('grant_budget_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_budget_changes_grant_id'))

    op.drop_table('grant_budget_changes')
    with op.batch_alter_table('grant_tranches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_tranches_grant_id'))

    op.drop_table('grant_tranches')
    with op.batch_alter_table('grant_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_reports_status'))
        batch_op.drop_index(batch_op.f('ix_grant_reports_grant_id'))

    op.drop_table('grant_reports')
    with op.batch_alter_table('grant_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_milestones_grant_id'))

    op.drop_table('grant_milestones')
    with op.batch_alter_table('grant_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grant_lines_grant_id'))

    op.drop_table('grant_lines')
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grants_contest_id'))

    op.drop_table('grants')
