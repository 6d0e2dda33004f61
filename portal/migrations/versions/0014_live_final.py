"""live final (路演): sessions, running order, undo log, score receipts

Revision ID: 0014_live
Revises: 0013_prepared_files
Create Date: 2026-12-02 03:38:51.750576

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_live'
down_revision = '0013_prepared_files'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('activity', sa.Integer(), nullable=False),
    sa.Column('current_pitch_id', sa.Integer(), nullable=True),
    sa.Column('present_seconds', sa.Integer(), nullable=False),
    sa.Column('qa_seconds', sa.Integer(), nullable=False),
    sa.Column('timer_elapsed', sa.Float(), nullable=False),
    sa.Column('timer_started_at', sa.DateTime(), nullable=True),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('show_judge_codes', sa.Boolean(), nullable=False),
    sa.Column('audience_public', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('screen_token', sa.String(length=64), nullable=False),
    sa.Column('final_step', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("rule IN ('mean', 'trimmed', 'official')", name=op.f('ck_live_sessions_rule_known')),
    sa.CheckConstraint("state IN ('waiting', 'presenting', 'qa', 'scoring_open', 'scoring_closed', 'revealed', 'ranking')", name=op.f('ck_live_sessions_state_known')),
    sa.CheckConstraint('present_seconds > 0 AND qa_seconds > 0', name=op.f('ck_live_sessions_times_positive')),
    sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_live_sessions_contest_id_contests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_live_sessions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_live_sessions_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_sessions')),
    sa.UniqueConstraint('round_id', name=op.f('uq_live_sessions_round_id')),
    sa.UniqueConstraint('screen_token', name=op.f('uq_live_sessions_screen_token'))
    )
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_sessions_contest_id'), ['contest_id'], unique=False)

    op.create_table('live_pitches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reminded', sa.JSON(), nullable=True),
    sa.Column('revealed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'current', 'done', 'no_show', 'skipped')", name=op.f('ck_live_pitches_status_known')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_live_pitches_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_pitches_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_pitches')),
    sa.UniqueConstraint('session_id', 'proposal_id', name=op.f('uq_live_pitches_session_id_proposal_id'))
    )
    with op.batch_alter_table('live_pitches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_pitches_session_id'), ['session_id'], unique=False)

    op.create_table('live_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('undone_at', sa.DateTime(), nullable=True),
    sa.Column('undo_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_live_steps_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_steps_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_steps'))
    )
    with op.batch_alter_table('live_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_steps_session_id'), ['session_id'], unique=False)

    op.create_table('live_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('pitch_id', sa.Integer(), nullable=False),
    sa.Column('judge_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['judge_id'], ['users.id'], name=op.f('fk_live_receipts_judge_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pitch_id'], ['live_pitches.id'], name=op.f('fk_live_receipts_pitch_id_live_pitches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_receipts_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_receipts')),
    sa.UniqueConstraint('session_id', 'judge_id', 'key', name=op.f('uq_live_receipts_session_id_judge_id_key'))
    )
    with op.batch_alter_table('live_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_receipts_session_id'), ['session_id'], unique=False)



def downgrade():
    with op.batch_alter_table('live_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_receipts_session_id'))

    op.drop_table('live_receipts')
    with op.batch_alter_table('live_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_steps_session_id'))

    op.drop_table('live_steps')
    with op.batch_alter_table('live_pitches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_pitches_session_id'))

    op.drop_table('live_pitches')
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_sessions_contest_id'))

    op.drop_table('live_sessions')
