"""constraints: the database keeps the rules the code relies on (statuses, ranges, one per key)

Revision ID: 0017_constraints
Revises: 0016_chairs
Create Date: 2026-12-02 04:00:00

Before anything changes, every rule is checked against the rows already there: when rows break
one, the upgrade stops with the list (table, ids, rule) and changes nothing. Fix the rows (the
organizer console, or SQL), then upgrade again.

The rules are copied here, not imported from the models: a migration stays what it was when
written. tests/test_migrations.py checks that the models declare the same ones.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.sql.elements import Grouping


revision = '0017_constraints'
down_revision = '0016_chairs'
branch_labels = None
depends_on = None


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


# table -> [(constraint name, SQL condition)]
CHECKS = {
    'contests': [
        ('deadline_after_opening', 'submission_deadline > opens_at'),
        ('proposal_limit', 'proposal_limit >= 1'),
        ('objection_days', 'objection_days >= 0'),
        ('reference_counter', 'reference_counter >= 0'),
        ('ranking_boundary', 'ranking_boundary IS NULL OR ranking_boundary >= 1'),
        ('funding_pool', 'funding_pool IS NULL OR funding_pool >= 0'),
    ],
    'criteria': [
        ('weight', 'weight > 0'),
        ('scale', 'scale_min < scale_max'),
        ('scale_step', 'scale_step > 0'),
    ],
    'rounds': [
        ('window', 'opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at'),
    ],
    'award_tiers': [
        ('count', 'count >= 1'),
        ('scope', _one_of('scope', ('overall', 'per_theme'))),
        ('grant_amount', 'grant_amount IS NULL OR grant_amount >= 0'),
    ],
    'invitations': [
        ('role', _one_of('role', ('judge', 'organizer', 'chair'))),
        ('contest_of_role', "(role IN ('judge', 'chair') AND contest_id IS NOT NULL) "
                            "OR (role = 'organizer' AND contest_id IS NULL)"),
    ],
    'site_settings': [
        ('one_row', 'id = 1'),
    ],
    'proposals': [
        ('status', _one_of('status', ('draft', 'submitted', 'returned', 'withdrawn', 'eligible',
                                      'ineligible', 'advanced', 'awarded'))),
        ('beneficiary_count', 'beneficiary_count IS NULL OR beneficiary_count >= 0'),
        ('budget_total', 'budget_total IS NULL OR budget_total >= 0'),
    ],
    'budget_lines': [
        ('amount', 'amount >= 0'),
    ],
    'attachments': [
        ('size', 'size >= 0'),
    ],
    'conflicts': [
        ('kind', _one_of('kind', ('declared_proposal', 'declared_organization', 'organizer',
                                  'waiver'))),
        ('target', "(kind = 'declared_organization' AND organization IS NOT NULL) "
                   "OR (kind <> 'declared_organization' AND proposal_id IS NOT NULL)"),
    ],
    'awards': [
        ('grant', '"grant" IS NULL OR "grant" >= 0'),
    ],
    'publications': [
        ('stage', _one_of('stage', ('provisional', 'final'))),
    ],
    'outbox_messages': [
        ('status', _one_of('status', ('queued', 'sent', 'failed'))),
        ('attempts', 'attempts >= 0'),
    ],
}

# table -> [columns that must be unique together (rows with a NULL among them are exempt)]
UNIQUES = {
    'conflicts': [('judge_id', 'proposal_id', 'kind')],
}


class RowsBreakConstraints(Exception):
    """Rows already in the database break rules this migration adds; nothing was changed."""


def _violations(connection):
    """Lines naming the table, the ids and the rule of every row that breaks a new rule."""
    found = []
    for table, checks in CHECKS.items():
        for name, condition in checks:
            # NOT (condition) is unknown, not true, where the condition is unknown: exactly the
            # rows a CHECK constraint accepts are left out.
            # Built as a select of the migration's own names, not as SQL text from strings.
            rows_table = sa.table(table, sa.column('id'))
            ids = connection.execute(
                sa.select(rows_table.c.id).where(sa.not_(Grouping(sa.literal_column(condition))))
                .order_by(rows_table.c.id)).scalars().all()
            if ids:
                found.append(f"{table} ids {_listed(ids)}: breaks ck_{table}_{name} "
                             f"({condition})")
    for table, keys in UNIQUES.items():
        for columns in keys:
            listed = ', '.join(columns)
            rows_table = sa.table(table, sa.column('id'), *(sa.column(c) for c in columns))
            keyed = [rows_table.c[column] for column in columns]
            rows = connection.execute(
                sa.select(rows_table.c.id, *keyed)
                .where(*(column.is_not(None) for column in keyed))
                .order_by(*keyed, rows_table.c.id)).all()
            groups = {}
            for row in rows:
                groups.setdefault(tuple(row[1:]), []).append(row[0])
            for key, ids in groups.items():
                if len(ids) > 1:
                    found.append(f"{table} ids {_listed(ids)}: share ({listed}) = {key}, "
                                 f"which must be unique")
    return found


def _listed(ids, most=20):
    shown = ', '.join(str(row_id) for row_id in ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else '')


def upgrade():
    problems = _violations(op.get_bind())
    if problems:
        raise RowsBreakConstraints(
            "Migration 0016 adds rules that rows in this database break; nothing was changed. "
            "Correct or remove these rows, then upgrade again:\n  " + '\n  '.join(problems))
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(op.f(f'ck_{table}_{name}'), condition)
            for columns in UNIQUES.get(table, []):
                batch_op.create_unique_constraint(
                    op.f(f"uq_{table}_{'_'.join(columns)}"), list(columns))


def downgrade():
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch_op:
            for columns in UNIQUES.get(table, []):
                batch_op.drop_constraint(op.f(f"uq_{table}_{'_'.join(columns)}"), type_='unique')
            for name, _condition in checks:
                batch_op.drop_constraint(op.f(f'ck_{table}_{name}'), type_='check')
