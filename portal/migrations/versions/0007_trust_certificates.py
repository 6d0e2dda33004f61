"""certificates: numbered, verifiable, revocable certificates for winners and team members

Revision ID: 0007_trust_certificates
Revises: 0006
Create Date: 2026-12-02 00:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_trust_certificates'
down_revision = '0007_ranking'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'certificates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=20), nullable=False),
        sa.Column('contest_id', sa.Integer(), nullable=False),
        sa.Column('proposal_id', sa.Integer(), nullable=False),
        sa.Column('tier_id', sa.Integer(), nullable=False),
        sa.Column('award_id', sa.Integer(), nullable=True),
        sa.Column('holder', sa.String(length=80), nullable=True),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.Column('revocation_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'],
                                name=op.f('fk_certificates_contest_id_contests'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'],
                                name=op.f('fk_certificates_proposal_id_proposals'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tier_id'], ['award_tiers.id'],
                                name=op.f('fk_certificates_tier_id_award_tiers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['award_id'], ['awards.id'],
                                name=op.f('fk_certificates_award_id_awards'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'],
                                name=op.f('fk_certificates_issued_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'],
                                name=op.f('fk_certificates_revoked_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
        sa.UniqueConstraint('number', name=op.f('uq_certificates_number')),
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificates_contest_id'), ['contest_id'],
                              unique=False)
        batch_op.create_index('ix_certificates_award_holder', ['award_id', 'holder'],
                              unique=False)


def downgrade():
    op.drop_table('certificates')
