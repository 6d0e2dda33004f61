"""The applicant's proposal: draft, edit, submit, withdraw, limits and deadlines."""
from decimal import Decimal

import pytest

from portal.errors import DomainError
from portal.extensions import db
from portal.models import Proposal, ProposalStatus
from tests.factories import PROPOSAL_TEXT, close_submissions, email_text, make_judge, \
    make_proposal, make_user

EN = {"Accept-Language": "en"}


def form_data(contest, proposal=None, lines=(("教材", "8000.50", "200 套"),
                                            ("场地", "4000", "")), **overrides):
    data = {"title": "流动儿童周末课堂", "theme_id": contest.themes[4].id, **PROPOSAL_TEXT}
    for number, (item, amount, note) in enumerate(lines):
        data.update({f"budget_lines-{number}-item": item, f"budget_lines-{number}-amount": amount,
                     f"budget_lines-{number}-note": note})
    if proposal is not None:
        data["version"] = proposal.version
    data.update(overrides)
    return data


@pytest.fixture
def signed_in(client, auth, applicant):
    auth.login(applicant)
    return applicant


def test_an_applicant_writes_a_draft_and_submits_it(client, contest, signed_in):
    response = client.post(f"/contests/{contest.slug}/proposals/new",
                           data={"title": "流动儿童周末课堂", "theme_id": contest.themes[4].id})
    assert response.status_code == 302
    proposal = db.session.scalar(db.select(Proposal))
    assert proposal.status == ProposalStatus.DRAFT and proposal.reference is None

    response = client.post(f"/proposals/{proposal.id}/edit", data=form_data(contest, proposal))
    assert response.status_code == 302
    db.session.refresh(proposal)
    assert [(line.item, line.amount) for line in proposal.budget_lines] == [
        ("教材", Decimal("8000.50")), ("场地", Decimal("4000.00"))]
    assert proposal.budget_total == Decimal("12000.50")
    response = client.post(f"/proposals/{proposal.id}/submit", follow_redirects=True)
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.reference == "ZZCF-2014-0001"
    assert proposal.organization == "绿城志愿者协会" and proposal.entrant_type.code == "ngo"
    assert "ZZCF-2014-0001" in response.get_data(as_text=True)
    assert [event.action for event in proposal.events] == ["created", "submitted"]


def test_reference_numbers_count_up_per_contest(app_context, contest, applicant):
    other = make_user("other@example.org")
    first = make_proposal(contest, applicant)
    second = make_proposal(contest, other)
    assert (first.reference, second.reference) == ("ZZCF-2014-0001", "ZZCF-2014-0002")


