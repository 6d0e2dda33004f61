"""A theme chair's awards proposal for their theme (issue 25): the states, the rules, the
organizer's confirmation through the allocation's own step, and the pages. The access matrix
(tests/test_access_matrix.py) holds every route's answer for each role."""
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError

from portal.awards import publishing, services, theme_proposals
from portal.errors import DomainError
from portal.extensions import db
from portal.models import AuditEvent, Award, AwardProposal, AwardProposalState, Permission, \
    Publication, PublicationStage, User
from portal.rights import grant_rights
from tests.concurrency import at_once
from tests.factories import email_text, make_chair, make_user
from tests.test_awards import EN, awards_by_title, quota_contest

State = AwardProposalState


@pytest.fixture
def proposals(contest, organizer):
    """甲 9 and 乙 8 in the first theme, 丙 7 and 丁 6 in the fifth, 戊 10 but ineligible in
    the first; 一等奖 1 overall (50,000), 主题奖 1 per theme (up to 30,000)."""
    return quota_contest(contest, organizer)


@pytest.fixture
def chair(contest, proposals):
    return make_chair(contest, "chair@example.org", themes=[contest.themes[0].code])


def tiers(contest):
    first, theme_prize = contest.award_tiers
    return first, theme_prize


def events(action):
    return db.session.scalars(db.select(AuditEvent).filter_by(action=action)
                              .order_by(AuditEvent.id)).all()


def test_the_suggestion_is_what_the_allocation_from_the_ranking_gives(app_context, contest,
                                                                      proposals, chair):
    a, b, c, d, e = proposals
    first, theme_prize = tiers(contest)
    ranking = theme_proposals.theme_ranking(contest, contest.themes[0])
    assert [c.proposal.title for c in ranking.candidates if c.eligible] == ["甲项目", "乙项目"]
    assert {pid: t.code for pid, t in ranking.suggestion().items()} == {
        a.id: "first_prize", b.id: "theme_prize"}


def test_draft_submit_return_resubmit_confirm(app_context, contest, organizer, proposals, chair,
                                              outbox):
    a, b, c, d, e = proposals
    first, theme_prize = tiers(contest)
    theme = contest.themes[0]
    draft = theme_proposals.save(chair, contest, theme, {a.id: first.id, b.id: theme_prize.id},
                                 "")
    db.session.commit()
    assert draft.state == State.DRAFT and len(draft.lines) == 2
    # Departing from the ranking needs a reason.
    swapped = {a.id: theme_prize.id, b.id: first.id}
    with pytest.raises(DomainError) as refused:
        theme_proposals.save(chair, contest, theme, swapped, "", submit=True)
    assert refused.value.field == "note"
    db.session.rollback()
    submitted = theme_proposals.save(chair, contest, theme, swapped, "乙项目路演表现更好",
                                     submit=True)
    db.session.commit()
    assert submitted.id == draft.id and submitted.state == State.SUBMITTED
    (mail,) = [m for m in outbox() if m["To"] == organizer.email]
    assert "安老" in str(mail["Subject"]) or contest.themes[0].name_zh in str(mail["Subject"])
    assert f"/award-proposals/{draft.id}" in email_text(mail)
    # The chair may not decide on their own proposal, nor edit it while it waits.
    with pytest.raises(DomainError):
        theme_proposals.confirm(chair, submitted)
    with pytest.raises(DomainError):
        theme_proposals.save(chair, contest, theme, swapped, "再改", submit=True)
    db.session.rollback()
    with pytest.raises(DomainError) as refused:
        theme_proposals.send_back(organizer, submitted, "  ")
    assert refused.value.field == "reason"
    theme_proposals.send_back(organizer, submitted, "请说明乙项目的评分依据")
    db.session.commit()
    assert submitted.state == State.RETURNED
    assert submitted.return_reason == "请说明乙项目的评分依据"
    (told,) = [m for m in outbox() if m["To"] == chair.email and "退回" in str(m["Subject"])]
    assert "请说明乙项目的评分依据" in email_text(told)
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 0
    with pytest.raises(DomainError):
        theme_proposals.confirm(organizer, submitted)   # returned, not waiting
    db.session.rollback()
    theme_proposals.save(chair, contest, theme, swapped, "乙项目路演表现更好，评委一致认可",
                         submit=True)
    db.session.commit()
    theme_proposals.confirm(organizer, submitted)
    db.session.commit()
    assert submitted.state == State.CONFIRMED and submitted.decided_by_id == organizer.id
    awards = {award.proposal_id: award for award in db.session.scalars(db.select(Award))}
    assert {pid: award.tier.code for pid, award in awards.items()} == {
        a.id: "theme_prize", b.id: "first_prize"}
    assert awards[b.id].grant == Decimal("50000")
    assert awards[a.id].grant == services.grant_for(theme_prize, a)
    assert awards[b.id].override_reason == "乙项目路演表现更好，评委一致认可"
    assert [e.actor_id for e in events("award_proposal.saved")] == [chair.id]
    assert [e.actor_id for e in events("award_proposal.submitted")] == [chair.id, chair.id]
    assert [e.actor_id for e in events("award_proposal.returned")] == [organizer.id]
    assert [e.actor_id for e in events("award_proposal.confirmed")] == [organizer.id]
    # A new proposal may start after the confirmation; the confirmed one stays as it was.
    again = theme_proposals.save(chair, contest, theme, {a.id: first.id}, "")
    db.session.commit()
    assert again.id != submitted.id and again.state == State.DRAFT


