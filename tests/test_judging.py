"""Judges: invitations, their assigned proposals, scoring and revising until the round closes."""
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.judging.services import invite_judge, set_round_closed
from portal.models import AuditEvent, JudgeMembership, Review, User
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
    page = client.get(f"/judge/assignments/{assignment.id}").get_data(as_text=True)
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
