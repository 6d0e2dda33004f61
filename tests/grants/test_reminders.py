"""Report reminders: a week before the due date, once after it; each sent once."""
from datetime import timedelta

from portal.extensions import db
from portal.grants.reminders import send_report_reminders
from portal.grants.services import beijing_today
from portal.models import OutboxMessage, utcnow
from tests.grants.helpers import funded, report_of


def _messages_to(address):
    return db.session.scalars(db.select(OutboxMessage.text_body).filter_by(
        recipient=address).order_by(OutboxMessage.id)).all()


def test_reminders_before_and_after_the_due_date_once_each(runner, contest, organizer,
                                                          applicant):
    grant = funded(contest, organizer, applicant)
    midterm, final = report_of(grant, "midterm"), report_of(grant, "final")
    today = beijing_today()
    midterm.due_on = today + timedelta(days=3)
    final.due_on = today + timedelta(days=60)
    db.session.commit()
    before = len(_messages_to(applicant.email))
    assert send_report_reminders(utcnow()) == 1
    assert send_report_reminders(utcnow()) == 0   # once
    midterm.due_on = today - timedelta(days=1)
    db.session.commit()
    result = runner.invoke(args=["send-report-reminders"])
    assert result.exit_code == 0 and "1 reminder" in result.output
    db.session.rollback()
    assert send_report_reminders(utcnow()) == 0
    texts = _messages_to(applicant.email)[before:]
    assert len(texts) == 2 and "中期报告" in texts[0] and "逾期" in texts[1]


def test_no_reminder_for_submitted_reports(contest, organizer, applicant):
    from portal.grants import reports
    grant = funded(contest, organizer, applicant)
    midterm = report_of(grant, "midterm")
    midterm.due_on = beijing_today() - timedelta(days=2)
    reports.save_report(applicant, midterm, "已完成", 5, None, {}, submit=True)
    db.session.commit()
    assert send_report_reminders(utcnow()) == 0
