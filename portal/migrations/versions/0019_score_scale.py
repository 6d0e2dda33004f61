"""score scale: the database refuses a score outside its criterion's scale (min, max, step)

Revision ID: 0019_score_scale
Revises: 0017_constraints
Create Date: 2026-12-02 08:00:00

The rule spans two tables (scores and criteria), which a CHECK constraint cannot, so it is
kept by triggers, on SQLite and on PostgreSQL alike:
- a score inserted, or updated (its value or its criterion), must lie within its criterion's
  scale: scale_min <= value <= scale_max, and a whole number of scale_step from scale_min;
- a criterion's scale may change only while every score of it lies within the new scale.
(The portal itself refuses any change of scale once a criterion has scores, see
portal.contests.parts: the database keeps the weaker rule, that no score is ever outside.)

Before anything changes, the scores already there are checked: when some lie outside their
criterion's scale, the upgrade stops with their ids and changes nothing. Fix the scores or the
scales, then upgrade again.

On PostgreSQL the score's trigger reads its criterion FOR SHARE: a change of that criterion's
scale in another transaction waits for this one to end (and the reverse), so two concurrent
writes cannot each pass against the other's old state.

On SQLite, a later migration that rebuilds `scores` or `criteria` in batch mode (copy, drop,
rename) must drop these triggers first and create them again after: dropping a table drops its
triggers, and renaming a table fails while a trigger names a missing one.
tests/test_score_scale.py fails when the triggers are missing.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.sql.elements import Grouping


revision = '0019_score_scale'
down_revision = '0018_criterion_kind'
branch_labels = None
depends_on = None


# A score `s` fits its criterion `c`. SQLite's `%` works on integers and `/` on two integers
# divides as integers, hence the real quotient and its distance to a whole number (the columns
# hold two decimals: the smallest true distance is far above 1e-7).
FITS = {
    'sqlite': "s.value >= c.scale_min AND s.value <= c.scale_max AND (c.scale_step IS NULL OR "
              "abs((s.value - c.scale_min) * 1.0 / c.scale_step "
              "- round((s.value - c.scale_min) * 1.0 / c.scale_step)) < 1e-7)",
    'postgresql': "s.value >= c.scale_min AND s.value <= c.scale_max AND (c.scale_step IS NULL "
                  "OR mod(s.value - c.scale_min, c.scale_step) = 0)",
}

# The scores a trigger guards, joined to their criterion: the new score (NEW.id) on `scores`,
# the criterion's scores (NEW.id) on `criteria`. A trigger looks for those that break FITS, so
# the triggers and the check before the upgrade apply one condition. Every piece is this
# module's constant text: no value enters the DDL.
_OF_SCORE = "SELECT 1 FROM scores s JOIN criteria c ON c.id = s.criterion_id WHERE s.id = NEW.id"
_OF_CRITERION = ("SELECT 1 FROM scores s JOIN criteria c ON c.id = s.criterion_id "
                 "WHERE c.id = NEW.id")
_SQLITE_REFUSAL = " BEGIN SELECT RAISE(ABORT, 'score_in_scale: {}'); END"


def _sqlite_trigger(name, event, guarded, refusal):
    return (f"CREATE TRIGGER {name} {event} WHEN EXISTS ({guarded} AND NOT ("
            + FITS['sqlite'] + "))" + _SQLITE_REFUSAL.format(refusal))


def _postgresql_function(name, guarded, lock, message, *values):
    return (f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {lock} "
            f"IF EXISTS ({guarded} AND NOT (" + FITS['postgresql'] + ")) THEN "
            f"RAISE EXCEPTION 'score_in_scale: {message}', {', '.join(values)} "
            "USING ERRCODE = 'check_violation', CONSTRAINT = 'score_in_scale'; "
            "END IF; RETURN NULL; END $$")


CREATE = {
    'sqlite': [
        _sqlite_trigger('score_in_scale_on_insert', 'AFTER INSERT ON scores', _OF_SCORE,
                        "a score lies outside its criterion''s scale"),
        _sqlite_trigger('score_in_scale_on_update',
                        'AFTER UPDATE OF value, criterion_id ON scores', _OF_SCORE,
                        "a score lies outside its criterion''s scale"),
        _sqlite_trigger('criterion_scale_keeps_scores',
                        'AFTER UPDATE OF scale_min, scale_max, scale_step ON criteria',
                        _OF_CRITERION, "the criterion has scores outside this scale"),
    ],
    'postgresql': [
        # The criterion read FOR SHARE: a concurrent change of its scale waits for this
        # transaction, and one committed meanwhile is what the check then reads.
        _postgresql_function('score_in_scale', _OF_SCORE,
                             "PERFORM 1 FROM criteria WHERE id = NEW.criterion_id FOR SHARE;",
                             "score % (%) lies outside the scale of criterion %",
                             "NEW.id", "NEW.value", "NEW.criterion_id"),
        "CREATE TRIGGER score_in_scale AFTER INSERT OR UPDATE OF value, criterion_id "
        "ON scores FOR EACH ROW EXECUTE FUNCTION score_in_scale()",
        _postgresql_function('criterion_scale_keeps_scores', _OF_CRITERION, "",
                             "criterion % has scores outside this scale", "NEW.id"),
        "CREATE TRIGGER criterion_scale_keeps_scores "
        "AFTER UPDATE OF scale_min, scale_max, scale_step ON criteria "
        "FOR EACH ROW EXECUTE FUNCTION criterion_scale_keeps_scores()",
    ],
}

DROP = {
    'sqlite': [
        'DROP TRIGGER IF EXISTS criterion_scale_keeps_scores',
        'DROP TRIGGER IF EXISTS score_in_scale_on_update',
        'DROP TRIGGER IF EXISTS score_in_scale_on_insert',
    ],
    'postgresql': [
        'DROP TRIGGER IF EXISTS criterion_scale_keeps_scores ON criteria',
        'DROP FUNCTION IF EXISTS criterion_scale_keeps_scores()',
        'DROP TRIGGER IF EXISTS score_in_scale ON scores',
        'DROP FUNCTION IF EXISTS score_in_scale()',
    ],
}


class ScoresOutsideScale(Exception):
    """Scores already in the database lie outside their criterion's scale; nothing was changed."""


def _outside(connection):
    """Ids of the scores outside their criterion's scale, by id."""
    scores = sa.table('scores', sa.column('id'), sa.column('criterion_id')).alias('s')
    criteria = sa.table('criteria', sa.column('id')).alias('c')
    return connection.execute(
        sa.select(scores.c.id)
        .join(criteria, criteria.c.id == scores.c.criterion_id)
        .where(sa.not_(Grouping(sa.literal_column(FITS[connection.dialect.name]))))
        .order_by(scores.c.id)).scalars().all()


def _listed(ids, most=20):
    shown = ', '.join(str(row_id) for row_id in ids[:most])
    return shown + (f" and {len(ids) - most} more" if len(ids) > most else '')


def upgrade():
    connection = op.get_bind()
    outside = _outside(connection)
    if outside:
        raise ScoresOutsideScale(
            "Migration 0019 makes the database refuse a score outside its criterion's scale, "
            "and these scores already are; nothing was changed. Correct them (or the "
            f"criteria's scales), then upgrade again:\n  scores ids {_listed(outside)}")
    # Beside the foreign key: the criterion's trigger looks up its scores.
    op.create_index(op.f('ix_scores_criterion_id'), 'scores', ['criterion_id'])
    for statement in CREATE[connection.dialect.name]:
        op.execute(statement)


def downgrade():
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_index(op.f('ix_scores_criterion_id'), table_name='scores')
