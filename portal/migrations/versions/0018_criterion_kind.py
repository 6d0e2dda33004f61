"""criterion kind: what a criterion's score is, a number on a scale or a yes-or-no answer

Revision ID: 0018_criterion_kind
Revises: 0017_constraints
Create Date: 2026-12-02 08:00:00

Every existing criterion becomes a 'scale', the only kind there was, so existing contests
score, rank and export as before. The kinds are copied here, not imported from
portal.rules.criteria: a migration stays what it was when written.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018_criterion_kind'
down_revision = '0017_constraints'
branch_labels = None
depends_on = None

KINDS = ('scale', 'yes_no')


def upgrade():
    with op.batch_alter_table('criteria') as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='scale',
                                      nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_criteria_kind'),
            f"kind IN ({', '.join(repr(kind) for kind in KINDS)})")


def downgrade():
    with op.batch_alter_table('criteria') as batch_op:
        batch_op.drop_constraint(op.f('ck_criteria_kind'), type_='check')
        batch_op.drop_column('kind')
