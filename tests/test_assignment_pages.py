"""Organizers assign judges: automatically (preview, then save), a selection of proposals to one
judge, by hand on the proposal page, reassignment; rounds, reopening and reminders."""
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.judging.reminders import send_judge_reminders
from portal.models import Assignment, AuditEvent, JudgeMembership, Notification, Review, Round, \
    utcnow
from tests.factories import assign, email_text, make_judge, make_proposal, make_user, review, \
    without_csrf_tokens

EN = {"Accept-Language": "en"}


def pairs():
    return sorted((a.proposal_id, a.judge_id) for a in db.session.scalars(db.select(Assignment)))


def audit(action):
    return db.session.scalars(db.select(AuditEvent).filter_by(action=action)
                              .order_by(AuditEvent.id)).all()


@pytest.fixture
def pool(app_context, contest):
    """Four proposals (three elderly care, one disability aid) and three judges: two with
    elderly care expertise, one with disability aid."""
    proposals = [make_proposal(contest, make_user(f"a{n}@example.org"), title=f"安老项目{n}")
                 for n in range(3)]
    proposals.append(make_proposal(contest, make_user("d@example.org"), theme_index=5,
                                   title="助残项目"))
    judges = [make_judge(contest, "j1@example.org", name="甲评委", themes=["elderly_care"]),
              make_judge(contest, "j2@example.org", name="乙评委", themes=["elderly_care"]),
              make_judge(contest, "j3@example.org", name="丙评委", themes=["disability_aid"])]
    return contest, proposals, judges


def plan_url(contest, **query):
    url = f"/admin/contests/{contest.slug}/rounds/{contest.rounds[0].id}/assign"
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def test_the_preview_shows_the_plan_and_saves_nothing(client, auth, organizer, pool):
    contest, proposals, judges = pool
    auth.login(organizer)
    page = client.get(plan_url(contest, k=2), headers=EN).get_data(as_text=True)
    assert "Preview" in page and "Save these assignments" in page
    assert "甲评委" in page and "丙评委" in page and "安老项目0" in page
    assert "8 new assignment(s), 0 kept" in page
    assert pairs() == [] and audit("assignments.planned") == []


def test_impossible_assignments_are_explained_on_the_preview(client, auth, organizer, pool):
    contest, proposals, judges = pool
    auth.login(organizer)
    page = client.get(plan_url(contest, k=4), headers=EN).get_data(as_text=True)
    reference = proposals[0].reference
    assert f"Theme Elderly care: 3 judge(s) for k=4 (proposal {reference})." in page
    assert "Theme Disability aid: 1 judge(s) with this expertise for k=4" in page
    capped = client.get(plan_url(contest, k=2, max_load=2), headers=EN).get_data(as_text=True)
    assert "have reached the maximum load" in capped
    assert pairs() == []


def test_a_bad_k_is_explained_and_nothing_planned(client, auth, organizer, pool):
    contest, _proposals, _judges = pool
    auth.login(organizer)
    page = client.get(plan_url(contest, k=0), headers=EN).get_data(as_text=True)
    assert "Number must be between 1 and 20." in page and "Save these assignments" not in page


def test_saving_the_plan_is_idempotent_and_audited(client, auth, organizer, pool):
    contest, proposals, judges = pool
    auth.login(organizer)
    def preview():
        return without_csrf_tokens(client.get(plan_url(contest, k=2)).get_data(as_text=True))
    first_preview = preview()
    assert preview() == first_preview
    response = client.post(plan_url(contest), data={"k": "2", "max_load": ""}, headers=EN,
                           follow_redirects=True)
    assert "8 new assignment(s) saved." in response.get_data(as_text=True)
    saved = pairs()
    assert len(saved) == 8 and all(count == 2 for count in
                                   [sum(1 for p, _ in saved if p == x.id) for x in proposals])
    (event,) = audit("assignments.planned")
    assert event.actor_id == organizer.id and event.detail["created"] == 8
    assert sorted(map(tuple, event.detail["pairs"])) == saved
    again = client.post(plan_url(contest), data={"k": "2"}, headers=EN, follow_redirects=True)
    assert "0 new assignment(s) saved." in again.get_data(as_text=True)
    assert pairs() == saved and len(audit("assignments.planned")) == 1
    assert "Nothing new to save" in client.get(plan_url(contest, k=2), headers=EN).get_data(True)