def test_confirming_the_ranking_gives_what_the_allocation_gives(app_context, contest,
                                                                organizer, proposals, chair):
    """One definition of the rule: the theme's awards from a confirmed proposal that follows
    the ranking are the allocation's own, tier and grant."""
    a, b, c, d, e = proposals
    preview = services.preview_allocation(contest)
    services.save_allocation(organizer, contest, preview.digest)
    db.session.commit()
    allocated = {(award.proposal_id, award.tier_id, award.grant) for award in db.session.scalars(
        db.select(Award)) if award.proposal.theme_id == contest.themes[0].id}
    for award in db.session.scalars(db.select(Award)):
        db.session.delete(award)
    db.session.commit()
    theme = contest.themes[0]
    suggestion = theme_proposals.theme_ranking(contest, theme).suggestion()
    submitted = theme_proposals.save(chair, contest, theme,
                                     {pid: tier.id for pid, tier in suggestion.items()}, "",
                                     submit=True)
    theme_proposals.confirm(organizer, submitted)
    db.session.commit()
    confirmed = {(award.proposal_id, award.tier_id, award.grant)
                 for award in db.session.scalars(db.select(Award))}
    assert confirmed == allocated and len(confirmed) == 2
    assert all(award.override_reason is None for award in db.session.scalars(db.select(Award)))


def test_places_proposals_and_themes_are_checked(app_context, contest, organizer, proposals,
                                                 chair):
    a, b, c, d, e = proposals
    first, theme_prize = tiers(contest)
    theme, other = contest.themes[0], contest.themes[4]
    with pytest.raises(DomainError, match="1"):   # 一等奖 has one place
        theme_proposals.save(chair, contest, theme, {a.id: first.id, b.id: first.id}, "x")
    with pytest.raises(DomainError):               # 戊 is not in competition
        theme_proposals.save(chair, contest, theme, {e.id: first.id}, "x")
    with pytest.raises(DomainError):               # 丙 is another theme's
        theme_proposals.save(chair, contest, theme, {c.id: theme_prize.id}, "x")
    with pytest.raises(DomainError):               # the chair's grant does not cover it
        theme_proposals.save(chair, contest, other, {c.id: theme_prize.id}, "x")
    db.session.rollback()
    # An overall tier counts its awards in the whole contest when confirming.
    services.move_award(organizer, contest, c.reference, first.id, "现场评审")
    submitted = theme_proposals.save(chair, contest, theme, {a.id: first.id, b.id: theme_prize.id},
                                     "", submit=True)
    db.session.commit()
    with pytest.raises(DomainError, match="2"):
        theme_proposals.confirm(organizer, submitted)
    db.session.rollback()
    assert db.session.get(AwardProposal, submitted.id).state == State.SUBMITTED


