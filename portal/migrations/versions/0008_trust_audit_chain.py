"""audit chain: each audit entry carries its hash and the previous entry's

Revision ID: 0008_trust_audit_chain
Revises: 0007_trust_certificates
Create Date: 2026-12-02 00:40:00

"""
from alembic import op
import sqlalchemy as sa

from portal.audit import chain


revision = '0008_trust_audit_chain'
down_revision = '0007_trust_certificates'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_events_entry_hash'),
                                          ['entry_hash'])
    # The entries recorded so far start the chain, in the order they were written.
    events = sa.table('audit_events', sa.column('id', sa.Integer), sa.column('at', sa.DateTime),
                      sa.column('actor_id', sa.Integer), sa.column('contest_id', sa.Integer),
                      sa.column('action', sa.String), sa.column('target_type', sa.String),
                      sa.column('target_id', sa.Integer), sa.column('detail', sa.JSON),
                      sa.column('previous_hash', sa.String), sa.column('entry_hash', sa.String))
    connection = op.get_bind()
    previous = chain.GENESIS
    rows = connection.execute(sa.select(events).order_by(events.c.id)).mappings().all()
    for row in rows:
        entry = {**row, "detail": chain.canonical_detail(row["detail"]),
                 "previous_hash": previous}
        entry_hash = chain.entry_hash(entry)
        connection.execute(events.update().where(events.c.id == row["id"]).values(
            detail=entry["detail"], previous_hash=previous, entry_hash=entry_hash))
        previous = entry_hash


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_events_entry_hash'), type_='unique')
        batch_op.drop_column('entry_hash')
        batch_op.drop_column('previous_hash')