def test_submitting_needs_every_field(client, contest, signed_in):
    proposal = make_proposal(contest, signed_in, submit=False, need=None, innovation="")
    response = client.post(f"/proposals/{proposal.id}/submit", headers=EN, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "The need it answers" in page and "What is innovative" in page
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.DRAFT


def test_submitting_needs_a_complete_profile(client, auth, contest):
    user = make_user("noprofile@example.org", profile=False)
    auth.login(user)
    proposal = make_proposal(contest, user, submit=False)
    response = client.post(f"/proposals/{proposal.id}/submit", headers=EN, follow_redirects=True)
    assert "Complete your profile" in response.get_data(as_text=True)
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.DRAFT


def test_an_organization_is_needed_unless_the_entrant_is_an_individual(app_context, contest):
    person = make_user("person@example.org", organization=None, entrant_type="individual")
    assert make_proposal(contest, person).status == ProposalStatus.SUBMITTED
    club = make_user("club@example.org", organization=None, entrant_type="student_club")
    with pytest.raises(DomainError):
        make_proposal(contest, club)


def test_an_empty_required_field_is_named_in_chinese(client, contest, signed_in):
    data = form_data(contest, title="", theme_id="")
    response = client.post(f"/contests/{contest.slug}/proposals/new", data=data,
                           headers={"Accept-Language": "zh-CN"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "请填写项目名称。" in page and "请选择主题方向。" in page
    assert "该字段是必填字段" not in page and "This field is required" not in page


def test_without_a_title_nothing_is_created_and_the_input_is_kept(client, contest, signed_in):
    data = form_data(contest, title="", lines=[("教材", "a lot", "")], summary="x" * 501)
    response = client.post(f"/contests/{contest.slug}/proposals/new", data=data, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please fill in “Project title”." in page
    assert "Not a valid decimal value." in page
    assert "longer than 500" in page
    assert PROPOSAL_TEXT["need"] in page  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count(Proposal.id))) == 0


def test_a_draft_keeps_what_validates_and_explains_the_rest(client, contest, signed_in):
    data = form_data(contest, lines=[("教材", "a lot", "")], summary="x" * 501,
                     beneficiary_count="many", form_token="token-of-this-form")
    response = client.post(f"/contests/{contest.slug}/proposals/new", data=data, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Everything else was saved" in page
    assert "Not a valid decimal value." in page and "longer than 500" in page
    proposal = db.session.scalar(db.select(Proposal))
    assert proposal.title == "流动儿童周末课堂" and proposal.need == PROPOSAL_TEXT["need"]
    assert proposal.summary is None and proposal.budget_lines == []
    # Sending the corrected form again (same one-time token) completes the same draft.
    data.update({"budget_lines-0-amount": "100", "summary": "短简介", "beneficiary_count": "30",
                 "version": proposal.version})
    assert client.post(f"/contests/{contest.slug}/proposals/new", data=data).status_code == 302
    assert db.session.scalar(db.select(db.func.count(Proposal.id))) == 1
    db.session.refresh(proposal)
    assert proposal.summary == "短简介" and proposal.budget_total == Decimal("100.00")


def test_a_double_submitted_form_creates_one_proposal(client, contest, signed_in):
    data = form_data(contest, form_token="same-token-for-both-clicks")
    first = client.post(f"/contests/{contest.slug}/proposals/new", data=data)
    second = client.post(f"/contests/{contest.slug}/proposals/new", data=data)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert db.session.scalar(db.select(db.func.count(Proposal.id))) == 1


@pytest.mark.parametrize("token", ["9" * 2000, "{{7*7}}", "短"])
def test_a_form_token_it_did_not_issue_is_replaced(client, contest, signed_in, token):
    """Found by the fuzz test on PostgreSQL: a token longer than its column was a 500."""
    response = client.post(f"/contests/{contest.slug}/proposals/new",
                           data=form_data(contest, form_token=token))
    assert response.status_code == 302
    proposal = db.session.scalar(db.select(Proposal))
    assert proposal.creation_token != token and len(proposal.creation_token) <= 64


@pytest.mark.parametrize("lines, message", [
    ([("", "500", "")], "Say what the amount is for."),
    ([("教材", "", "")], "Enter the amount in yuan."),
    ([("教材", "-5", "")], "Enter an amount between 0"),
    ([("教材", "1e30", "")], "Enter an amount between 0"),
])
def test_bad_budget_lines_are_explained(client, contest, signed_in, lines, message):
    response = client.post(f"/contests/{contest.slug}/proposals/new",
                           data=form_data(contest, lines=lines), headers=EN)
    assert message in response.get_data(as_text=True)


def test_emoji_and_mixed_scripts_are_kept(client, contest, signed_in):
    title = "🌱 绿色校园 Green Campus ✨ مرحبا"
    client.post(f"/contests/{contest.slug}/proposals/new", data=form_data(contest, title=title))
    assert db.session.scalar(db.select(Proposal.title)) == title


def test_a_theme_of_another_contest_is_refused(client, contest, signed_in):
    from tests.factories import make_contest
    other = make_contest(slug="zzcf-2015")
    response = client.post(f"/contests/{contest.slug}/proposals/new",
                           data=form_data(contest, theme_id=other.themes[0].id))
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Proposal.id))) == 0


