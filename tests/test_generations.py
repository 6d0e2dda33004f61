"""The named counters of portal.generations: each rises, in the transaction that changes one
of its tables, by an ORM flush or a bulk statement, and only then (issue 26: the contest
parts' counter beside the ranking inputs')."""
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.generations import CONTEST_PARTS, RANKING_INPUTS
from portal.judging.services import save_review
from portal.models import AwardTier, Contest, Criterion, EntrantType, RankingGeneration, Round, \
    Theme
from tests.factories import assign, make_judge, make_proposal

PARTS = {"contests": Contest, "criteria": Criterion, "rounds": Round, "themes": Theme,
         "entrant_types": EntrantType, "award_tiers": AwardTier}


def _counter():
    db.session.rollback()
    return CONTEST_PARTS.current()


def _first_row(contest, model):
    if model is Contest:
        return contest
    return db.session.scalars(db.select(model).filter_by(contest_id=contest.id)
                              .order_by(model.id)).first()


@pytest.mark.parametrize("table", sorted(PARTS))
def test_an_orm_change_of_each_part_raises_the_counter(contest, table):
    before = _counter()
    _first_row(contest, PARTS[table]).name_en = "Changed"
    assert CONTEST_PARTS.current() is None     # the session's own change is not committed
    db.session.commit()
    assert _counter() == before + 1


@pytest.mark.parametrize("table", sorted(PARTS))
def test_a_bulk_update_of_each_part_raises_the_counter(contest, table):
    model = PARTS[table]
    before = _counter()
    db.session.execute(db.update(model).where(model.id == _first_row(contest, model).id)
                       .values(name_en="Changed in bulk"))
    db.session.commit()
    assert _counter() == before + 1


def test_a_review_saved_leaves_the_parts_counter_but_raises_the_rankings(
        contest, applicant, organizer):
    judge = make_judge(contest)
    (assignment,) = assign(make_proposal(contest, applicant), judge, actor=organizer)
    parts, ranking = _counter(), RANKING_INPUTS.current()
    save_review(judge, assignment, {criterion.id: Decimal(7) for criterion in contest.criteria},
                "好", submit=True)
    db.session.commit()
    assert _counter() == parts
    assert RANKING_INPUTS.current() == ranking + 1


def test_a_rolled_back_change_leaves_the_counter(contest):
    before = _counter()
    contest.criteria[0].name_zh = "不会保存"
    db.session.flush()
    db.session.rollback()
    assert _counter() == before


def test_a_value_read_with_the_user_is_dropped_when_the_request_commits_a_change(app, contest):
    """A request that read the counter with its user and then commits a change of its own
    reads the counter again, not the value it began with."""
    db.session.commit()
    with app.test_request_context("/"):
        before = CONTEST_PARTS.current()
        CONTEST_PARTS.remember(before)
        assert CONTEST_PARTS.for_request() == before
        contest.rounds[0].name_en = "Changed"
        assert CONTEST_PARTS.for_request() is None
        db.session.commit()
        assert CONTEST_PARTS.for_request() == before + 1


def test_without_a_signed_in_user_the_counter_is_read_once_a_request(app, contest, count_queries):
    db.session.commit()
    with app.app_context(), app.test_request_context("/"):   # a request's own app context
        first = CONTEST_PARTS.for_request()
        with count_queries() as counted:
            assert CONTEST_PARTS.for_request() == first
        assert counted.total == 0
    # Outside a request (a job, a command) every call reads it afresh.
    assert CONTEST_PARTS.for_request() == first
    with db.engine.begin() as connection:
        connection.execute(db.update(RankingGeneration).where(RankingGeneration.id == 2)
                           .values(value=RankingGeneration.value + 1))
    db.session.rollback()
    assert CONTEST_PARTS.for_request() == first + 1
