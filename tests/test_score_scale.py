"""The database refuses a score outside its criterion's scale (migration 0019_score_scale's
triggers), whatever writes it; the portal's own paths write within the scale and still work."""
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import Numeric, bindparam, inspect, text
from sqlalchemy.exc import IntegrityError

import portal
from portal.extensions import db
from portal.models import Score
from tests import factories
from tests.test_migrations import _revision

TRIGGERS = {
    "sqlite": {"score_in_scale_on_insert", "score_in_scale_on_update",
               "criterion_scale_keeps_scores"},
    "postgresql": {"score_in_scale", "criterion_scale_keeps_scores"},
}
# Raw SQL with the column's type, so that each driver is given a value it can send.
SCORE = bindparam("value", type_=Numeric(6, 2))


def _triggers():
    if db.engine.dialect.name == "sqlite":
        found = text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    else:
        found = text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    return set(db.session.scalars(found))


@pytest.fixture
def draft(contest, applicant):
    """A draft review scoring the first criterion only (5): the second is free for raw SQL."""
    proposal = factories.make_proposal(contest, applicant)
    factories.close_submissions(contest)
    judge = factories.make_judge(contest)
    [assignment] = factories.assign(proposal, judge)
    return factories.review(assignment, 5, submit=False)


def _insert(review, criterion, value):
    db.session.execute(text("INSERT INTO scores (review_id, criterion_id, value) "
                            "VALUES (:review, :criterion, :value)").bindparams(SCORE),
                       {"review": review.id, "criterion": criterion.id, "value": value})
    db.session.flush()


def _set_scale(criterion, low, high, step):
    db.session.execute(text("UPDATE criteria SET scale_min = :low, scale_max = :high, "
                            "scale_step = :step WHERE id = :id")
                       .bindparams(*(bindparam(name, type_=Numeric(6, 2))
                                     for name in ("low", "high", "step"))),
                       {"low": Decimal(low), "high": Decimal(high), "step": Decimal(step),
                        "id": criterion.id})
    db.session.commit()


def test_the_triggers_are_in_the_migrated_database(app_context):
    # A batch rebuild of scores or criteria on SQLite drops them: this is where it shows.
    assert TRIGGERS[db.engine.dialect.name] <= _triggers()
    assert "ix_scores_criterion_id" in {index["name"] for index in
                                        inspect(db.engine).get_indexes("scores")}


@pytest.mark.parametrize("value", ["0", "10.5", "11", "-3", "3.5"])
def test_a_score_outside_the_scale_is_refused(draft, value):
    criterion = draft.assignment.proposal.contest.criteria[1]  # 1 to 10 in whole steps
    with pytest.raises(IntegrityError, match="score_in_scale"):
        _insert(draft, criterion, Decimal(value))
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Score.id))) == 1


@pytest.mark.parametrize("value", ["1", "10", "7"])
def test_a_score_within_the_scale_is_stored(draft, value):
    criterion = draft.assignment.proposal.contest.criteria[1]
    _insert(draft, criterion, Decimal(value))
    db.session.commit()
    assert db.session.scalar(db.select(Score.value).filter_by(
        review_id=draft.id, criterion_id=criterion.id)) == Decimal(value)


@pytest.mark.parametrize("step,value,fits", [
    ("0.5", "0.5", True), ("0.5", "4.5", True), ("0.5", "5", True), ("0.5", "4.75", False),
    ("0.5", "4.51", False), ("0.5", "5.5", False), ("0.01", "4.99", True), ("1.5", "3.5", True),
    ("1.5", "3", False)])
def test_the_step_counts_from_the_lowest_score(draft, step, value, fits):
    criterion = draft.assignment.proposal.contest.criteria[1]
    _set_scale(criterion, "0.5", "5", step)
    if fits:
        _insert(draft, criterion, Decimal(value))
        db.session.commit()
    else:
        with pytest.raises(IntegrityError, match="score_in_scale"):
            _insert(draft, criterion, Decimal(value))
        db.session.rollback()


def test_a_score_cannot_be_moved_outside_the_scale(draft):
    score = draft.scores[0]
    with pytest.raises(IntegrityError, match="score_in_scale"):
        db.session.execute(text("UPDATE scores SET value = 12 WHERE id = :id"), {"id": score.id})
    db.session.rollback()
    db.session.execute(text("UPDATE scores SET value = 9 WHERE id = :id"), {"id": score.id})
    db.session.commit()
    db.session.refresh(score)
    assert score.value == Decimal(9)


def test_a_scale_that_would_leave_scores_outside_is_refused(draft):
    criterion = draft.scores[0].criterion  # scored 5
    for low, high, step in (("6", "10", "1"), ("1", "4", "1"), ("1", "10", "3")):
        with pytest.raises(IntegrityError, match="score_in_scale"):
            _set_scale(criterion, low, high, step)
        db.session.rollback()
    _set_scale(criterion, "0", "20", "0.5")  # 5 still fits
    db.session.refresh(criterion)
    assert (criterion.scale_min, criterion.scale_max) == (Decimal(0), Decimal(20))


def test_the_score_service_still_saves_and_revises(draft):
    criteria = draft.assignment.proposal.contest.criteria
    values = [10, 1] + [7] * (len(criteria) - 2)
    review = factories.review(draft.assignment, *values)
    assert sorted(score.value for score in review.scores) == sorted(map(Decimal, values))
    review = factories.review(draft.assignment, *([3] * len(criteria)))
    assert {score.value for score in review.scores} == {Decimal(3)}


def _before_this_migration():
    scripts = ScriptDirectory(str(Path(portal.__file__).parent / "migrations"))
    return scripts.get_revision("0019_score_scale").down_revision


def test_scores_outside_their_scale_are_listed_and_nothing_changes(fresh_database):
    with fresh_database.app_context():
        upgrade(revision=_before_this_migration())
        contest = factories.make_contest()
        proposal = factories.make_proposal(contest, factories.make_user("a@example.org"))
        factories.close_submissions(contest)
        judge, other = (factories.make_judge(contest, email) for email in
                        ("j1@example.org", "j2@example.org"))
        fine, broken = factories.assign(proposal, judge, other)
        factories.review(fine, *([6] * len(contest.criteria)))
        review = factories.review(broken, *([6] * len(contest.criteria)))
        outside = sorted(score.id for score in review.scores[:2])
        db.session.execute(text("UPDATE scores SET value = 11 WHERE id = :id"),
                           {"id": outside[0]})
        db.session.execute(text("UPDATE scores SET value = 6.5 WHERE id = :id"),
                           {"id": outside[1]})
        db.session.commit()
        db.session.remove()

        with pytest.raises(Exception, match="nothing was changed") as refused:
            upgrade()
        assert f"scores ids {outside[0]}, {outside[1]}\n" in str(refused.value) + "\n"
        db.session.remove()
        assert _revision() == _before_this_migration()
        assert not TRIGGERS[db.engine.dialect.name] & _triggers()

        db.session.execute(text("UPDATE scores SET value = 6"))
        db.session.commit()
        db.session.remove()
        upgrade()
        assert TRIGGERS[db.engine.dialect.name] <= _triggers()
        with pytest.raises(IntegrityError, match="score_in_scale"):
            db.session.execute(text("UPDATE scores SET value = 11 WHERE id = :id"),
                               {"id": outside[0]})
        db.session.rollback()
