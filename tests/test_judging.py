"""Judges: invitations, their assigned proposals, scoring and revising until the round closes."""
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.judging.services import invite_judge, set_round_closed
from portal.models import AuditEvent, JudgeMembership, Review, User, utcnow
from tests.factories import PASSWORD, assign, make_judge, make_proposal, make_user, review

EN = {"Accept-Language": "en"}


def invitation_token(contest, email="judge@example.org"):
    _invitation, token = invite_judge(None, contest, email)
    db.session.commit()
    return token


def test_a_new_judge_accepts_the_invitation_and_sets_a_password(client, contest):
    token = invitation_token(contest)
    page = client.get(f"/invitations/{token}").get_data(as_text=True)
    assert "judge@example.org" in page
    response = client.post(f"/invitations/{token}", data={
        "display_name": "赵教授", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302 and response.location.endswith("/judge")
    judge = db.session.scalar(db.select(User).filter_by(email="judge@example.org"))
    assert db.session.scalar(db.select(JudgeMembership).filter_by(user_id=judge.id)).active
    assert client.get("/judge").status_code == 200


def test_an_invitation_is_single_use(client, contest):
    token = invitation_token(contest)
    client.post(f"/invitations/{token}", data={
        "display_name": "赵教授", "password": PASSWORD, "confirm": PASSWORD})
    client.post("/logout")
    assert client.get(f"/invitations/{token}").status_code == 404


def test_a_newer_invitation_replaces_the_older_one(client, contest):
    old = invitation_token(contest)
    new = invitation_token(contest)
    assert client.get(f"/invitations/{old}").status_code == 404
    assert client.get(f"/invitations/{new}").status_code == 200


@pytest.mark.parametrize("token", ["garbage", "eyJpbnZpdGF0aW9uIjoxfQ.forged.signature"])
def test_a_bad_invitation_link_is_refused_kindly(client, contest, token):
    response = client.get(f"/invitations/{token}")
    assert response.status_code == 404
    assert "cannot be used" in client.get(f"/invitations/{token}", headers=EN).get_data(True)


def test_an_expired_invitation_is_refused(client, contest):
    from datetime import timedelta
    from portal.models import Invitation, utcnow
    token = invitation_token(contest)
    invitation = db.session.scalar(db.select(Invitation))
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get(f"/invitations/{token}").status_code == 404


def test_an_existing_account_accepts_after_logging_in(client, auth, contest):
    user = make_user("expert@example.org", profile=False)
    token = invitation_token(contest, user.email)
    page = client.get(f"/invitations/{token}", headers=EN).get_data(as_text=True)
    assert "Log in to accept" in page
    auth.login(user)
    response = client.post(f"/invitations/{token}")
    assert response.status_code == 302
    assert db.session.scalar(db.select(JudgeMembership).filter_by(user_id=user.id)) is not None


def test_another_account_cannot_take_someone_elses_invitation(client, auth, contest):
    make_user("expert@example.org", profile=False)
    token = invitation_token(contest, "expert@example.org")
    auth.login(make_user("other@example.org"))
    client.post(f"/invitations/{token}")
    assert db.session.scalar(db.select(db.func.count(JudgeMembership.id))) == 0


def test_an_applicant_of_the_contest_cannot_become_its_judge(app_context, contest, applicant):
    from portal.errors import DomainError
    make_proposal(contest, applicant)
    with pytest.raises(DomainError):
        invite_judge(None, contest, applicant.email)


@pytest.fixture
def judged(app_context, contest, applicant, organizer):
    """A contest with two proposals, one assigned to the judge."""
    judge = make_judge(contest)
    assigned = make_proposal(contest, applicant, title="已分配的项目")
    other = make_proposal(contest, make_user("b@example.org"), title="未分配的项目")
    (assignment,) = assign(assigned, judge, actor=organizer)
    return judge, assignment, other


def test_a_judge_sees_only_assigned_proposals(client, auth, judged):
    judge, assignment, other = judged
    auth.login(judge)
    page = client.get("/judge").get_data(as_text=True)
    assert "已分配的项目" in page and "未分配的项目" not in page
    assert client.get(f"/judge/assignments/{assignment.id}").status_code == 200


def test_a_judge_cannot_open_anothers_assignment(client, auth, judged, organizer):
    judge, assignment, other = judged
    second = make_judge(assignment.proposal.contest, "second@example.org")
    (others_assignment,) = assign(other, second, actor=organizer)
    auth.login(judge)
    assert client.get(f"/judge/assignments/{others_assignment.id}").status_code == 404
    assert client.get(f"/proposals/{other.id}").status_code == 404


def test_judge_pages_refuse_applicants(client, auth, judged, applicant):
    judge, assignment, other = judged
    auth.login(applicant)
    assert client.get("/judge").status_code == 403
    assert client.get(f"/judge/assignments/{assignment.id}").status_code == 404


def score_form(assignment, values, action="submit_review", comment="思路清晰"):
    criteria = assignment.proposal.contest.criteria
    data = {f"criterion_{c.id}": v for c, v in zip(criteria, values)}
    data.update({"comment": comment, action: "1"})
    return data


def test_a_judge_scores_and_revises_until_the_round_closes(client, auth, judged, organizer):
    judge, assignment, _other = judged
    auth.login(judge)
    url = f"/judge/assignments/{assignment.id}"
    assert client.post(url, data=score_form(assignment, [8, 7, 9])).status_code == 302
    saved = db.session.scalar(db.select(Review))
    assert saved.submitted_at is not None
    assert sorted(score.value for score in saved.scores) == [7, 8, 9]
    client.post(url, data=score_form(assignment, [6, 7, 9]))
    db.session.refresh(saved)
    assert sorted(score.value for score in saved.scores) == [6, 7, 9]
    actions = db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["review.submitted", "review.revised"]

    set_round_closed(organizer, assignment.round, closed=True)
    db.session.commit()
    response = client.post(url, data=score_form(assignment, [1, 1, 1]), headers=EN)
    assert "round is closed" in response.get_data(as_text=True)
    db.session.refresh(saved)
    assert sorted(score.value for score in saved.scores) == [6, 7, 9]


@pytest.mark.parametrize("values, message", [
    (["11", "5", "5"], "from 1 to 10"),
    (["0", "5", "5"], "from 1 to 10"),
    (["abc", "5", "5"], "Not a valid decimal value."),
    (["7.5", "5", "5"], "steps of 1"),
    (["", "5", "5"], "Score every criterion"),
])
def test_bad_scores_are_explained(client, auth, judged, values, message):
    judge, assignment, _other = judged
    auth.login(judge)
    response = client.post(f"/judge/assignments/{assignment.id}",
                           data=score_form(assignment, values), headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    review_row = db.session.scalar(db.select(Review))
    assert review_row is None or review_row.submitted_at is None


def test_a_draft_review_may_be_incomplete(client, auth, judged):
    judge, assignment, _other = judged
    auth.login(judge)
    client.post(f"/judge/assignments/{assignment.id}",
                data=score_form(assignment, ["8", "", ""], action="save"))
    draft = db.session.scalar(db.select(Review))
    assert draft.submitted_at is None and [s.value for s in draft.scores] == [Decimal(8)]


def test_blind_contests_hide_the_applicants_identity_from_judges(client, auth, judged):
    judge, assignment, _other = judged
    assignment.proposal.contest.blind = True
    db.session.commit()
    auth.login(judge)
    page = client.get(f"/judge/assignments/{assignment.id}").get_data(as_text=True)
    assert "绿城志愿者协会" not in page and "applicant@example.org" not in page


def test_open_contests_show_the_organization_to_judges(client, auth, judged):
    judge, assignment, _other = judged
    auth.login(judge)
    page = client.get(f"/judge/assignments/{assignment.id}?read=1").get_data(as_text=True)
    assert "绿城志愿者协会" in page


def test_a_deactivated_judge_loses_access(client, auth, judged):
    judge, assignment, _other = judged
    membership = db.session.scalar(db.select(JudgeMembership).filter_by(user_id=judge.id))
    membership.active = False
    db.session.commit()
    auth.login(judge)
    assert client.get(f"/judge/assignments/{assignment.id}").status_code == 404


def test_a_withdrawn_proposal_is_no_longer_reviewable(client, auth, judged):
    judge, assignment, _other = judged
    review(assignment, 5, 5, 5)
    assignment.proposal.status = "withdrawn"
    db.session.commit()
    auth.login(judge)
    assert client.get(f"/judge/assignments/{assignment.id}").status_code == 404


# --- The workspace, the scoring page and the judging window ----------------------------------

@pytest.fixture
def workload(app_context, contest, organizer):
    """A judge with three assignments: two elderly care (one scored), one education aid."""
    judge = make_judge(contest)
    proposals = [make_proposal(contest, make_user(f"w{n}@example.org"), title=title,
                               theme_index=theme)
                 for n, (title, theme) in enumerate([("养老甲", 0), ("养老乙", 0), ("助学丙", 4)])]
    assignments = [assign(proposal, judge, actor=organizer)[0] for proposal in proposals]
    review(assignments[0], 7, 7, 7)
    return judge, assignments


def test_the_workspace_shows_progress_filters_and_the_next_proposal(client, auth, workload):
    judge, assignments = workload
    auth.login(judge)
    page = client.get("/judge", headers=EN).get_data(as_text=True)
    assert "1 of 3 scored" in page
    assert all(title in page for title in ("养老甲", "养老乙", "助学丙"))
    assert f'href="/judge/assignments/{assignments[1].id}">Next proposal to score' in page
    unscored = client.get("/judge?unscored=1", headers=EN).get_data(as_text=True)
    assert "养老甲" not in unscored and "养老乙" in unscored and "助学丙" in unscored
    themed = client.get("/judge?theme=education_aid", headers=EN).get_data(as_text=True)
    assert "助学丙" in themed and "养老乙" not in themed and "1 of 3 scored" in themed
    assert f'href="/judge/assignments/{assignments[2].id}">Next proposal to score' in themed
    assert 'id="filter-theme"' in page and 'for="filter-unscored"' in page


def test_no_next_proposal_once_everything_is_scored_or_the_round_closed(client, auth, workload,
                                                                       organizer):
    judge, assignments = workload
    set_round_closed(organizer, assignments[0].round, closed=True)
    db.session.commit()
    auth.login(judge)
    page = client.get("/judge", headers=EN).get_data(as_text=True)
    assert "Next proposal to score" not in page and "1 of 3 scored" in page


def test_the_scoring_page_shows_rubric_scale_and_the_unsaved_warning(client, auth, judged):
    judge, assignment, _other = judged
    auth.login(judge)
    page = client.get(f"/judge/assignments/{assignment.id}?read=1", headers=EN).get_data(True)
    assert "Scale: 1 to 10, in steps of 1." in page
    assert "9–10: original and a model for others" in page
    assert "data-warn-unsaved" in page and "Feedback for the applicant (optional)" in page
    assert "<script>" not in page and "style=" not in page


def test_the_unsaved_warning_lives_in_portal_js(repo_root):
    script = (repo_root / "static" / "js" / "portal.js").read_text(encoding="utf-8")
    assert "beforeunload" in script and "data-warn-unsaved" in script


def test_feedback_for_the_applicant_is_saved_with_the_review(client, auth, judged):
    judge, assignment, _other = judged
    auth.login(judge)
    url = f"/judge/assignments/{assignment.id}"
    data = score_form(assignment, [8, 7, 9], comment="给组织方")
    data["feedback"] = "建议补充预算明细"
    client.post(url, data=data)
    saved = db.session.scalar(db.select(Review))
    assert saved.comment == "给组织方" and saved.feedback == "建议补充预算明细"
    page = client.get(url).get_data(as_text=True)
    assert "建议补充预算明细" in page  # a started review opens on the scoring page
    data["feedback"] = ""
    client.post(url, data=data)
    db.session.refresh(saved)
    assert saved.feedback is None


@pytest.mark.parametrize("window, message", [
    ({"opens_at": timedelta(days=1)}, "Scoring for this round opens on"),
    ({"closes_at": -timedelta(minutes=1)}, "The judging window of this round ended on"),
])
def test_scoring_is_refused_outside_the_judging_window(client, auth, judged, window, message):
    judge, assignment, _other = judged
    for name, offset in window.items():
        setattr(assignment.round, name, utcnow() + offset)
    db.session.commit()
    auth.login(judge)
    url = f"/judge/assignments/{assignment.id}"
    page = client.get(url + "?read=1", headers=EN).get_data(as_text=True)
    assert message in page and "data-warn-unsaved" not in page
    response = client.post(url, data=score_form(assignment, [8, 7, 9]), headers=EN)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Review)) is None


def test_scoring_inside_the_window_is_accepted(client, auth, judged):
    judge, assignment, _other = judged
    assignment.round.opens_at = utcnow() - timedelta(days=1)
    assignment.round.closes_at = utcnow() + timedelta(days=1)
    db.session.commit()
    auth.login(judge)
    page = client.get(f"/judge/assignments/{assignment.id}?read=1", headers=EN).get_data(True)
    assert "You may save, submit and revise until" in page
    assert client.post(f"/judge/assignments/{assignment.id}",
                       data=score_form(assignment, [8, 7, 9])).status_code == 302


def test_a_closed_round_locks_scores_until_reopened_with_a_reason(client, auth, judged,
                                                                  organizer):
    from portal.errors import DomainError
    judge, assignment, _other = judged
    review(assignment, 5, 5, 5)
    set_round_closed(organizer, assignment.round, closed=True)
    db.session.commit()
    auth.login(judge)
    url = f"/judge/assignments/{assignment.id}"
    assert "round is closed" in client.get(url, headers=EN).get_data(as_text=True)
    client.post(url, data=score_form(assignment, [9, 9, 9]))
    assert sorted(s.value for s in db.session.scalar(db.select(Review)).scores) == [5, 5, 5]
    with pytest.raises(DomainError):
        set_round_closed(organizer, assignment.round, closed=False)
    db.session.rollback()
    set_round_closed(organizer, assignment.round, closed=False, reason="评分录入有误")
    db.session.commit()
    client.post(url, data=score_form(assignment, [9, 9, 9]))
    assert sorted(s.value for s in db.session.scalar(db.select(Review)).scores) == [9, 9, 9]
