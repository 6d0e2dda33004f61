"""invitation sent: invitations that wait to be sent (last edition's judges)

Revision ID: 0010_trust_invitation_sent
Revises: 0009_trust_mail_templates
Create Date: 2026-12-02 01:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_trust_invitation_sent'
down_revision = '0009_trust_mail_templates'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_at', sa.DateTime(), nullable=True))
    # Every invitation so far was emailed when it was made.
    op.execute("UPDATE invitations SET sent_at = created_at")


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('sent_at')
