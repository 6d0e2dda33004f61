"""A round's ranking is computed once per change of its inputs, never served stale."""
import gc
import runpy
from decimal import Decimal
from pathlib import Path

import pytest

from portal.extensions import db
from portal.models import Assignment, RankingSnapshot, Score
from portal.results import ranking as ranking_module
from portal.results.generation import current_generation, freeze_long_lived
from portal.results.ranking import round_ranking
from tests.factories import count_calls
from tests.test_results import build_contest


@pytest.fixture
def computations(monkeypatch):
    """How many times the ranking engine ran."""
    return count_calls(monkeypatch, ranking_module, "compute_ranking")


def _assignment_of(proposal):
    return db.session.scalars(db.select(Assignment).filter_by(proposal_id=proposal.id)).first()


def test_a_second_view_reuses_the_ranking(contest, organizer, computations):
    build_contest(contest, organizer)
    db.session.commit()
    first = round_ranking(contest)
    again = round_ranking(contest)
    assert len(computations) == 1
    assert again.result is first.result and again.intervals == first.intervals


def test_a_changed_score_is_ranked_at_once(contest, organizer, computations):
    a, b, c, d = build_contest(contest, organizer)
    db.session.commit()
    before = round_ranking(contest).result
    assert [item.proposal_id for item in before.rows[:1]] == [b.id]
    for score in _assignment_of(b).review.scores:
        score.value = Decimal(1)
    assert current_generation() is None        # the session's own change is not committed
    db.session.commit()
    after = round_ranking(contest).result
    assert len(computations) == 2
    assert after.rows[-1].proposal_id in (b.id, d.id)
    assert [item.proposal_id for item in after.rows[:1]] != [b.id]


def test_a_rolled_back_change_keeps_the_ranking(contest, organizer, computations):
    a, b, c, d = build_contest(contest, organizer)
    db.session.commit()
    generation = current_generation()
    round_ranking(contest)
    b.title = "改过的标题"
    db.session.rollback()
    assert current_generation() == generation
    round_ranking(contest)
    assert len(computations) == 1


def test_a_judges_new_organization_counts_but_a_new_session_does_not(contest, organizer):
    a, b, c, d = build_contest(contest, organizer)
    db.session.commit()
    generation = current_generation()
    judge = _assignment_of(b).judge
    judge.session_token = "a new session"
    db.session.commit()
    assert current_generation() == generation
    # Now the judge works where b's applicant does: their review of b, its only one, stops
    # counting.
    assert b.organization
    judge.organization = b.organization
    db.session.commit()
    assert current_generation() == generation + 1
    assert b.id not in {item.proposal_id for item in round_ranking(contest).result.rows
                        if item.review_count}


def test_bulk_statements_count(contest, organizer, computations):
    build_contest(contest, organizer)
    db.session.commit()
    generation = current_generation()
    db.session.execute(db.update(Score).values(value=Decimal(5)))
    db.session.commit()
    assert current_generation() == generation + 1
    assert {item.score for item in round_ranking(contest).result.rows
            if item.review_count} == {5.0}


def test_the_ranked_list_stores_the_uncertainty_and_then_reuses_it(
        client, auth, contest, organizer, monkeypatch):
    build_contest(contest, organizer)
    db.session.commit()
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/ranking"
    assert client.get(url).status_code == 200
    assert db.session.scalar(db.select(RankingSnapshot.round_id)) == contest.current_round.id
    ranking_module.forget_computed_rankings()   # another worker: reads the stored figures

    def no_uncertainty(*_args, **_kwargs):
        raise AssertionError("the stored uncertainty figures should have been used")

    monkeypatch.setattr(ranking_module, "rank_uncertainty", no_uncertainty)
    assert client.get(url).status_code == 200


def test_the_stored_figures_are_parsed_once_per_fingerprint(client, auth, contest, organizer):
    """The ranked list reads the snapshot's fingerprint on each view and its figures (JSON,
    8 ms at 10,000 proposals) only when the fingerprint is new to the process."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    _a, b, _c, _d = build_contest(contest, organizer)
    db.session.commit()
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/ranking"
    assert client.get(url).status_code == 200
    read = []

    def note(_connection, _cursor, statement, *_args):
        read.append(statement)

    def payload_reads():
        return len([statement for statement in read if "payload" in statement])

    event.listen(Engine, "before_cursor_execute", note)   # the requests' app has its own
    try:
        assert client.get(url).status_code == 200 and client.get(url).status_code == 200
        assert any("ranking_snapshots" in statement for statement in read)
        assert payload_reads() == 0     # the figures this process computed
        ranking_module.forget_computed_rankings()    # another worker: parses them once
        assert client.get(url).status_code == 200 and client.get(url).status_code == 200
        assert payload_reads() == 1
        for score in _assignment_of(b).review.scores:
            score.value = Decimal(1)
        db.session.commit()
        assert client.get(url).status_code == 200   # new scores: new figures
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    snapshot = db.session.scalars(db.select(RankingSnapshot)).one()
    fingerprint, intervals = ranking_module.stored_intervals(contest.current_round.id)
    assert fingerprint == snapshot.fingerprint
    assert intervals == {int(key): value for key, value in snapshot.payload["intervals"].items()}


def test_without_the_counter_row_nothing_is_cached(contest, organizer, computations):
    build_contest(contest, organizer)
    db.session.commit()
    db.session.execute(db.text("DELETE FROM ranking_generation"))
    try:
        assert current_generation() is None
        round_ranking(contest)
        round_ranking(contest)
        assert len(computations) == 2
    finally:
        db.session.rollback()
    assert current_generation() is not None


def test_a_cached_ranking_stays_out_of_full_garbage_collections(contest, organizer):
    """With 10,000 proposals a cached ranking is some 100,000 objects: scanning them made
    every full collection of a worker take about 100 ms."""
    build_contest(contest, organizer)
    db.session.commit()
    gc.unfreeze()
    try:
        result = round_ranking(contest).result
        assert freeze_long_lived()
        tracked = {id(obj) for obj in gc.get_objects()}
        assert id(result) not in tracked and id(result.rows[0]) not in tracked
    finally:
        gc.unfreeze()


def test_the_collector_is_tuned_between_requests_never_inside_one(client, auth, contest,
                                                                   organizer):
    """Caching a ranking inside a request only notes it; gunicorn's post_request hook
    (installed once, with the server) moves what is alive out of the full collections."""
    build_contest(contest, organizer)
    db.session.commit()
    auth.login(organizer)
    gc.unfreeze()
    try:
        assert client.get(f"/admin/contests/{contest.slug}/ranking").status_code == 200
        assert gc.get_freeze_count() == 0
        settings = runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))
        settings["post_request"](None, None, {}, None)
        assert gc.get_freeze_count() > 0
        assert freeze_long_lived() is False    # nothing cached since: nothing to do
    finally:
        gc.unfreeze()