def test_the_pool_needs_a_tick(app_context, contest, organizer, proposals, chair):
    a, b, c, d, e = proposals
    first, theme_prize = tiers(contest)
    contest.funding_pool = Decimal("60000")
    submitted = theme_proposals.save(chair, contest, contest.themes[0],
                                     {a.id: first.id, b.id: theme_prize.id}, "", submit=True)
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        theme_proposals.confirm(organizer, submitted)
    assert refused.value.field == "confirm_over_pool"
    db.session.rollback()
    theme_proposals.confirm(organizer, db.session.get(AwardProposal, submitted.id),
                            confirm_over_pool=True)
    db.session.commit()
    assert len(awards_by_title()) == 2


def test_nothing_is_proposed_once_published_nor_confirmed_once_final(app_context, contest,
                                                                     organizer, proposals,
                                                                     chair):
    a, b, c, d, e = proposals
    first, theme_prize = tiers(contest)
    theme = contest.themes[0]
    submitted = theme_proposals.save(chair, contest, theme, {a.id: first.id}, "只评一个",
                                     submit=True)
    services.move_award(organizer, contest, c.reference, theme_prize.id, "先行")
    contest.objection_days = 0
    publishing.publish_provisional(organizer, contest)
    db.session.commit()
    with pytest.raises(DomainError, match="已公示"):
        theme_proposals.save(chair, contest, theme, {a.id: first.id}, "")
    db.session.rollback()
    publishing.finalize(organizer, contest)
    db.session.commit()
    assert db.session.scalar(db.select(Publication.stage)) == PublicationStage.FINAL
    with pytest.raises(DomainError, match="不能再更改"):
        theme_proposals.confirm(organizer, submitted)
    db.session.rollback()
    assert db.session.get(AwardProposal, submitted.id).state == State.SUBMITTED


def test_a_whole_contest_grant_decides_but_never_on_its_own_proposal(app_context, contest,
                                                                     organizer, proposals,
                                                                     chair):
    a, b, c, d, e = proposals
    first, theme_prize = tiers(contest)
    deputy = make_user("deputy@example.org")
    grant_rights(organizer, contest, deputy, [Permission.AWARDS])
    db.session.commit()
    own = theme_proposals.save(deputy, contest, contest.themes[4], {c.id: theme_prize.id}, "",
                               submit=True)
    chairs = theme_proposals.save(chair, contest, contest.themes[0], {a.id: first.id}, "只评一个",
                                  submit=True)
    db.session.commit()
    with pytest.raises(DomainError, match="其他主办方"):
        theme_proposals.confirm(deputy, own)
    db.session.rollback()
    theme_proposals.confirm(deputy, chairs)
    db.session.commit()
    assert awards_by_title() == {"甲项目": "first_prize"}


def test_a_theme_has_one_open_proposal(app_context, contest, proposals, chair):
    theme = contest.themes[0]
    db.session.add(AwardProposal(contest_id=contest.id, theme_id=theme.id, state=State.DRAFT))
    db.session.add(AwardProposal(contest_id=contest.id, theme_id=theme.id,
                                 state=State.CONFIRMED))
    db.session.commit()
    db.session.add(AwardProposal(contest_id=contest.id, theme_id=theme.id,
                                 state=State.SUBMITTED))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_two_confirmations_at_once_apply_once(app, contest, organizer, proposals, chair):
    """Each confirmation runs as a POST does (tests.concurrency.at_once); on PostgreSQL both
    first read the proposal submitted, and the conditional UPDATE lets only one through."""
    a, b, c, d, e = proposals
    first, theme_prize = tiers(contest)
    colleague = make_user("colleague@example.org", organizer=True)
    submitted = theme_proposals.save(chair, contest, contest.themes[0],
                                     {a.id: first.id, b.id: theme_prize.id}, "", submit=True)
    db.session.commit()
    proposal_id = submitted.id

    def load(actor_id):
        return db.session.get(AwardProposal, proposal_id), db.session.get(User, actor_id)

    def confirm(loaded, _actor_id):
        award_proposal, actor = loaded
        theme_proposals.confirm(actor, award_proposal)

    outcomes = at_once(app, load, confirm, [organizer.id, colleague.id],
                       unchanged=lambda loaded: loaded[0].state == State.SUBMITTED)
    assert sorted(kind for kind, _ in outcomes) == ["done", "refused"], outcomes
    db.session.rollback()
    winner = next(actor for kind, actor in outcomes if kind == "done")
    assert db.session.get(AwardProposal, proposal_id).decided_by_id == winner
    assert db.session.scalar(db.select(db.func.count(Award.id))) == 2
    assert len(events("award_proposal.confirmed")) == 1


