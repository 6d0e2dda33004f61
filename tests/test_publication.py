"""Publication: the provisional list, objections and answers, finalization, the public page,
the applicants' feedback."""
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.awards import services
from portal.extensions import db
from portal.models import Assignment, AuditEvent, Objection, ProposalEvent, ProposalStatus, \
    Publication, Review, utcnow
from tests.factories import email_text, make_contest
from tests.test_awards import EN, quota_contest
from tests.test_judging import score_form

ZH = {"Accept-Language": "zh-CN"}
BEIJING = ZoneInfo("Asia/Shanghai")


def allocated(contest, organizer):
    """The quota contest with its awards saved: 甲 first prize, 乙 and 丙 theme prizes."""
    proposals = quota_contest(contest, organizer)
    for proposal in proposals:
        proposal.applicant.locale = "en"
    services.save_allocation(organizer, contest, services.preview_allocation(contest).digest)
    db.session.commit()
    return proposals


def publication(contest):
    return db.session.scalar(db.select(Publication).filter_by(contest_id=contest.id))


def publish(client, contest):
    return client.post(f"/admin/contests/{contest.slug}/publication/provisional", headers=EN)


def end_objection_period(contest):
    publication(contest).objections_until = utcnow() - timedelta(minutes=1)
    db.session.commit()


def finalize(client, contest, **data):
    return client.post(f"/admin/contests/{contest.slug}/publication/finalize", data=data,
                       headers=EN)


def objection_url(contest):
    return f"/contests/{contest.slug}/objection"


def test_provisional_objection_answer_final(client, auth, contest, organizer, outbox):
    a, b, c, d, e = allocated(contest, organizer)
    auth.login(organizer)
    before = len(outbox())
    assert publish(client, contest).status_code == 302
    published = publication(contest)
    assert published.stage == "provisional"
    assert abs(published.objections_until - published.published_at - timedelta(days=7)) \
        < timedelta(seconds=1)
    assert [w["title"] for w in published.snapshot["winners"]] == ["甲项目", "乙项目", "丙项目"]
    # every applicant in competition is told, the ineligible one is not
    sent = outbox()[before:]
    assert sorted(m["To"] for m in sent) == sorted(p.applicant.email for p in (a, b, c, d))
    to_a = next(m for m in sent if m["To"] == a.applicant.email)
    assert "Provisional results of" in to_a["Subject"]
    assert "objection" in email_text(to_a).lower() and "First Prize (provisional)" in \
        email_text(to_a)
    to_d = next(m for m in sent if m["To"] == d.applicant.email)
    assert "not among the winners" in email_text(to_d)
    for proposal in (a, b, c):
        db.session.refresh(proposal)
        assert proposal.status == ProposalStatus.AWARDED
    assert db.session.scalar(db.select(ProposalEvent).filter_by(proposal_id=a.id,
                                                                action="awarded"))

    # anyone files an objection, without an account
    auth.logout()
    page = client.get(f"/contests/{contest.slug}/results", headers=EN).get_data(as_text=True)
    assert "Public notice of the provisional winners" in page and "File an objection" in page
    bad = client.post(objection_url(contest), headers=EN, data={
        "contact_email": "not-an-address", "text": ""})
    assert bad.status_code == 422
    assert "Enter a valid email address" in bad.get_data(as_text=True)
    assert "Write your objection" in bad.get_data(as_text=True)
    unknown = client.post(objection_url(contest), headers=EN, data={
        "contact_email": "watcher@example.org", "text": "质疑", "reference": "NOPE-9"})
    assert "No proposal of this contest has this reference number" in unknown.get_data(True)
    response = client.post(objection_url(contest), headers=EN, data={
        "name": "王先生", "contact_email": "Watcher@Example.org", "reference": a.reference,
        "text": "该项目的受益人数与实际不符。"})
    assert response.status_code == 302
    objection = db.session.scalar(db.select(Objection))
    assert objection.proposal_id == a.id and objection.locale == "en"
    assert objection.contact_email == "watcher@example.org"

    # not final during the period
    auth.login(organizer)
    early = finalize(client, contest)
    assert early.status_code == 422 and "not over yet" in early.get_data(as_text=True)

    # the organizers answer; the answer goes to the objector's address, in their language
    page = client.get(f"/admin/contests/{contest.slug}/publication", headers=EN).get_data(True)
    assert "该项目的受益人数与实际不符" in page and "Not answered yet" in page
    before = len(outbox())
    field = f"objection-{objection.id}-answer"
    empty = client.post(f"/admin/contests/{contest.slug}/objections/{objection.id}/answer",
                        data={field: " "}, headers=EN)
    assert empty.status_code == 422
    assert client.post(f"/admin/contests/{contest.slug}/objections/{objection.id}/answer",
                       data={field: "经核实，受益人数有据可查，维持原结果。"}).status_code == 302
    (answer_mail,) = outbox()[before:]
    assert answer_mail["To"] == "watcher@example.org"
    assert "Answer to your objection" in answer_mail["Subject"]
    assert "维持原结果" in email_text(answer_mail)

    # after the period: final; rounds closed, awards locked, applicants told again
    end_objection_period(contest)
    before = len(outbox())
    assert finalize(client, contest).status_code == 302
    db.session.refresh(contest)
    assert publication(contest).stage == "final" and publication(contest).finalized_at
    assert all(not r.is_open for r in contest.rounds)
    final_mails = outbox()[before:]
    assert sorted(m["To"] for m in final_mails) == sorted(p.applicant.email for p in (a, b, c, d))
    assert all("Final results of" in m["Subject"] for m in final_mails)
    actions = set(db.session.scalars(db.select(AuditEvent.action)))
    assert {"results.published", "objection.filed", "objection.answered", "results.finalized",
            "round.closed"} <= actions

    page = client.get(f"/admin/contests/{contest.slug}/awards", headers=EN).get_data(True)
    assert "read-only" in page and "Move a proposal" not in page
    refused = client.post(f"/admin/contests/{contest.slug}/awards/move", data={
        "reference": d.reference, "tier": str(contest.award_tiers[0].id), "reason": "x"})
    assert refused.status_code == 302
    digest = services.preview_allocation(contest).digest
    client.post(f"/admin/contests/{contest.slug}/awards/allocate", data={"digest": digest})
    assert {award.proposal_id for award in services.contest_awards(contest)} == \
        {a.id, b.id, c.id}

    # a judge can no longer change scores
    judge_assignment = db.session.scalar(db.select(Assignment).filter_by(proposal_id=a.id))
    auth.login(judge_assignment.judge)
    response = client.post(f"/judge/assignments/{judge_assignment.id}", headers=EN,
                           data=score_form(judge_assignment, [1, 1, 1]))
    assert "round is closed" in response.get_data(as_text=True)
    assert sorted(s.value for s in judge_assignment.review.scores) == [9, 9, 9]