def test_the_plan_prefers_expertise_and_keeps_existing_assignments(client, auth, organizer,
                                                                     pool):
    contest, proposals, judges = pool
    j1, j2, j3 = judges
    assign(proposals[3], j1, actor=organizer)  # by hand, outside j1's expertise: kept
    auth.login(organizer)
    client.post(plan_url(contest), data={"k": "1"})
    by_proposal = dict(pairs())
    assert by_proposal[proposals[3].id] == j1.id
    assert {by_proposal[p.id] for p in proposals[:3]} <= {j1.id, j2.id}


def test_conflicted_and_inactive_judges_are_never_planned(client, auth, organizer, contest):
    same_domain = make_proposal(contest, make_user("wang@zzu.edu.cn"), title="同校项目")
    other = make_proposal(contest, make_user("li@163.com", organization="另一协会"),
                          title="他校项目")
    colleague = make_judge(contest, "zhao@zzu.edu.cn", name="赵评委")
    public = make_judge(contest, "qian@163.com", name="钱评委")
    inactive = make_judge(contest, "sun@example.org", name="孙评委")
    db.session.scalar(db.select(JudgeMembership).filter_by(user_id=inactive.id)).active = False
    db.session.commit()
    auth.login(organizer)
    page = client.get(plan_url(contest, k=2), headers=EN).get_data(as_text=True)
    assert f"Theme Elderly care: 1 judge(s) for k=2 (proposal {same_domain.reference})" in page
    client.post(plan_url(contest), data={"k": "2"})
    assert pairs() == sorted([(same_domain.id, public.id), (other.id, colleague.id),
                              (other.id, public.id)])


def test_an_existing_conflicted_assignment_is_reported_for_reassignment(client, auth, organizer,
                                                                          contest):
    proposal = make_proposal(contest, make_user("wang@zzu.edu.cn"))
    judge = make_judge(contest, "zhao@zzu.edu.cn", name="赵评委")
    # Recorded before the rule existed (or the judge's address changed since).
    db.session.add(Assignment(round_id=contest.rounds[0].id, proposal_id=proposal.id,
                              judge_id=judge.id))
    db.session.commit()
    auth.login(organizer)
    page = client.get(plan_url(contest, k=1), headers=EN).get_data(as_text=True)
    assert f"Proposal {proposal.reference}: 赵评委 has a conflict of interest " \
           f"(same email domain). Reassign it." in page


def test_a_later_round_plans_only_advanced_proposals(client, auth, organizer, pool):
    contest, proposals, judges = pool
    final = Round(contest_id=contest.id, position=2, code="final", name_zh="终审",
                  name_en="Final round")
    db.session.add(final)
    proposals[1].status = "advanced"
    db.session.commit()
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/rounds/{final.id}/assign"
    page = client.get(url + "?k=1", headers=EN).get_data(as_text=True)
    assert "1 proposal(s), 1 new assignment(s)" in page
    client.post(url, data={"k": "1"})
    assert [p for p, _ in pairs()] == [proposals[1].id]


def test_a_closed_round_cannot_be_planned(client, auth, organizer, pool):
    contest, _proposals, _judges = pool
    contest.rounds[0].closed_at = utcnow()
    db.session.commit()
    auth.login(organizer)
    response = client.post(plan_url(contest), data={"k": "2"}, headers=EN, follow_redirects=True)
    assert "This round is closed" in response.get_data(as_text=True) and pairs() == []


def selection_url(contest, judge):
    membership = db.session.scalar(db.select(JudgeMembership).filter_by(user_id=judge.id))
    return f"/admin/contests/{contest.slug}/judges/{membership.id}/proposals"


def test_a_selection_of_proposals_goes_to_one_judge(client, auth, organizer, pool):
    contest, proposals, (j1, _j2, _j3) = pool
    auth.login(organizer)
    page = client.get(selection_url(contest, j1), headers=EN).get_data(as_text=True)
    assert "Assign proposals to 甲评委" in page and proposals[3].reference in page
    response = client.post(selection_url(contest, j1), headers=EN, follow_redirects=True,
                           data={"proposal_ids": [proposals[0].id, proposals[3].id]})
    assert "2 new assignment(s) saved." in response.get_data(as_text=True)
    client.post(selection_url(contest, j1), data={"proposal_ids": [proposals[0].id]})
    assert pairs() == sorted([(proposals[0].id, j1.id), (proposals[3].id, j1.id)])
    assert len(audit("assignment.created")) == 2


