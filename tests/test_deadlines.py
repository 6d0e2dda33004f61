"""The deadline rule for every applicant action (portal.proposals.rules), in the services and
on the pages: after the deadline, view, download and withdraw (with a reason) until judging
opens, then a request the organizers decide; corrections asked through 退回补正 until their date."""
import io
from datetime import timedelta

import pytest

from portal.errors import DomainError
from portal.extensions import db
from portal.models import AuditEvent, ProposalStatus, utcnow
from portal.proposals import attachments, rules, services
from portal.proposals.screening.services import decide
from tests.factories import assign, close_submissions, make_judge, make_proposal, pdf_file

EN = {"Accept-Language": "en"}


class Upload:
    """What add_attachment reads from a werkzeug FileStorage."""

    def __init__(self, content, filename):
        self.stream, self.filename = io.BytesIO(content), filename


@pytest.fixture
def contest(contest):
    contest.rounds[0].opens_at = None  # judging opens with the first assignment
    db.session.commit()
    return contest


@pytest.fixture
def submitted(contest, applicant):
    proposal = make_proposal(contest, applicant)
    attachments.add_attachment(applicant, proposal, Upload(pdf_file(), "plan.pdf"))
    db.session.commit()
    return proposal


@pytest.fixture
def draft(contest, applicant):
    return make_proposal(contest, applicant, submit=False, title="草稿")


def audit(action):
    return db.session.scalars(db.select(AuditEvent).filter_by(action=action)).all()


def test_before_the_deadline_every_action_is_open(contest, submitted, draft):
    assert rules.applicant_actions(contest) == {rules.CREATE}
    assert rules.applicant_actions(contest, submitted) == {
        rules.VIEW, rules.DOWNLOAD, rules.EDIT, rules.WITHDRAW}
    assert rules.applicant_actions(contest, draft) == {
        rules.VIEW, rules.DOWNLOAD, rules.EDIT, rules.SUBMIT, rules.DELETE_DRAFT}


def test_after_the_deadline_only_viewing_and_withdrawing_stay_open(contest, submitted, draft):
    close_submissions(contest)
    assert rules.applicant_actions(contest) == set()
    assert rules.applicant_actions(contest, submitted) == {rules.VIEW, rules.DOWNLOAD,
                                                           rules.WITHDRAW}
    assert rules.applicant_actions(contest, draft) == {rules.VIEW, rules.DOWNLOAD}


def test_once_judging_opens_withdrawing_becomes_a_request(contest, submitted, organizer):
    close_submissions(contest)
    assign(submitted, make_judge(contest), actor=organizer)
    assert rules.applicant_actions(contest, submitted) == {rules.VIEW, rules.DOWNLOAD,
                                                           rules.REQUEST_WITHDRAWAL}


def test_the_first_rounds_scoring_window_opens_judging(contest, submitted):
    close_submissions(contest)
    contest.rounds[0].opens_at = utcnow() - timedelta(minutes=1)
    assert rules.judging_has_opened(contest)
    assert rules.WITHDRAW not in rules.applicant_actions(contest, submitted)


# Every verb an applicant has, refused after the deadline by the service itself.
AFTER_THE_DEADLINE = {
    "create": lambda user, contest, submitted, draft: services.create_draft(
        user, contest, {"title": "迟到", "theme_id": contest.themes[0].id}),
    "edit": lambda user, contest, submitted, draft: services.update_proposal(
        user, submitted, {"title": "改过"}, submitted.version),
    "submit": lambda user, contest, submitted, draft: services.submit_proposal(user, draft),
    "upload": lambda user, contest, submitted, draft: attachments.add_attachment(
        user, submitted, Upload(pdf_file(Title="x"), "late.pdf")),
    "remove attachment": lambda user, contest, submitted, draft: attachments.remove_attachment(
        user, submitted.attachments[0]),
    "delete draft": lambda user, contest, submitted, draft: services.delete_draft(user, draft),
    "withdraw without a reason": lambda user, contest, submitted, draft:
        services.withdraw_proposal(user, submitted),
    "request while withdrawing is open": lambda user, contest, submitted, draft:
        services.request_withdrawal(user, submitted, "项目无法执行"),
}


@pytest.mark.parametrize("action", AFTER_THE_DEADLINE)
def test_the_services_refuse_every_other_action_after_the_deadline(
        contest, applicant, submitted, draft, action):
    close_submissions(contest)
    before = (submitted.title, submitted.status, len(submitted.attachments), draft.status)
    with pytest.raises(DomainError):
        AFTER_THE_DEADLINE[action](applicant, contest, submitted, draft)
    db.session.rollback()
    assert (submitted.title, submitted.status, len(submitted.attachments),
            draft.status) == before


def test_after_the_deadline_a_withdrawal_needs_a_reason_and_is_final(contest, applicant,
                                                                    submitted):
    close_submissions(contest)
    services.withdraw_proposal(applicant, submitted, "团队解散")
    db.session.commit()
    assert submitted.status == ProposalStatus.WITHDRAWN
    assert submitted.events[-1].note == "团队解散"
    (event,) = audit("proposal.withdrawn")
    assert event.detail["reason"] == "团队解散" and event.actor_id == applicant.id
    with pytest.raises(DomainError):
        services.submit_proposal(applicant, submitted)


