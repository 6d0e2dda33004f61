"""Judges evaluate mid-term and final reports on the reports' own rubric."""
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.grants import reports, rubric
from portal.models import Conflict, ConflictKind, ReportEvaluation
from tests.factories import make_judge
from tests.grants.helpers import funded, report_of


def test_the_weighted_score_follows_the_rubric():
    scores = {"outcomes": 8, "reach": 6, "funds": 9, "learning": 5}
    assert rubric.weighted_score(scores) == Decimal("7.30")   # (24 + 12 + 27 + 10) / 10
    with pytest.raises(ValueError, match="reach"):
        rubric.check_scores({**scores, "reach": 11})
    with pytest.raises(ValueError, match="funds"):
        rubric.check_scores({**scores, "funds": None})
    assert rubric.mean_score([scores, {c: 10 for c in rubric.CODES}]) == Decimal("8.65")


@pytest.fixture
def submitted(contest, organizer, applicant):
    grant = funded(contest, organizer, applicant)
    midterm = report_of(grant, "midterm")
    reports.save_report(applicant, midterm, "完成招募", 40, None, {}, submit=True)
    db.session.commit()
    return midterm


def test_organizer_asks_a_judge_who_scores_the_report(client, auth, contest, organizer,
                                                     applicant, submitted):
    judge = make_judge(contest, "judge@example.org", name="评委甲")
    other_judge = make_judge(contest, "other-judge@example.org", name="评委乙")
    url = f"/admin/grant-reports/{submitted.id}/evaluators"
    auth.login(applicant)
    assert client.post(url, data={"judges": [judge.id]}).status_code == 403
    auth.login(organizer)
    assert "评委甲" in client.get(f"/grants/reports/{submitted.id}").get_data(as_text=True)
    client.post(url, data={"judges": [judge.id]})
    evaluation = db.session.scalar(db.select(ReportEvaluation))
    assert evaluation.judge_id == judge.id and evaluation.submitted_at is None

    page = f"/grants/evaluations/{evaluation.id}"
    auth.login(other_judge)
    assert client.get(page).status_code == 404
    auth.login(applicant)
    assert client.get(page).status_code == 404
    auth.login(judge)
    assert page in client.get("/grants/evaluations").get_data(as_text=True)
    shown = client.get(page).get_data(as_text=True)
    assert "完成招募" in shown
    scores = {"score_outcomes": "8", "score_reach": "6", "score_funds": "9",
              "score_learning": "5", "comment": "执行扎实"}
    assert client.post(page, data={**scores, "score_reach": "11"}).status_code == 422
    assert client.post(page, data=scores).status_code == 302
    db.session.expire_all()
    evaluation = db.session.get(ReportEvaluation, evaluation.id)
    assert evaluation.scores == {"outcomes": 8, "reach": 6, "funds": 9, "learning": 5}
    assert client.post(page, data={**scores, "score_funds": "1"}).status_code == 422  # once
    auth.login(organizer)
    report_page = client.get(f"/grants/reports/{submitted.id}").get_data(as_text=True)
    assert "7.30" in report_page and "执行扎实" in report_page


def test_a_conflicted_judge_is_not_asked(client, auth, contest, organizer, submitted):
    judge = make_judge(contest, "judge@example.org", name="评委甲")
    db.session.add(Conflict(contest_id=contest.id, judge_id=judge.id,
                            proposal_id=submitted.grant.proposal_id,
                            kind=ConflictKind.DECLARED_PROPOSAL, reason="同一单位"))
    db.session.commit()
    auth.login(organizer)
    client.post(f"/admin/grant-reports/{submitted.id}/evaluators", data={"judges": [judge.id]})
    assert db.session.scalar(db.select(db.func.count(ReportEvaluation.id))) == 0


def test_a_report_not_yet_submitted_cannot_be_evaluated(client, auth, contest, organizer,
                                                       applicant):
    grant = funded(contest, organizer, applicant)
    judge = make_judge(contest, "judge@example.org")
    auth.login(organizer)
    client.post(f"/admin/grant-reports/{report_of(grant, 'midterm').id}/evaluators",
                data={"judges": [judge.id]})
    assert db.session.scalar(db.select(db.func.count(ReportEvaluation.id))) == 0
