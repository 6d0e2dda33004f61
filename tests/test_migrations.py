"""The committed migrations build exactly the schema the models describe."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import CheckConstraint, func, inspect, text
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.models import BudgetLine, Conflict, ConflictKind, Proposal, Theme
from tests import factories


def test_the_migrated_database_matches_the_models(app_context):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "run `flask --app portal db migrate` and commit the script"


def test_sqlite_is_set_up_for_concurrent_writers(app_context):
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        # A page cache that holds a judge's list's pages between requests (issue 26).
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -16000


def _declared_checks(table):
    return {constraint.name for constraint in table.constraints
            if isinstance(constraint, CheckConstraint)}


def test_the_database_has_the_check_constraints_the_models_declare(app_context):
    # Alembic's comparison leaves CHECK constraints out: compared here by name, table by table.
    inspector = inspect(db.engine)
    declared = {table.name: _declared_checks(table) for table in db.metadata.sorted_tables}
    found = {name: {check["name"] for check in inspector.get_check_constraints(name)}
             for name in declared}
    assert found == declared
    assert "ck_proposals_status" in declared["proposals"]


def _revision():
    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def test_rows_that_break_a_new_constraint_are_listed_and_nothing_changes(fresh_database):
    with fresh_database.app_context():
        # The rows are made by the factories on today's schema, then the database goes back
        # to before the constraints (the factories follow the models, which later migrations
        # change: criteria.kind came with 0018).
        upgrade()
        contest = factories.make_contest()
        applicant = factories.make_user("applicant@example.org")
        fine = factories.make_proposal(contest, applicant, title="好的")
        broken = factories.make_proposal(contest, applicant, title="坏的")
        judge = factories.make_judge(contest)
        db.session.commit()
        criteria = [row.id for row in contest.criteria]
        fine_id, broken_id, theme_count = fine.id, broken.id, len(contest.themes)
        contest_id, judge_id = contest.id, judge.id
        db.session.remove()
        downgrade(revision="0016_chairs")
        for _twice in range(2):
            db.session.add(Conflict(contest_id=contest_id, judge_id=judge_id,
                                    proposal_id=fine_id, kind=ConflictKind.ORGANIZER))
        db.session.commit()
        db.session.execute(text("UPDATE proposals SET status = 'lost' WHERE id = :id"),
                           {"id": broken_id})
        db.session.execute(text("UPDATE criteria SET scale_min = 20"))
        db.session.commit()
        conflicts = db.session.scalars(db.select(Conflict.id).order_by(Conflict.id)).all()
        db.session.remove()

        with pytest.raises(Exception, match="nothing was changed") as refused:
            upgrade()
        message = str(refused.value)
        assert f"proposals ids {broken_id}: breaks ck_proposals_status" in message
        assert f"criteria ids {', '.join(map(str, criteria))}: breaks ck_criteria_scale " \
            in message
        assert f"conflicts ids {conflicts[0]}, {conflicts[1]}: share (judge_id, proposal_id, " \
               "kind)" in message
        assert str(fine_id) not in message.split("proposals ids")[1].split(":")[0]
        db.session.remove()
        assert _revision() == "0016_chairs"
        assert inspect(db.engine).get_check_constraints("proposals") == []

        db.session.execute(text("UPDATE proposals SET status = 'submitted'"))
        db.session.execute(text("UPDATE criteria SET scale_min = 1"))
        db.session.execute(text("DELETE FROM conflicts WHERE id = :id"), {"id": conflicts[1]})
        db.session.commit()
        db.session.remove()
        upgrade(revision="0017_constraints")
        assert _revision() == "0017_constraints"
        # Rebuilding a table on SQLite kept the rows that reference it.
        assert db.session.scalar(db.select(func.count(BudgetLine.id))) > 0
        assert db.session.scalar(db.select(func.count(Theme.id))) == theme_count
        assert db.session.scalar(db.select(func.count(Proposal.id))) == 2
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE proposals SET status = 'lost'"))
        db.session.rollback()


def test_existing_criteria_become_scales_and_the_kind_is_checked(fresh_database):
    with fresh_database.app_context():
        upgrade()
        contest = factories.make_contest()
        db.session.commit()
        count = len(contest.criteria)
        db.session.remove()
        downgrade(revision="0017_constraints")
        assert "kind" not in {column["name"] for column in inspect(db.engine).get_columns(
            "criteria")}
        upgrade()
        assert db.session.execute(text("SELECT kind, count(*) FROM criteria GROUP BY kind")) \
            .all() == [("scale", count)]
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE criteria SET kind = 'stars'"))
        db.session.rollback()
