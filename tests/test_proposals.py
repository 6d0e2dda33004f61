"""The applicant's proposal: draft, edit, submit, withdraw, limits and deadlines."""
import pytest

from portal.errors import DomainError
from portal.extensions import db
from portal.models import Proposal, ProposalStatus
from tests.factories import PROPOSAL_TEXT, close_submissions, make_judge, make_proposal, \
    make_user

EN = {"Accept-Language": "en"}


def form_data(contest, proposal=None, **overrides):
    data = {"title": "流动儿童周末课堂", "theme_id": contest.themes[4].id, **PROPOSAL_TEXT,
            "budget_total": "12000.50"}
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


def test_bad_input_is_explained_and_kept(client, contest, signed_in):
    data = form_data(contest, title="", budget_total="a lot", summary="x" * 501)
    response = client.post(f"/contests/{contest.slug}/proposals/new", data=data, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This field is required." in page
    assert "Not a valid decimal value." in page
    assert "longer than 500" in page
    assert PROPOSAL_TEXT["need"] in page  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count(Proposal.id))) == 0


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
