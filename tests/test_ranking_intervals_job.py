"""The ranked list's uncertainty figures are computed by a job after a change of scores: until
it has run, the page shows the last figures and says they are being recomputed."""
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.jobs.queue import huey
from portal.models import Assignment, RankingSnapshot
from portal.results import intervals
from tests.test_results import build_contest

EN = {"Accept-Language": "en"}
NOTICE = "being recomputed"


@pytest.fixture
def queued_jobs():
    """Jobs wait in the queue (as with a consumer) instead of running in the request."""
    huey.immediate = False
    huey.flush()
    yield
    huey.flush()
    huey.immediate = True


def run_queued_jobs():
    while (task := huey.dequeue()) is not None:
        huey.execute(task)


def ranking_page(client, contest):
    return client.get(f"/admin/contests/{contest.slug}/ranking", headers=EN).get_data(True)


def _lower_scores(proposal):
    assignment = db.session.scalars(db.select(Assignment).filter_by(
        proposal_id=proposal.id)).first()
    for score in assignment.review.scores:
        score.value = Decimal(1)
    db.session.commit()


def test_with_jobs_run_at_once_the_page_shows_current_figures(client, auth, contest,
                                                              organizer):
    build_contest(contest, organizer)
    auth.login(organizer)
    page = ranking_page(client, contest)
    assert NOTICE not in page and "rank 1–" in page
    assert db.session.scalar(db.select(RankingSnapshot.fingerprint)) is not None


def test_the_page_shows_the_last_figures_until_the_job_has_run(client, auth, contest,
                                                               organizer, queued_jobs):
    a, b, c, d = build_contest(contest, organizer)
    auth.login(organizer)
    page = ranking_page(client, contest)
    assert NOTICE in page                        # nothing computed yet: no figures at all
    assert "rank 1–" not in page
    run_queued_jobs()
    db.session.rollback()
    first = db.session.scalar(db.select(RankingSnapshot.fingerprint))
    page = ranking_page(client, contest)
    assert NOTICE not in page and "rank 1–" in page
    _lower_scores(b)
    page = ranking_page(client, contest)
    assert NOTICE in page and "rank 1–" in page  # the last figures, marked as such
    assert huey.pending_count() == 1
    ranking_page(client, contest)                # asked once per version of the scores
    assert huey.pending_count() == 1
    run_queued_jobs()
    db.session.rollback()
    assert db.session.scalar(db.select(RankingSnapshot.fingerprint)) != first
    assert NOTICE not in ranking_page(client, contest)


def test_the_job_of_a_deleted_round_does_nothing(app_context):
    intervals.compute_round_intervals.call_local(987654)
    assert db.session.scalar(db.select(RankingSnapshot.id)) is None
