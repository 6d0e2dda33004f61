"""outbox and bulk sends: emails stored with the action that caused them, delivered by a job

Revision ID: 0011_jobs
Revises: 0010_trust_invitation_sent
Create Date: 2026-12-02 00:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = '0011_jobs'
down_revision = '0010_trust_invitation_sent'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'outbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('recipient', sa.String(length=320), nullable=False),
        sa.Column('subject', sa.Text(), nullable=False),
        sa.Column('text_body', sa.Text(), nullable=False),
        sa.Column('html_body', sa.Text(), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('batch', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages')),
        sa.UniqueConstraint('message_id', name=op.f('uq_outbox_messages_message_id')),
    )
    op.create_index('ix_outbox_messages_due', 'outbox_messages', ['status', 'next_attempt_at'])
    op.create_index(op.f('ix_outbox_messages_batch'), 'outbox_messages', ['batch'])
    op.create_index(op.f('ix_outbox_messages_created_at'), 'outbox_messages', ['created_at'])
    op.create_table(
        'mail_batches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('arguments', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('prepared_at', sa.DateTime(), nullable=True),
        sa.Column('messages_batch', sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_batches')),
    )


def downgrade():
    op.drop_table('mail_batches')
    op.drop_table('outbox_messages')