def test_an_objection_period_of_zero_days_finalizes_at_once(client, auth, contest, organizer):
    allocated(contest, organizer)
    contest.objection_days = 0
    db.session.commit()
    auth.login(organizer)
    publish(client, contest)
    assert publication(contest).objections_until == publication(contest).published_at
    page = client.get(objection_url(contest), headers=EN).get_data(as_text=True)
    assert "objection period is closed" in page
    assert finalize(client, contest).status_code == 302
    assert publication(contest).stage == "final"


def test_objections_are_refused_after_the_period(client, auth, contest, organizer):
    a, *_rest = allocated(contest, organizer)
    auth.login(organizer)
    publish(client, contest)
    end_objection_period(contest)
    auth.logout()
    response = client.post(objection_url(contest), headers=EN, data={
        "contact_email": "late@example.org", "text": "太晚了"})
    assert response.status_code == 409
    assert "objection period is closed" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Objection)) is None
    results = client.get(f"/contests/{contest.slug}/results", headers=EN).get_data(True)
    assert "The objection period is over" in results


def test_unanswered_objections_are_listed_before_finalizing(client, auth, contest, organizer):
    allocated(contest, organizer)
    auth.login(organizer)
    publish(client, contest)
    client.post(objection_url(contest), data={"contact_email": "x@example.org",
                                              "text": "请复核丙项目"})
    end_objection_period(contest)
    page = client.get(f"/admin/contests/{contest.slug}/publication", headers=EN).get_data(True)
    assert "These objections have not been answered" in page and "请复核丙项目" in page
    refused = finalize(client, contest)
    assert refused.status_code == 422 and "tick the box" in refused.get_data(as_text=True)
    assert publication(contest).stage == "provisional"
    assert finalize(client, contest, confirm_unanswered="y").status_code == 302
    assert publication(contest).stage == "final"


