"""The organizers' console: who may open it, the proposal list, judges and assignments."""
import re
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.models import Assignment, AuditEvent, Invitation, JudgeMembership, User
from tests.factories import PASSWORD, assign, link_in, make_judge, make_proposal, make_user, \
    review

EN = {"Accept-Language": "en"}
ORGANIZER_PAGES = ["/admin/", "/admin/settings", "/admin/organizers",
                   "/admin/contests/{slug}/proposals", "/admin/contests/{slug}/judges",
                   "/admin/proposals/{proposal}", "/admin/contests/{slug}/ranking",
                   "/admin/contests/{slug}/exports/download?format=csv"]


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


def test_the_proposal_table_shows_review_progress_on_sorted_pages(client, auth, contest,
                                                                  organizer, monkeypatch):
    from portal.proposals import table as services
    monkeypatch.setattr(services, "PER_PAGE", 2)
    judge, other = make_judge(contest), make_judge(contest, "other@example.org")
    made = [make_proposal(contest, make_user(f"p{n}@example.org"), title=f"项目{n}",
                          budget_lines=[{"item": "物资", "amount": Decimal(amount), "note": None}])
            for n, amount in enumerate(["300", "100", "200"])]
    first, _second = assign(made[0], judge, other)
    review(first, 7, 8, 9)
    review(assign(made[2], judge)[0], 5, 5, 5, submit=False)
    auth.login(organizer)

    def rows(query):
        page = client.get(f"/admin/contests/{contest.slug}/proposals?{query}", headers=EN)
        return [(title, progress) for title, progress in re.findall(
            r'>(项目\d)</a>.*?<td class="text-end">(\d+ / \d+)</td>', page.get_data(True), re.S)]

    assert rows("sort=budget&dir=desc") == [("项目0", "1 / 2"), ("项目2", "0 / 1")]
    assert rows("sort=budget&dir=desc&page=2") == [("项目1", "0 / 0")]
    assert rows("sort=budget&q=项目2") == [("项目2", "0 / 1")]


def test_a_draft_is_not_visible_to_organizers(client, auth, contest, applicant, organizer):
    draft = make_proposal(contest, applicant, submit=False)
    auth.login(organizer)
    assert client.get(f"/admin/proposals/{draft.id}").status_code == 404


def test_an_organizer_invites_a_judge_by_email(client, auth, contest, organizer, outbox):
    auth.login(organizer)
    client.post(f"/admin/contests/{contest.slug}/judges", data={
        "email": "Expert@Example.org", "display_name": "赵教授", "organization": "郑州大学",
        "themes": ["elderly_care", "medical_aid"]})
    invitation = db.session.scalar(db.select(Invitation))
    assert invitation.email == "expert@example.org" and invitation.created_by_id == organizer.id
    assert db.session.scalar(db.select(AuditEvent.action)) == "judge.invited"
    (message,) = outbox()
    assert message["To"] == "expert@example.org"
    link = link_in(message, "/invitations/")
    client.post("/logout")
    client.post(link, data={"display_name": "赵教授", "password": PASSWORD,
                            "confirm": PASSWORD})
    judge = db.session.scalar(db.select(User).filter_by(email="expert@example.org"))
    membership = db.session.scalar(db.select(JudgeMembership).filter_by(user_id=judge.id))
    assert [t.code for t in membership.expertise] == ["elderly_care", "medical_aid"]
    assert judge.organization == "郑州大学" and judge.email_confirmed


def test_resend_gives_a_fresh_link_and_revoke_kills_it(client, auth, contest, organizer,
                                                       outbox):
    auth.login(organizer)
    client.post(f"/admin/contests/{contest.slug}/judges", data={"email": "e@example.org"})
    first = link_in(outbox()[0], "/invitations/")
    invitation = db.session.scalar(db.select(Invitation))
    client.post(f"/admin/invitations/{invitation.id}/resend")
    second = link_in(outbox()[1], "/invitations/")
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200
    newest = db.session.scalar(db.select(Invitation).order_by(Invitation.id.desc()))
    client.post(f"/admin/invitations/{newest.id}/revoke")
    assert client.get(second).status_code == 404


