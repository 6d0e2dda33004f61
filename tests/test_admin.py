"""The organizers' console: who may open it, the proposal list, judges and assignments."""
import pytest

from portal.extensions import db
from portal.models import Assignment, AuditEvent, Invitation
from tests.factories import assign, make_judge, make_proposal, make_user

EN = {"Accept-Language": "en"}
ORGANIZER_PAGES = ["/admin/", "/admin/contests/{slug}/proposals", "/admin/contests/{slug}/judges",
                   "/admin/proposals/{proposal}", "/admin/contests/{slug}/ranking",
                   "/admin/contests/{slug}/ranking.csv"]


@pytest.fixture
def setting(app_context, contest, applicant):
    proposal = make_proposal(contest, applicant)
    return {"slug": contest.slug, "proposal": proposal.id}


@pytest.mark.parametrize("page", ORGANIZER_PAGES)
@pytest.mark.parametrize("role, expected", [
    ("anonymous", 302), ("applicant", 403), ("judge", 403), ("organizer", 200)])
def test_only_organizers_open_the_console(client, auth, setting, contest, applicant, organizer,
                                          page, role, expected):
    users = {"applicant": lambda: applicant, "organizer": lambda: organizer,
             "judge": lambda: make_judge(contest)}
    if role != "anonymous":
        auth.login(users[role]())
    response = client.get(page.format(**setting))
    assert response.status_code == expected
    if expected == 302:
        assert "/login" in response.location


def test_the_proposal_list_shows_theme_status_and_progress(client, auth, contest, applicant,
                                                           organizer):
    make_proposal(contest, applicant, title="安老项目", theme_index=0)
    make_proposal(contest, applicant, title="草稿不显示", submit=False)
    make_proposal(contest, make_user("b@example.org"), title="助学项目", theme_index=4)
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/proposals", headers=EN).get_data(True)
    assert "安老项目" in page and "助学项目" in page and "草稿不显示" not in page
    assert "2 proposals" in page
    page = client.get(f"/admin/contests/{contest.slug}/proposals?theme=education_aid").get_data(True)
    assert "助学项目" in page and "安老项目" not in page


def test_a_draft_is_not_visible_to_organizers(client, auth, contest, applicant, organizer):
    draft = make_proposal(contest, applicant, submit=False)
    auth.login(organizer)
    assert client.get(f"/admin/proposals/{draft.id}").status_code == 404


def test_an_organizer_invites_a_judge_and_gets_the_link(client, auth, contest, organizer):
    auth.login(organizer)
    response = client.post(f"/admin/contests/{contest.slug}/judges",
                           data={"email": "Expert@Example.org"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "http://localhost/invitations/" in page
    invitation = db.session.scalar(db.select(Invitation))
    assert invitation.email == "expert@example.org" and invitation.created_by_id == organizer.id
    assert db.session.scalar(db.select(AuditEvent.action)) == "judge.invited"


def test_inviting_a_current_judge_again_is_refused(client, auth, contest, organizer):
    make_judge(contest, "expert@example.org")
    auth.login(organizer)
    response = client.post(f"/admin/contests/{contest.slug}/judges", headers=EN,
                           data={"email": "expert@example.org"})
    assert "already a judge" in response.get_data(as_text=True)


def test_an_organizer_assigns_a_proposal_to_judges_by_hand(client, auth, contest, applicant,
                                                           organizer):
    proposal = make_proposal(contest, applicant)
    first, second = make_judge(contest, "j1@example.org"), make_judge(contest, "j2@example.org")
    auth.login(organizer)
    response = client.post(f"/admin/proposals/{proposal.id}",
                           data={"judge_ids": [first.id, second.id]})
    assert response.status_code == 302
    client.post(f"/admin/proposals/{proposal.id}", data={"judge_ids": [first.id]})  # kept, not doubled
    rows = db.session.scalars(db.select(Assignment)).all()
    assert sorted(a.judge_id for a in rows) == [first.id, second.id]
    assert all(a.round.code == "first" and a.created_by_id == organizer.id for a in rows)


def test_only_judges_of_the_contest_can_be_assigned(client, auth, contest, applicant, organizer):
    proposal = make_proposal(contest, applicant)
    outsider = make_user("outsider@example.org")
    auth.login(organizer)
    response = client.post(f"/admin/proposals/{proposal.id}", data={"judge_ids": [outsider.id]})
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Assignment.id))) == 0


def test_the_proposal_page_shows_reviews_to_organizers(client, auth, contest, applicant,
                                                       organizer):
    from tests.factories import review
    proposal = make_proposal(contest, applicant)
    judge = make_judge(contest, name="钱评委")
    (assignment,) = assign(proposal, judge, actor=organizer)
    review(assignment, 8, 7, 6, comment="预算偏高")
    auth.login(organizer)
    page = client.get(f"/admin/proposals/{proposal.id}").get_data(as_text=True)
    assert "钱评委" in page and "预算偏高" in page and applicant.email in page


def test_closing_a_round_needs_a_post(client, auth, contest, organizer):
    auth.login(organizer)
    round_id = contest.rounds[0].id
    url = f"/admin/contests/{contest.slug}/rounds/{round_id}/close"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    db.session.refresh(contest.rounds[0])
    assert contest.rounds[0].closed_at is not None
    client.post(f"/admin/contests/{contest.slug}/rounds/{round_id}/reopen")
    db.session.refresh(contest.rounds[0])
    assert contest.rounds[0].closed_at is None