def test_publishing_needs_awards_and_happens_once(client, auth, contest, organizer):
    auth.login(organizer)
    response = publish(client, contest)
    assert publication(contest) is None
    follow = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Allocate the awards before you publish them" in follow
    db.session.rollback()
    allocated(contest, organizer)
    publish(client, contest)
    publish(client, contest)
    assert db.session.scalar(db.select(db.func.count(Publication.id))) == 1


def published_with_a_summary(client, auth, contest, organizer):
    """The quota contest published; 甲 agreed to publish its summary, 乙 did not."""
    a, b, c, d, e = allocated(contest, organizer)
    assert client.get(f"/contests/{contest.slug}/results").status_code == 404
    a.publish_consent = True
    a.summary = "甲的公开摘要"
    b.summary = "乙的保密摘要"
    db.session.commit()
    auth.login(organizer)
    publish(client, contest)
    auth.logout()
    return a, b


def test_the_public_page_shows_only_what_applicants_agreed_to(client, auth, contest, organizer):
    a, b = published_with_a_summary(client, auth, contest, organizer)
    page = client.get(f"/contests/{contest.slug}/results", headers=EN).get_data(as_text=True)
    assert "甲项目" in page and "乙项目" in page and "丙项目" in page and "丁项目" not in page
    assert "First Prize" in page and "Theme Prize" in page and "By theme" in page
    assert a.organization in page and "甲的公开摘要" in page
    assert b.organization not in page and "乙的保密摘要" not in page
    judge = db.session.scalar(db.select(Assignment)).judge
    assert judge.display_name not in page and judge.email not in page
    assert "9.00" not in page and "8.00" not in page
    # the contest page and the home page link to the results
    assert f"/contests/{contest.slug}/results" in client.get(f"/contests/{contest.slug}").text


def test_the_notice_reads_as_a_public_notice(client, auth, contest, organizer):
    """公示: a compact list by tier, the period from ... to ..., how and by when to object, who
    publishes it and a contact; a published summary only behind its own disclosure."""
    contest.contact = "0371-12345678"
    published_with_a_summary(client, auth, contest, organizer)
    published = publication(contest)
    page = client.get(f"/contests/{contest.slug}/results", headers=ZH).get_data(as_text=True)
    start = published.published_at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    end = published.objections_until.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    assert "拟获奖名单公示" in page
    assert f"自 {start} 起至 {end} 止（北京时间）" in page
    assert f"任何人均可在 {end}（北京时间）前提出异议" in page
    assert f"/contests/{contest.slug}/objection" in page
    assert "发布单位" in page and contest.organizer_zh in page
    assert "联系方式" in page and "0371-12345678" in page
    summary = re.search(r"<details[^>]*><summary>项目简介</summary><p[^>]*>([^<]*)</p></details>",
                        page)
    assert summary and summary.group(1) == "甲的公开摘要"
    # the per-theme table, which repeats every winner, is folded away
    assert re.search(r"<details[^>]*>\s*<summary[^>]*>按主题</summary>", page)
    end_objection_period(contest)
    page = client.get(f"/contests/{contest.slug}/results", headers=ZH).get_data(as_text=True)
    assert "公示期已结束" in page and f"/contests/{contest.slug}/objection" not in page


def test_the_home_page_links_past_results(client, auth, contest, organizer):
    allocated(contest, organizer)
    auth.login(organizer)
    publish(client, contest)
    contest.opens_at = utcnow() - timedelta(days=400)
    contest.submission_deadline = utcnow() - timedelta(days=300)
    make_contest(slug="zzcf-2015", name_zh="第二届大赛")
    make_contest(slug="zzcf-2016", name_zh="第三届大赛")
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert page.index('href="/contests/zzcf-2015"') < page.index("Past contests") \
        < page.index('href="/contests/zzcf-2014/results"')
    assert "Provisional results" in page


def feedback_setup(client, auth, contest, organizer, show):
    a, *_rest = allocated(contest, organizer)
    contest.show_feedback_to_applicants = show
    review = db.session.scalar(db.select(Review).join(Assignment).filter(
        Assignment.proposal_id == a.id))
    review.feedback = "预算可以更细化。"
    db.session.commit()
    auth.login(organizer)
    publish(client, contest)
    return a


