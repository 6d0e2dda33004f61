"""contest parts counter: a second row of ranking_generation, raised by every change of a
contest's row, criteria, rounds, themes, entrant types or award tiers (portal.generations)

Revision ID: 0021_contest_parts_counter
Revises: 0020_award_proposals
Create Date: 2026-12-02 14:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0021_contest_parts_counter'
down_revision = '0020_award_proposals'
branch_labels = None
depends_on = None

CONTEST_PARTS_ROW = 2


def upgrade():
    # Only when missing: restoring a backup older than this writes the row itself, past the
    # value the replaced database had reached (portal.generations.move_counters_past).
    op.execute(sa.text(
        "INSERT INTO ranking_generation (id, value) SELECT :id, 0 WHERE NOT EXISTS "
        "(SELECT 1 FROM ranking_generation WHERE id = :id)").bindparams(id=CONTEST_PARTS_ROW))


def downgrade():
    op.execute(sa.text("DELETE FROM ranking_generation WHERE id = :id")
               .bindparams(id=CONTEST_PARTS_ROW))