def test_a_selection_refuses_a_conflicted_or_inactive_judge(client, auth, organizer, contest):
    proposal = make_proposal(contest, make_user("wang@zzu.edu.cn"))
    fine = make_proposal(contest, make_user("li@example.org"), title="无冲突项目")
    colleague = make_judge(contest, "zhao@zzu.edu.cn", name="赵评委")
    auth.login(organizer)
    page = client.get(selection_url(contest, colleague), headers=EN).get_data(as_text=True)
    assert "Conflict of interest: same email domain" in page
    response = client.post(selection_url(contest, colleague), headers=EN,
                           data={"proposal_ids": [proposal.id, fine.id]})
    assert response.status_code == 200
    assert f"赵评委 has a conflict of interest with {proposal.reference} (same email domain)" \
        in response.get_data(as_text=True)
    db.session.scalar(db.select(JudgeMembership).filter_by(user_id=colleague.id)).active = False
    db.session.commit()
    response = client.post(selection_url(contest, colleague), headers=EN,
                           data={"proposal_ids": [fine.id]})
    assert "赵评委 is not an active judge of this contest." in response.get_data(as_text=True)
    assert pairs() == []


def test_the_proposal_form_refuses_a_conflicted_judge(client, auth, organizer, contest):
    proposal = make_proposal(contest, make_user("wang@zzu.edu.cn"))
    colleague = make_judge(contest, "zhao@zzu.edu.cn", name="赵评委")
    auth.login(organizer)
    page = client.get(f"/admin/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "赵评委 — conflict of interest (same email domain)" in page
    response = client.post(f"/admin/proposals/{proposal.id}", headers=EN,
                           data={"judge_ids": [colleague.id]})
    assert "has a conflict of interest" in response.get_data(as_text=True) and pairs() == []


def test_reassigning_keeps_the_old_scores_only_in_the_audit_log(client, auth, organizer,
                                                                  contest, applicant):
    proposal = make_proposal(contest, applicant)
    first = make_judge(contest, "j1@example.org", name="甲评委")
    second = make_judge(contest, "j2@example.org", name="乙评委")
    (assignment,) = assign(proposal, first, actor=organizer)
    review(assignment, 8, 7, 6, comment="预算偏高")
    auth.login(organizer)
    url = f"/admin/assignments/{assignment.id}/reassign"
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "Their scores will leave the ranking" in page
    refused = client.post(url, data={"judge_id": second.id, "reason": ""}, headers=EN)
    assert "Give the reason" in refused.get_data(as_text=True)
    response = client.post(url, data={"judge_id": second.id, "reason": "甲评委出差"})
    assert response.status_code == 302
    assert pairs() == [(proposal.id, second.id)]
    assert db.session.scalar(db.select(db.func.count(Review.id))) == 0
    (event,) = audit("assignment.reassigned")
    assert event.detail["judge"] == first.id and event.detail["to_judge"] == second.id
    assert event.detail["reason"] == "甲评委出差"
    removed = event.detail["removed_review"]
    assert removed["scores"] == {"innovation": "8.00", "practicality": "7.00",
                                 "operability": "6.00"}
    assert removed["comment"] == "预算偏高" and removed["submitted_at"]


def test_reassigning_to_a_conflicted_judge_is_refused(client, auth, organizer, contest):
    proposal = make_proposal(contest, make_user("wang@zzu.edu.cn"))
    first = make_judge(contest, "j1@example.org")
    colleague = make_judge(contest, "zhao@zzu.edu.cn", name="赵评委")
    (assignment,) = assign(proposal, first, actor=organizer)
    auth.login(organizer)
    response = client.post(f"/admin/assignments/{assignment.id}/reassign", headers=EN,
                           data={"judge_id": colleague.id, "reason": "换人"})
    assert "赵评委 has a conflict of interest" in response.get_data(as_text=True)
    assert pairs() == [(proposal.id, first.id)]


def test_the_rounds_page_closes_and_reopening_needs_a_reason(client, auth, organizer, contest):
    contest_round = contest.rounds[0]
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/rounds", headers=EN).get_data(True)
    assert "First round" in page and "Automatic assignment" in page
    client.post(f"/admin/contests/{contest.slug}/rounds/{contest_round.id}/close")
    db.session.refresh(contest_round)
    assert contest_round.closed_at is not None
    url = f"/admin/contests/{contest.slug}/rounds/{contest_round.id}/reopen"
    assert "Reason for reopening" in client.get(url, headers=EN).get_data(as_text=True)
    refused = client.post(url, data={"reason": "  "}, headers=EN)
    assert "Give the reason for reopening" in refused.get_data(as_text=True)
    db.session.refresh(contest_round)
    assert contest_round.closed_at is not None
    client.post(url, data={"reason": "补录一位评审专家的评分"})
    db.session.refresh(contest_round)
    assert contest_round.closed_at is None
    (event,) = audit("round.reopened")
    assert event.detail["reason"] == "补录一位评审专家的评分"


@pytest.fixture
def waiting(app_context, contest, organizer):
    """Two judges: one with an unscored assignment (English), one who has scored everything."""
    late = make_judge(contest, "late@example.org", name="Late Judge")
    late.locale = "en"
    done = make_judge(contest, "done@example.org", name="勤评委")
    first = make_proposal(contest, make_user("a@example.org"), title="社区老人项目")
    (pending,) = assign(first, late, actor=organizer)
    (finished,) = assign(first, done, actor=organizer)
    review(finished, 7, 7, 7)
    return late, done, pending


def reminders_sent(outbox, address):
    """The messages to this address other than the invitation."""
    return [message for message in outbox() if message["To"] == address
            and "/invitations/" not in email_text(message)]


def test_the_reminder_button_emails_late_judges_once_a_day(client, auth, organizer, contest,
                                                           waiting, outbox):
    late, done, pending = waiting
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/judges/remind"
    response = client.post(url, headers=EN, follow_redirects=True)
    assert "1 judge(s) reminded by email." in response.get_data(as_text=True)
    (message,) = reminders_sent(outbox, late.email)
    text = email_text(message)
    assert "社区老人项目" in text and "/judge" in text and "waiting for your scores" in text
    assert reminders_sent(outbox, done.email) == []
    again = client.post(url, headers=EN, follow_redirects=True).get_data(as_text=True)
    assert "0 judge(s) reminded by email. 1 judge(s) were already reminded today." in again
    assert len(reminders_sent(outbox, late.email)) == 1
    (row,) = db.session.scalars(db.select(Notification)).all()
    assert row.kind.startswith("judge_reminder:") and row.user_id == late.id
    assert audit("judges.reminded")[0].detail["judges"] == [late.id]


def test_the_next_day_brings_another_reminder_in_the_judges_language(app_context, contest,
                                                                     waiting, outbox):
    late, _done, _pending = waiting
    assert send_judge_reminders(None, contest)[0] == 1
    db.session.commit()
    assert send_judge_reminders(None, contest) == (0, 1)
    db.session.commit()
    late.locale = "zh_CN"
    db.session.commit()
    assert send_judge_reminders(None, contest, utcnow() + timedelta(days=1))[0] == 1
    db.session.commit()
    english, chinese = reminders_sent(outbox, late.email)
    assert '<html lang="en">' in english.get_body(("html",)).get_content()
    assert '<html lang="zh-CN">' in chinese.get_body(("html",)).get_content()


def test_no_reminder_outside_the_judging_window(app_context, contest, waiting):
    contest.rounds[0].closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert send_judge_reminders(None, contest) == (0, 0)


def test_the_cli_reminds_judges(runner, app_context, contest, waiting, outbox):
    late, _done, _pending = waiting
    result = runner.invoke(args=["remind-judges", "--contest", contest.slug])
    assert result.exit_code == 0 and "1 judge(s) reminded" in result.output
    result = runner.invoke(args=["remind-judges", "--contest", contest.slug])
    assert "0 judge(s) reminded; 1 already reminded today" in result.output
    assert len(reminders_sent(outbox, late.email)) == 1
    assert runner.invoke(args=["remind-judges", "--contest", "nope"]).exit_code != 0


ORGANIZER_ONLY = [
    ("get", "/admin/contests/{slug}/rounds"),
    ("get", "/admin/contests/{slug}/rounds/{round}/assign?k=2"),
    ("post", "/admin/contests/{slug}/rounds/{round}/assign"),
    ("get", "/admin/contests/{slug}/rounds/{round}/reopen"),
    ("get", "/admin/contests/{slug}/judges/{membership}/proposals"),
    ("get", "/admin/assignments/{assignment}/reassign"),
    ("get", "/admin/contests/{slug}/conflicts"),
    ("get", "/admin/contests/{slug}/conflicts/remove?judge={judge}&proposal={proposal}"),
    ("post", "/admin/contests/{slug}/judges/remind"),
]


@pytest.mark.parametrize("method, page", ORGANIZER_ONLY)
@pytest.mark.parametrize("role, expected", [
    ("anonymous", 302), ("applicant", 403), ("judge", 403), ("organizer", 200)])
def test_only_organizers_reach_the_assignment_pages(client, auth, contest, applicant, organizer,
                                                   method, page, role, expected):
    proposal = make_proposal(contest, applicant)
    judge = make_judge(contest)
    (assignment,) = assign(proposal, judge, actor=organizer)
    membership = db.session.scalar(db.select(JudgeMembership))
    contest.rounds[0].closed_at = utcnow()  # so that reopening has a page to show
    db.session.commit()
    url = page.format(slug=contest.slug, round=contest.rounds[0].id, membership=membership.id,
                      assignment=assignment.id, judge=judge.id, proposal=proposal.id)
    if role != "anonymous":
        auth.login({"applicant": applicant, "organizer": organizer, "judge": judge}[role])
    response = getattr(client, method)(url, data={"k": "2"} if method == "post" else None)
    if method == "post" and role == "organizer":
        assert response.status_code in (200, 302)
        return
    assert response.status_code == expected


@pytest.mark.parametrize("page", [
    "/admin/contests/{slug}/rounds", "/admin/contests/{slug}/rounds/{round}/assign?k=2",
    "/admin/contests/{slug}/judges/{membership}/proposals", "/admin/proposals/{proposal}",
    "/admin/contests/{slug}/judges"])
def test_the_pages_issue_a_bounded_number_of_queries(client, auth, contest, organizer,
                                                      count_queries, page):
    judges = [make_judge(contest, f"j{n}@example.org", themes=["elderly_care"])
              for n in range(2)]

    def grow(start, count):
        for number in range(start, start + count):
            proposal = make_proposal(contest, make_user(f"g{number}@example.org"),
                                     theme_index=number % 3, title=f"项目{number}")
            (assignment,) = assign(proposal, judges[number % 2], actor=organizer)
            if number % 2:
                review(assignment, 7, 7, 7)

    grow(0, 3)
    membership = db.session.scalar(db.select(JudgeMembership))
    first = db.session.scalar(db.select(Assignment.proposal_id).order_by(Assignment.id))
    url = page.format(slug=contest.slug, round=contest.rounds[0].id, membership=membership.id,
                      proposal=first)
    auth.login(organizer)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    grow(3, 12)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.total == small.total


def test_the_preview_says_whether_themes_can_be_compared(client, auth, organizer, pool):
    contest, proposals, judges = pool
    auth.login(organizer)
    linked = client.get(plan_url(contest, k=2), headers=EN).get_data(as_text=True)
    assert "Connected: every judge is linked to every other" in linked
    assert "compare all themes fairly" in linked and "cannot be compared" not in linked
    # One judge a proposal: three judges who share nothing.
    apart = client.get(plan_url(contest, k=1, cross_theme_seats=0), headers=EN).get_data(True)
    assert "Themes cannot be compared fairly with this plan" in apart
    assert "The judges fall into 3 separate groups" in apart and "quotas" in apart
    assert 'id="save-cross-theme-seats" name="cross_theme_seats" type="hidden" value="0"' \
        in apart
    chinese = client.get(plan_url(contest, k=1, cross_theme_seats=0)).get_data(as_text=True)
    assert "无法公平比较" in chinese


def test_the_saved_plan_has_one_judge_of_another_theme_per_proposal(client, auth, organizer,
                                                                     pool):
    contest, proposals, judges = pool
    auth.login(organizer)
    client.post(plan_url(contest), data={"k": "2", "cross_theme_seats": "1"})
    elderly, disability = {judges[0].id, judges[1].id}, {judges[2].id}
    for proposal in proposals:
        on = {judge for p, judge in pairs() if p == proposal.id}
        own = disability if proposal is proposals[-1] else elderly
        assert len(on & own) == 1 and len(on - own) == 1
    (event,) = audit("assignments.planned")
    assert event.detail["cross_theme_seats"] == 1


def test_a_plan_that_no_exchange_can_link_is_reported_on_the_preview(client, auth, organizer,
                                                                     pool):
    contest, proposals, judges = pool
    auth.login(organizer)
    # One proposal a judge (cap 1): three judges cannot all share the two proposals they get.
    url = plan_url(contest, k=2, max_load=1, cross_theme_seats=1)
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "The judges still fall into 2 separate groups that share no proposal" in page
    assert "评审专家仍分成 2 个互不相连的小组" in client.get(url).get_data(as_text=True)
