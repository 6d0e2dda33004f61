"""The four grant mails (a tranche released, a report reminder, a report accepted or returned, a
report to evaluate) take the organizers' own texts from the console's email texts, with their
placeholders filled from what the grant code sends."""
from datetime import timedelta

from portal.extensions import db
from portal.grants import evaluation, reports, services
from portal.grants.reminders import send_report_reminders
from portal.mail_templates.catalog import KINDS
from portal.models import OutboxMessage, utcnow
from tests.factories import make_judge
from tests.grants.helpers import funded, report_of

GRANT_KINDS = ("grant_tranche", "grant_report_reminder", "grant_report_reviewed",
               "grant_report_evaluation")


def edit(client, kind, subject, body):
    response = client.post(f"/admin/mail-templates/{kind}/zh_CN",
                           data={"subject": subject, "body": body, "save": "Save"})
    assert response.status_code == 302, response.get_data(as_text=True)


def last_message(address):
    db.session.expire_all()
    return db.session.scalars(db.select(OutboxMessage).filter_by(recipient=address)
                              .order_by(OutboxMessage.id.desc())).first()


def test_the_grant_mails_are_listed_among_the_email_texts(client, auth, organizer):
    assert set(GRANT_KINDS) <= set(KINDS)
    auth.login(organizer)
    page = client.get("/admin/mail-templates").get_data(as_text=True)
    for label in ("资助款拨付一期", "项目报告提醒", "项目报告审核结果", "请评审专家评估项目报告"):
        assert label in page
    built_in = client.get("/admin/mail-templates/grant_tranche/zh_CN").get_data(as_text=True)
    assert "{payment_reference}" in built_in and "{amount}" in built_in


def test_a_released_tranche_sends_the_organizers_text(client, auth, contest, organizer,
                                                      applicant):
    grant = funded(contest, organizer, applicant)
    auth.login(organizer)
    edit(client, "grant_tranche", "{reference} 资助款已拨付",
         "{name}您好：\n\n{contest}「{title}」本期拨付 {amount}，日期 {paid_on}，凭证号 "
         "{payment_reference}。\n\n{grant_url}")
    grant = db.session.merge(grant)
    grant.agreement_stored = "x" * 32   # the agreement is on file
    today = services.beijing_today()
    services.release_tranche(organizer, grant.tranches[0], today, "TX-2015-1")
    db.session.commit()
    message = last_message(applicant.email)
    proposal = grant.proposal
    assert message.subject == f"{proposal.reference} 资助款已拨付"
    assert message.text_body.startswith(f"{applicant.display_name}您好：")
    assert f"「{proposal.title}」本期拨付 ¥15,000.00，日期 {today.isoformat()}，凭证号 TX-2015-1" \
        in message.text_body
    assert contest.name_zh in message.text_body and f"/grants/{grant.id}" in message.text_body


def test_reminders_and_reviews_send_the_organizers_texts(client, auth, contest, organizer,
                                                         applicant):
    grant = funded(contest, organizer, applicant)
    auth.login(organizer)
    edit(client, "grant_report_reminder", "{report}{state}",
         "{title}（{reference}）的{report}截止日期 {due_on}：{state}。{report_url}")
    edit(client, "grant_report_reviewed", "{report}{decision}",
         "{title}的{report}{decision}。{reason}")
    grant = db.session.merge(grant)
    midterm = report_of(grant, "midterm")
    midterm.due_on = services.beijing_today() - timedelta(days=1)
    db.session.commit()
    assert send_report_reminders(utcnow()) == 1
    db.session.commit()
    reminder = last_message(applicant.email)
    assert reminder.subject == "中期报告已逾期"
    assert f"（{grant.proposal.reference}）的中期报告截止日期 {midterm.due_on.isoformat()}：已逾期。" \
        in reminder.text_body and f"/grants/reports/{midterm.id}" in reminder.text_body
    reports.save_report(applicant, midterm, "做了很多", 60, None, {}, submit=True)
    reports.review_report(organizer, midterm, accept=False, reason="请补充照片")
    db.session.commit()
    returned = last_message(applicant.email)
    assert returned.subject == "中期报告已退回"
    assert f"{grant.proposal.title}的中期报告已退回。请补充照片" in returned.text_body


def test_a_report_to_evaluate_sends_the_organizers_text(client, auth, contest, organizer,
                                                        applicant):
    grant = funded(contest, organizer, applicant)
    judge = make_judge(contest, "evaluator@example.org", name="钱评委")
    auth.login(organizer)
    edit(client, "grant_report_evaluation", "请评估{report}",
         "{name}老师：请评估「{title}」的{report}。{evaluation_url}")
    grant = db.session.merge(grant)
    midterm = report_of(grant, "midterm")
    reports.save_report(applicant, midterm, "做了很多", 60, None, {}, submit=True)
    (asked,) = evaluation.request_evaluation(organizer, midterm, [judge.id])
    db.session.commit()
    message = last_message(judge.email)
    assert message.subject == "请评估中期报告"
    assert f"钱评委老师：请评估「{grant.proposal.title}」的中期报告。" in message.text_body
    assert f"/grants/evaluations/{asked.id}" in message.text_body