def test_withdrawing_during_judging_is_refused(contest, applicant, submitted, organizer):
    """Regression: an eligible proposal could be pulled out while it was being judged."""
    decide(organizer, submitted, ProposalStatus.ELIGIBLE)
    close_submissions(contest)
    assign(submitted, make_judge(contest), actor=organizer)
    with pytest.raises(DomainError, match="only the organizers|只能由主办方"):
        services.withdraw_proposal(applicant, submitted, "不想参加了")
    assert submitted.status == ProposalStatus.ELIGIBLE


def test_a_withdrawal_request_is_decided_by_the_organizers(client, auth, contest, applicant,
                                                           submitted, organizer):
    close_submissions(contest)
    assign(submitted, make_judge(contest), actor=organizer)
    auth.login(applicant)
    page = client.get(f"/proposals/{submitted.id}", headers=EN).get_data(as_text=True)
    assert "Ask the organizers to withdraw it" in page
    response = client.post(f"/proposals/{submitted.id}/withdrawal-request",
                           data={"reason": ""}, headers=EN, follow_redirects=True)
    assert "Give the reason" in response.get_data(as_text=True)
    response = client.post(f"/proposals/{submitted.id}/withdrawal-request",
                           data={"reason": "负责人离职"}, headers=EN, follow_redirects=True)
    assert "waiting for the organizers" in response.get_data(as_text=True)
    assert submitted.status == ProposalStatus.SUBMITTED
    (event,) = audit("proposal.withdrawal_requested")
    assert event.detail["reason"] == "负责人离职"
    again = client.post(f"/proposals/{submitted.id}/withdrawal-request",
                        data={"reason": "再次"}, headers=EN, follow_redirects=True)
    assert "waiting for the organizers" in again.get_data(as_text=True)
    assert len(audit("proposal.withdrawal_requested")) == 1
    auth.login(organizer)
    listing = client.get(f"/admin/contests/{contest.slug}/proposals", headers=EN)
    assert "1 request to withdraw a proposal awaits your decision" in listing.get_data(
        as_text=True)
    page = client.get(f"/admin/proposals/{submitted.id}", headers=EN).get_data(as_text=True)
    assert "Request to withdraw" in page and "负责人离职" in page
    client.post(f"/admin/proposals/{submitted.id}/withdrawal",
                data={"note": "同意", "grant": "1"}, headers=EN)
    db.session.refresh(submitted)
    assert submitted.status == ProposalStatus.WITHDRAWN
    (granted,) = audit("proposal.withdrawal_granted")
    assert granted.actor_id == organizer.id and granted.detail["reason"] == "同意"
    listing = client.get(f"/admin/contests/{contest.slug}/proposals", headers=EN)
    assert "awaits your decision" not in listing.get_data(as_text=True)


def test_an_organizer_may_refuse_a_withdrawal_request(contest, applicant, submitted,
                                                      organizer):
    close_submissions(contest)
    assign(submitted, make_judge(contest), actor=organizer)
    services.request_withdrawal(applicant, submitted, "负责人离职")
    services.decide_withdrawal(organizer, submitted, grant=False, note="评审已完成")
    db.session.commit()
    assert submitted.status == ProposalStatus.SUBMITTED
    assert not rules.withdrawal_pending(submitted)
    assert len(audit("proposal.withdrawal_refused")) == 1
    with pytest.raises(DomainError):
        services.decide_withdrawal(organizer, submitted, grant=True)


def test_a_return_for_correction_reopens_editing_until_its_own_date(contest, applicant,
                                                                    submitted, organizer):
    close_submissions(contest)
    decide(organizer, submitted, ProposalStatus.RETURNED, "补充预算说明",
           utcnow() + timedelta(days=3))
    db.session.commit()
    assert {rules.EDIT, rules.SUBMIT} <= rules.applicant_actions(contest, submitted)
    attachments.add_attachment(applicant, submitted, Upload(pdf_file(Title="预算"), "b.pdf"))
    services.update_proposal(applicant, submitted, {"title": "改正后"}, submitted.version)
    services.submit_proposal(applicant, submitted)
    assert submitted.status == ProposalStatus.SUBMITTED and submitted.title == "改正后"
    later = utcnow() + timedelta(days=4)
    submitted.status = ProposalStatus.RETURNED
    submitted.correction_until = utcnow() + timedelta(days=3)
    assert rules.applicant_actions(contest, submitted, now=later) == {rules.VIEW,
                                                                      rules.DOWNLOAD}


def test_the_forms_do_not_open_after_the_deadline(client, auth, contest, applicant, submitted):
    close_submissions(contest)
    auth.login(applicant)
    for url in (f"/proposals/{submitted.id}/edit", f"/contests/{contest.slug}/proposals/new"):
        page = client.get(url, headers=EN).get_data(as_text=True)
        assert "This form is closed" in page and "deadline has passed" in page
        assert 'name="title"' not in page
    page = client.get(f"/proposals/{submitted.id}/edit", headers=EN).get_data(as_text=True)
    assert "withdraw it, giving your reason" in page
    response = client.post(f"/proposals/{submitted.id}/edit", data={"title": "改过"},
                           headers=EN)
    assert "This form is closed" in response.get_data(as_text=True)
    db.session.refresh(submitted)
    assert submitted.title != "改过"
    # Viewing and downloading stay open.
    assert client.get(f"/proposals/{submitted.id}").status_code == 200
    assert client.get(f"/attachments/{submitted.attachments[0].id}").status_code == 200
