"""pinyin collation: on PostgreSQL with ICU, a collation of the portal's own that orders Chinese
by pinyin and numbers by value (专家2 before 专家10), as Python's text_order and the SQLite
collation do; ICU's plain zh-Hans-x-icu compares digits one by one (portal.database)

Revision ID: 0022_pinyin_collation
Revises: 0021_contest_parts_counter
Create Date: 2026-12-02 17:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0022_pinyin_collation'
down_revision = '0021_contest_parts_counter'
branch_labels = None
depends_on = None

# The collation is portal.database.POSTGRESQL_PINYIN, written out in the statements (a name,
# which cannot be a bound parameter; a migration keeps its own copy: the module may change).


def _postgresql_with_icu():
    bind = op.get_bind()
    return bind.dialect.name == "postgresql" and bind.execute(sa.text(
        "SELECT 1 FROM pg_collation WHERE collprovider = 'i' LIMIT 1")).first() is not None


def upgrade():
    if _postgresql_with_icu():
        op.execute("CREATE COLLATION IF NOT EXISTS portal_pinyin "
                   "(provider = icu, locale = 'zh-Hans-u-kn-true')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP COLLATION IF EXISTS portal_pinyin")
