"""mail templates: organizers' own wording of the portal's emails

Revision ID: 0009_trust_mail_templates
Revises: 0008_trust_audit_chain
Create Date: 2026-12-02 01:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_trust_mail_templates'
down_revision = '0008_trust_audit_chain'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('locale', sa.String(length=10), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_mail_templates_updated_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_templates')),
        sa.UniqueConstraint('kind', 'locale', name=op.f('uq_mail_templates_kind_locale')),
    )


def downgrade():
    op.drop_table('mail_templates')