def test_the_console_counts_each_contests_proposals_in_the_running_and_drafts(
        client, auth, contest, organizer):
    from portal.proposals.table import ContestCounts, proposal_counts_by_contest
    from portal.models import ProposalStatus
    make_proposal(contest, make_user("a@example.org"))
    make_proposal(contest, make_user("b@example.org")).status = ProposalStatus.ELIGIBLE
    make_proposal(contest, make_user("c@example.org")).status = ProposalStatus.INELIGIBLE
    make_proposal(contest, make_user("d@example.org"), submit=False)
    db.session.commit()
    counts = proposal_counts_by_contest()
    assert counts[contest.id] == ContestCounts(in_competition=2, drafts=1)
    assert counts[contest.id + 1] == ContestCounts(0, 0)   # a contest without proposals
    auth.login(organizer)
    row = re.search(r"<tr>.*?</tr>", client.get("/admin/").get_data(as_text=True).split(
        "<tbody>")[1], re.S).group(0)
    assert re.findall(r'class="text-end"[^>]*>(\d+)</td>', row) == ["2", "1"]


def test_deactivating_a_judge_returns_open_assignments_to_the_pool(client, auth, contest,
                                                                  organizer):
    from tests.factories import review
    judge = make_judge(contest)
    done = make_proposal(contest, make_user("a@example.org"))
    open_one = make_proposal(contest, make_user("b@example.org"))
    (kept,) = assign(done, judge, actor=organizer)
    assign(open_one, judge, actor=organizer)
    review(kept, 7, 7, 7)
    membership = db.session.scalar(db.select(JudgeMembership).filter_by(user_id=judge.id))
    auth.login(organizer)
    client.post(f"/admin/judges/{membership.id}/deactivate")
    remaining = db.session.scalars(db.select(Assignment)).all()
    assert [a.proposal_id for a in remaining] == [done.id]  # the submitted review stays
    assert not db.session.get(JudgeMembership, membership.id).active
    page = client.get(f"/admin/contests/{contest.slug}/judges", headers=EN).get_data(True)
    assert "Inactive" in page and "1 / 1" in page


def test_deactivating_a_judge_keeps_their_discarded_drafts_in_the_audit_log(
        client, auth, contest, organizer):
    from portal.judging.services import save_review
    judge = make_judge(contest)
    proposal = make_proposal(contest, make_user("a@example.org"))
    (assignment,) = assign(proposal, judge, actor=organizer)
    criteria = contest.criteria
    save_review(judge, assignment, {c.id: 6 for c in criteria}, comment="草稿意见", submit=False)
    db.session.commit()
    membership = db.session.scalar(db.select(JudgeMembership).filter_by(user_id=judge.id))
    auth.login(organizer)
    client.post(f"/admin/judges/{membership.id}/deactivate")
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="judge.deactivated"))
    (draft,) = event.detail["discarded_drafts"]
    assert draft["proposal"] == proposal.id and draft["comment"] == "草稿意见"
    assert {float(value) for value in draft["scores"].values()} == {6.0}
    assert len(draft["scores"]) == len(criteria)
    log = client.get(f"/admin/contests/{contest.slug}/audit").get_data(as_text=True)
    assert "草稿意见" in log


def test_site_settings_show_in_the_footer(client, auth, contest, organizer):
    auth.login(organizer)
    client.post("/admin/settings", data={"version": "0", "site_name_zh": "郑州慈善创投平台",
                                         "icp_number": "豫ICP备12345678号",
                                         "footer_text": "郑州慈善总会主办"})
    page = client.get("/").get_data(as_text=True)
    assert "郑州慈善创投平台" in page and "豫ICP备12345678号" in page and "郑州慈善总会主办" in page
    stale = client.post("/admin/settings", data={"version": "0", "site_name_zh": "旧"},
                        headers=EN)
    assert "Someone else changed the settings" in stale.get_data(as_text=True)


def test_organizers_invite_colleagues_and_never_deactivate_the_last(client, auth, organizer,
                                                                    outbox):
    auth.login(organizer)
    response = client.post(f"/admin/organizers/{organizer.id}/deactivate", headers=EN,
                           follow_redirects=True)
    assert "last active organizer" in response.get_data(as_text=True)
    client.post("/admin/organizers", data={"email": "colleague@example.org"})
    link = link_in(outbox()[0], "/invitations/")
    client.post("/logout")
    client.post(link, data={"display_name": "同事", "password": PASSWORD, "confirm": PASSWORD})
    colleague = db.session.scalar(db.select(User).filter_by(email="colleague@example.org"))
    assert colleague.is_organizer
    auth.login(colleague)
    client.post(f"/admin/organizers/{organizer.id}/deactivate")
    assert not db.session.get(User, organizer.id).active


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
    client.post(f"/admin/contests/{contest.slug}/rounds/{round_id}/reopen",
                data={"reason": "一位评审专家的评分录入有误"})
    db.session.refresh(contest.rounds[0])
    assert contest.rounds[0].closed_at is None