# The pages

def _form(contest, choices, note="", submit=True):
    data = {f"tier_{pid}": str(tier.id) if tier else "none" for pid, tier in choices.items()}
    data["note"] = note
    data["submit_proposal" if submit else "save"] = "1"
    return data


def test_the_chair_proposes_and_an_organizer_confirms_through_the_pages(client, auth, contest,
                                                                        organizer, proposals,
                                                                        chair):
    a, b, c, d, e = proposals
    first, theme_prize = tiers(contest)
    own, other = contest.themes[0].code, contest.themes[4].code
    url = f"/admin/contests/{contest.slug}/award-proposals/themes/{own}"
    auth.login(chair)
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "甲项目" in page and "乙项目" in page and "丙项目" not in page
    assert f'name="tier_{a.id}"' in page and f'name="tier_{e.id}"' not in page
    assert client.get(f"/admin/contests/{contest.slug}/award-proposals/themes/{other}"
                      ).status_code == 404
    assert client.get(f"/admin/contests/{contest.slug}/award-proposals/themes/nope"
                      ).status_code == 404
    index = client.get(f"/admin/contests/{contest.slug}/award-proposals", headers=EN)
    assert index.status_code == 200 and f"/themes/{other}" not in index.get_data(as_text=True)
    response = client.post(url, data=_form(contest, {a.id: theme_prize, b.id: first}),
                           headers=EN)
    assert response.status_code == 422 and "departs from the ranking" in \
        response.get_data(as_text=True)
    response = client.post(url, data=_form(contest, {a.id: theme_prize, b.id: first},
                                           note="<b>乙</b>更好"))
    assert response.status_code == 302
    (submitted,) = db.session.scalars(db.select(AwardProposal)).all()
    review = f"/admin/contests/{contest.slug}/award-proposals/{submitted.id}"
    assert client.get(review).status_code == 403
    assert client.post(f"{review}/confirm").status_code == 403
    page = client.get(url, headers=EN).get_data(as_text=True)
    assert "waits for an organizer" in page and f'name="tier_{a.id}"' not in page
    auth.login(organizer)
    awards_page = client.get(f"/admin/contests/{contest.slug}/awards").get_data(as_text=True)
    assert "有 1 份主题方向的评奖建议等待您审定。" in awards_page
    page = client.get(review, headers=EN).get_data(as_text=True)
    assert page.count("differs from the ranking") == 2
    assert "&lt;b&gt;乙&lt;/b&gt;更好" in page and "<b>乙</b>" not in page
    response = client.post(f"{review}/return", data={"reason": ""}, headers=EN)
    assert response.status_code == 422
    assert client.post(f"{review}/confirm", data={}).status_code == 302
    assert awards_by_title() == {"甲项目": "theme_prize", "乙项目": "first_prize"}
    audit = client.get(f"/admin/contests/{contest.slug}/audit", headers=EN).get_data(True)
    assert "confirmed the awards proposal of the theme" in audit
    auth.login(chair)
    assert "Confirmed on" in client.get(url, headers=EN).get_data(as_text=True)