def test_a_stale_tab_cannot_overwrite_a_newer_edit(client, contest, signed_in):
    proposal = make_proposal(contest, signed_in, submit=False)
    old_version = proposal.version
    client.post(f"/proposals/{proposal.id}/edit", data=form_data(contest, proposal, title="新标题"))
    response = client.post(f"/proposals/{proposal.id}/edit", headers=EN,
                           data=form_data(contest, version=old_version, title="旧标签页的标题"))
    assert "changed in another window" in response.get_data(as_text=True)
    db.session.refresh(proposal)
    assert proposal.title == "新标题"


def test_the_limit_of_proposals_per_applicant(client, contest, signed_in):
    for _ in range(contest.proposal_limit):
        make_proposal(contest, signed_in, submit=False)
    response = client.post(f"/contests/{contest.slug}/proposals/new", data=form_data(contest),
                           headers=EN)
    assert "the most it allows" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Proposal.id))) == contest.proposal_limit


def test_withdraw_and_resubmit_keeps_the_reference(client, contest, signed_in):
    proposal = make_proposal(contest, signed_in)
    client.post(f"/proposals/{proposal.id}/withdraw")
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.WITHDRAWN
    client.post(f"/proposals/{proposal.id}/submit")
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.reference == "ZZCF-2014-0001"


def test_a_draft_can_be_deleted_but_not_a_submission(client, contest, signed_in):
    draft_id = make_proposal(contest, signed_in, submit=False).id
    submitted_id = make_proposal(contest, signed_in).id
    client.post(f"/proposals/{draft_id}/delete")
    client.post(f"/proposals/{submitted_id}/delete")
    assert db.session.get(Proposal, draft_id) is None
    assert db.session.get(Proposal, submitted_id) is not None


def test_after_the_deadline_nothing_can_be_created_edited_or_submitted(client, contest,
                                                                        signed_in):
    draft = make_proposal(contest, signed_in, submit=False)
    submitted = make_proposal(contest, signed_in)
    close_submissions(contest)
    response = client.post(f"/contests/{contest.slug}/proposals/new", data=form_data(contest),
                           headers=EN)
    assert "deadline has passed" in response.get_data(as_text=True)
    response = client.post(f"/proposals/{submitted.id}/edit", headers=EN,
                           data=form_data(contest, submitted, title="改过的"))
    assert "deadline has passed" in response.get_data(as_text=True)
    response = client.post(f"/proposals/{draft.id}/submit", headers=EN, follow_redirects=True)
    assert "deadline has passed" in response.get_data(as_text=True)
    db.session.refresh(draft)
    db.session.refresh(submitted)
    assert draft.status == ProposalStatus.DRAFT and submitted.title != "改过的"


def test_before_opening_nothing_can_be_created(client, signed_in):
    from tests.factories import make_contest
    upcoming = make_contest(slug="later", opens="2 days", deadline="30 days")
    response = client.post(f"/contests/{upcoming.slug}/proposals/new",
                           data=form_data(upcoming), headers=EN)
    assert "not open for proposals yet" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["", "/edit"])
def test_another_applicants_proposal_is_not_found(client, auth, contest, applicant, path):
    proposal = make_proposal(contest, applicant)
    auth.login(make_user("intruder@example.org"))
    assert client.get(f"/proposals/{proposal.id}{path}").status_code == 404


@pytest.mark.parametrize("action", ["submit", "withdraw", "delete", "edit"])
def test_another_applicant_cannot_act_on_a_proposal(client, auth, contest, applicant, action):
    proposal = make_proposal(contest, applicant)
    auth.login(make_user("intruder@example.org"))
    response = client.post(f"/proposals/{proposal.id}/{action}", data=form_data(contest, proposal))
    assert response.status_code == 404
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.title != "流动儿童周末课堂"