def proposal_page(client, auth, proposal):
    auth.login(proposal.applicant)
    return client.get(f"/proposals/{proposal.id}", headers=EN).get_data(as_text=True)


def test_applicants_read_feedback_only_after_finalization(client, auth, contest, organizer):
    a = feedback_setup(client, auth, contest, organizer, show=True)
    page = proposal_page(client, auth, a)
    assert "Feedback from the judges" not in page and "预算可以更细化" not in page
    end_objection_period(contest)
    auth.login(organizer)
    finalize(client, contest)
    page = proposal_page(client, auth, a)
    assert "Feedback from the judges" in page and "Judge 1" in page and "预算可以更细化" in page
    judge = db.session.scalar(db.select(Assignment).filter_by(proposal_id=a.id)).judge
    assert judge.display_name not in page and judge.email not in page


def test_no_feedback_when_the_contest_does_not_share_it(client, auth, contest, organizer):
    a = feedback_setup(client, auth, contest, organizer, show=False)
    end_objection_period(contest)
    auth.login(organizer)
    finalize(client, contest)
    page = proposal_page(client, auth, a)
    assert "Feedback from the judges" not in page and "预算可以更细化" not in page


def test_the_only_open_contest_page_lists_past_results(client, auth, contest, organizer):
    allocated(contest, organizer)
    auth.login(organizer)
    publish(client, contest)
    contest.opens_at = utcnow() - timedelta(days=400)
    contest.submission_deadline = utcnow() - timedelta(days=300)
    make_contest(slug="zzcf-2015", name_zh="第二届大赛")
    auth.logout()
    page = client.get("/", headers=EN).get_data(as_text=True)
    assert "Submit a proposal" in page and "Results of past contests" in page
    assert 'href="/contests/zzcf-2014/results"' in page
    assert client.get(f"/contests/{contest.slug}/results").status_code == 200  # in Chinese


def test_the_objection_form_is_csrf_protected(tmp_path, database_url, client, auth, contest,
                                              organizer):
    from tests.conftest import make_test_app
    allocated(contest, organizer)
    auth.login(organizer)
    publish(client, contest)
    protected = make_test_app(tmp_path, database_url, WTF_CSRF_ENABLED=True).test_client()
    page = protected.get(objection_url(contest)).get_data(as_text=True)
    assert 'name="csrf_token"' in page
    response = protected.post(objection_url(contest), data={
        "contact_email": "x@example.org", "text": "无令牌"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(Objection)) is None


def test_moves_after_publication_update_the_status(client, auth, contest, organizer):
    a, b, c, d, e = allocated(contest, organizer)
    auth.login(organizer)
    publish(client, contest)
    url = f"/admin/contests/{contest.slug}/awards/move"
    client.post(url, data={"reference": c.reference, "tier": "none", "reason": "异议成立"})
    client.post(url, data={"reference": d.reference, "tier": str(contest.award_tiers[1].id),
                           "reason": "异议成立，递补"})
    db.session.refresh(c)
    db.session.refresh(d)
    assert c.status == ProposalStatus.SUBMITTED and d.status == ProposalStatus.AWARDED
    assert [event.action for event in c.events][-2:] == ["awarded", "award_removed"]
    # the public list stays as published until the results are final
    assert "丙项目" in client.get(f"/contests/{contest.slug}/results").get_data(as_text=True)
    end_objection_period(contest)
    finalize(client, contest)
    page = client.get(f"/contests/{contest.slug}/results").get_data(as_text=True)
    assert "丁项目" in page and "丙项目" not in page


def test_a_round_cannot_reopen_after_the_results_are_final(app_context, contest, organizer):
    from portal.errors import DomainError
    from portal.judging.services import set_round_closed
    from portal.models import Publication, PublicationStage, utcnow
    set_round_closed(organizer, contest.rounds[0], closed=True)
    db.session.add(Publication(contest_id=contest.id, stage=PublicationStage.FINAL,
                               published_at=utcnow(), finalized_at=utcnow()))
    db.session.commit()
    with pytest.raises(DomainError):
        set_round_closed(organizer, contest.rounds[0], closed=False, reason="重新评分")