def test_a_returned_proposal_shows_the_reasons_to_the_chair(client, auth, contest, organizer,
                                                            proposals, chair):
    a, b, c, d, e = proposals
    first, theme_prize = tiers(contest)
    submitted = theme_proposals.save(chair, contest, contest.themes[0], {a.id: first.id},
                                     "只评一个", submit=True)
    db.session.commit()
    auth.login(organizer)
    response = client.post(f"/admin/contests/{contest.slug}/award-proposals/{submitted.id}"
                           "/return", data={"reason": "乙项目也应获奖"})
    assert response.status_code == 302
    auth.login(chair)
    page = client.get(f"/admin/contests/{contest.slug}/award-proposals/themes/"
                      f"{contest.themes[0].code}").get_data(as_text=True)
    assert "乙项目也应获奖" in page and f'name="tier_{a.id}"' in page


@pytest.mark.parametrize("who", ["judge", "applicant", "anonymous", "chair_out"])
def test_others_cannot_propose(client, auth, contest, organizer, proposals, chair, who):
    from tests.factories import make_judge
    a, b, c, d, e = proposals
    first, _prize = tiers(contest)
    users = {"judge": lambda: make_judge(contest, "judge2@example.org"),
             "applicant": lambda: a.applicant, "anonymous": lambda: None,
             "chair_out": lambda: make_chair(contest, "out@example.org",
                                             themes=[contest.themes[4].code])}
    user = users[who]()
    if user is not None:
        auth.login(user)
    response = client.post(f"/admin/contests/{contest.slug}/award-proposals/themes/"
                           f"{contest.themes[0].code}", data=_form(contest, {a.id: first}))
    expected = {"judge": 403, "applicant": 403, "chair_out": 404}.get(who)
    if expected is None:
        assert response.status_code == 302 and "/login" in response.location
    else:
        assert response.status_code == expected
    assert db.session.scalar(db.select(AwardProposal)) is None


def test_the_two_awards_proposal_mails_take_the_organizers_texts(client, auth, contest,
                                                                  organizer, proposals, chair,
                                                                  outbox):
    """Both mails are among the console's email texts, with their placeholders filled from what
    the awards code sends (before, they always had the built-in wording)."""
    a, b, _c, _d, _e = proposals
    first, theme_prize = tiers(contest)
    theme = contest.themes[0]
    auth.login(organizer)
    page = client.get("/admin/mail-templates").get_data(as_text=True)
    assert "主题负责人提交评奖建议" in page and "评奖建议已确认或退回" in page
    for kind, subject, body in [
            ("award_proposal_submitted", "{theme}评奖建议待审定",
             "{name}：{chair}提交了{contest}「{theme}」的评奖建议。{link}"),
            ("award_proposal_decided", "{theme}评奖建议{decision}",
             "{name}：{contest}「{theme}」的评奖建议{decision}。{reason}{link}")]:
        saved = client.post(f"/admin/mail-templates/{kind}/zh_CN",
                            data={"subject": subject, "body": body, "save": "Save"})
        assert saved.status_code == 302, saved.get_data(as_text=True)
    chair, organizer = db.session.merge(chair), db.session.merge(organizer)
    submitted = theme_proposals.save(chair, contest, theme, {a.id: first.id,
                                                             b.id: theme_prize.id}, "",
                                     submit=True)
    db.session.commit()
    (asked,) = [m for m in outbox() if m["To"] == organizer.email]
    theme_name = theme.name_zh
    assert str(asked["Subject"]) == f"{theme_name}评奖建议待审定"
    assert f"{chair.display_name}提交了{contest.name_zh}「{theme_name}」的评奖建议。" \
        in email_text(asked) and f"/award-proposals/{submitted.id}" in email_text(asked)
    theme_proposals.send_back(organizer, submitted, "请说明理由")
    db.session.commit()
    (told,) = [m for m in outbox() if m["To"] == chair.email and "评奖建议" in str(m["Subject"])]
    assert str(told["Subject"]) == f"{theme_name}评奖建议已退回"
    assert f"「{theme_name}」的评奖建议已退回。请说明理由" in email_text(told)