def test_a_judge_cannot_submit_to_their_own_contest(client, auth, contest):
    judge = make_judge(contest)
    auth.login(judge)
    assert client.get(f"/contests/{contest.slug}/proposals/new").status_code == 403
    response = client.post(f"/contests/{contest.slug}/proposals/new", data=form_data(contest))
    assert response.status_code == 403
    assert db.session.scalar(db.select(db.func.count(Proposal.id))) == 0


def test_a_judge_of_one_contest_may_apply_to_another(client, auth, contest):
    from tests.factories import make_contest
    other = make_contest(slug="zzcf-2015")
    auth.login(make_judge(contest))
    assert client.get(f"/contests/{other.slug}/proposals/new").status_code == 200


def test_organizers_do_not_apply(client, auth, contest, organizer):
    auth.login(organizer)
    assert client.get(f"/contests/{contest.slug}/proposals/new").status_code == 403


def test_my_proposals_lists_status_and_reference(client, contest, signed_in):
    make_proposal(contest, signed_in, title="提交的项目")
    make_proposal(contest, signed_in, submit=False, title="草稿项目")
    page = client.get("/my/proposals", headers=EN).get_data(as_text=True)
    assert "提交的项目" in page and "草稿项目" in page
    assert "ZZCF-2014-0001" in page and "Draft" in page and "Submitted" in page


def test_the_receipt_and_change_emails(client, contest, signed_in, outbox):
    proposal = make_proposal(contest, signed_in, submit=False)
    client.post(f"/proposals/{proposal.id}/submit")
    db.session.refresh(proposal)
    receipt = outbox()[-1]
    assert receipt["To"] == signed_in.email
    assert proposal.reference in receipt["Subject"] and proposal.reference in email_text(receipt)
    client.post(f"/proposals/{proposal.id}/edit", data=form_data(contest, proposal, title="改名"))
    assert "改名" in email_text(outbox()[-1])
    client.post(f"/proposals/{proposal.id}/withdraw")
    assert proposal.reference in outbox()[-1]["Subject"]
    assert len(outbox()) == 3


def test_an_unconfirmed_account_may_write_drafts_but_not_submit(client, auth, contest, outbox):
    user = make_user("unconfirmed@example.org")
    user.email_confirmed_at = None
    db.session.commit()
    auth.login(user)
    response = client.post(f"/contests/{contest.slug}/proposals/new", data=form_data(contest))
    assert response.status_code == 302
    proposal = db.session.scalar(db.select(Proposal))
    response = client.post(f"/proposals/{proposal.id}/submit", headers=EN, follow_redirects=True)
    assert "Confirm your email address" in response.get_data(as_text=True)
    assert db.session.get(Proposal, proposal.id).status == ProposalStatus.DRAFT


def test_the_deadline_reminder_is_sent_once_to_draft_holders(runner, app_context, contest,
                                                           applicant, outbox):
    from datetime import timedelta

    from portal.models import utcnow
    holder = make_user("holder@example.org")
    make_proposal(contest, holder, submit=False)
    make_proposal(contest, applicant)  # submitted: no reminder
    assert "0 reminder" in runner.invoke(args=["send-deadline-reminders"]).output
    contest.submission_deadline = utcnow() + timedelta(hours=47)
    db.session.commit()
    assert "1 reminder" in runner.invoke(args=["send-deadline-reminders"]).output
    assert "0 reminder" in runner.invoke(args=["send-deadline-reminders"]).output
    (message,) = [m for m in outbox() if "holder@example.org" in m["To"]]
    assert "社区空巢老人关爱行动" in email_text(message)
    assert len([m for m in outbox() if m["To"] == applicant.email]) == 1  # the receipt only


def test_the_printable_view_has_every_section(client, contest, signed_in):
    proposal = make_proposal(contest, signed_in)
    page = client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    for text in ("data-print", "Sustainability", "Team", "志愿者交通补贴", "35,000.00"):
        assert text in page
