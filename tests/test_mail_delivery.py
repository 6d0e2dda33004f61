"""Durable mail: the outbox table, delivery to a real local SMTP server (aiosmtpd) with
retries, permanent failures shown to organizers, resending."""
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

from portal.extensions import db
from portal.mail import hand_due_mail_to_queue
from portal.mail.delivery import is_permanent, retry_delay
from portal.models import AuditEvent, MailStatus, OutboxMessage, utcnow
from tests.factories import PASSWORD, make_user

EN = {"Accept-Language": "en"}


class Recorder:
    """An SMTP server's handler: keeps what it accepts; `answers` are given first, in order,
    instead of accepting (e.g. "451 ..." or "550 ...")."""

    def __init__(self):
        self.accepted = []
        self.answers = []

    async def handle_DATA(self, server, session, envelope):
        if self.answers:
            return self.answers.pop(0)
        self.accepted.append(envelope.content)
        return "250 Message accepted for delivery"

    def message_ids(self):
        from email import message_from_bytes
        return [message_from_bytes(content)["Message-ID"] for content in self.accepted]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app, web_app, monkeypatch):
    """A local SMTP server on a free port, not started: `smtp.start()` opens it."""
    port = free_port()
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    for application in (app, web_app):   # the test's and the requests'
        for name, value in (("MAIL_SERVER", "127.0.0.1"), ("MAIL_PORT", port),
                            ("MAIL_TIMEOUT_SECONDS", 5), ("MAIL_MAX_ATTEMPTS", 3)):
            monkeypatch.setitem(application.config, name, value)
    recorder.start = controller.start
    yield recorder
    if getattr(controller, "server", None) is not None:
        controller.stop()   # which closes its event loop
    else:
        controller.loop.close()   # made by the controller, never run


def register(client, email):
    return client.post("/register", headers=EN, data={
        "email": email, "display_name": "李四", "password": PASSWORD, "confirm": PASSWORD,
        "consent": "y"})


def messages():
    db.session.expire_all()
    return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def time_passes(seconds=3600):
    """Every retry falls due: moved into the past rather than waited for."""
    for message in messages():
        message.next_attempt_at -= timedelta(seconds=seconds)
    db.session.commit()


def test_the_mail_of_an_action_is_stored_with_it_and_written_to_the_outbox(client, outbox):
    register(client, "new@example.org")
    (stored,) = messages()
    (written,) = outbox()
    assert stored.status == MailStatus.SENT and stored.attempts == 1 and stored.sent_at
    assert stored.recipient == "new@example.org" and "Confirm your email" in stored.subject
    assert written["Message-ID"] == stored.message_id
    assert "/confirm/" in stored.text_body and "<p>" in stored.html_body


def test_an_action_that_fails_sends_nothing(app, client):
    from portal.mail import queue_email
    with app.test_request_context():
        user = make_user("someone@example.org")
        db.session.commit()
        queue_email(user, "Hello", "security_notice", user=user, event="x", reset_url="x")
        db.session.rollback()
    assert messages() == []


def test_a_server_down_at_first_then_started_gets_every_message_exactly_once(client, smtp):
    for number in range(3):
        assert register(client, f"user{number}@example.org").status_code == 200
    waiting = messages()
    assert [message.status for message in waiting] == [MailStatus.QUEUED] * 3
    assert all("ConnectionRefusedError" in message.last_error for message in waiting)
    assert all(message.attempts == 1 for message in waiting)
    assert all(message.next_attempt_at > utcnow() for message in waiting)
    smtp.start()
    hand_due_mail_to_queue(utcnow())          # not due yet: nothing is sent early
    assert smtp.accepted == []
    time_passes()
    assert hand_due_mail_to_queue(utcnow()) == 3
    hand_due_mail_to_queue(utcnow())          # a second sweep finds nothing left
    assert sorted(smtp.message_ids()) == sorted(message.message_id for message in waiting)
    assert [message.status for message in messages()] == [MailStatus.SENT] * 3


def test_a_temporary_refusal_is_retried_until_the_server_accepts(client, smtp):
    smtp.start()
    smtp.answers = ["451 4.3.0 Try again later"]
    register(client, "new@example.org")
    (message,) = messages()
    assert message.status == MailStatus.QUEUED and "451" in message.last_error
    time_passes()
    hand_due_mail_to_queue(utcnow())
    (message,) = messages()
    assert message.status == MailStatus.SENT and message.attempts == 2
    assert smtp.message_ids() == [message.message_id]


def test_a_permanent_refusal_fails_at_once_and_the_organizers_see_it(client, auth, smtp):
    smtp.start()
    smtp.answers = ["550 5.1.1 No such user here"]
    register(client, "nobody@example.org")
    (message,) = messages()
    assert message.status == MailStatus.FAILED and message.attempts == 1
    assert "550" in message.last_error
    organizer = make_user("organizer@example.org", organizer=True)
    auth.login(organizer)
    page = client.get("/admin/mail?status=failed", headers=EN).get_data(as_text=True)
    assert "nobody@example.org" in page and "550 5.1.1 No such user here" in page
    assert "Send again" in page
    response = client.post(f"/admin/mail/{message.id}/resend", headers=EN,
                           follow_redirects=True)
    assert "The message is queued again." in response.get_data(as_text=True)
    (message,) = messages()
    assert message.status == MailStatus.SENT and smtp.message_ids() == [message.message_id]
    assert db.session.scalar(db.select(AuditEvent.action).filter_by(action="mail.resent"))


def test_the_last_attempt_marks_the_message_failed(app, client, smtp):
    register(client, "new@example.org")       # the server never starts
    for _attempt in range(app.config["MAIL_MAX_ATTEMPTS"] - 1):
        time_passes()
        hand_due_mail_to_queue(utcnow())
    (message,) = messages()
    assert message.status == MailStatus.FAILED
    assert message.attempts == app.config["MAIL_MAX_ATTEMPTS"]
    assert "ConnectionRefusedError" in message.last_error
    time_passes()
    assert hand_due_mail_to_queue(utcnow()) == 0


def test_only_a_failed_message_can_be_resent(client, auth, outbox):
    register(client, "new@example.org")
    (message,) = messages()
    auth.login(make_user("organizer@example.org", organizer=True))
    response = client.post(f"/admin/mail/{message.id}/resend", headers=EN,
                           follow_redirects=True)
    assert "Only a message that failed can be sent again." in response.get_data(as_text=True)
    assert len(outbox()) == 1


def test_a_lease_keeps_a_second_job_from_sending_a_message_being_sent(app, client, smtp):
    from portal.mail.delivery import Sender, deliver_message
    smtp.start()
    smtp.answers = ["451 4.3.0 Try again later"]
    register(client, "new@example.org")
    time_passes()
    (message,) = messages()
    with Sender(app.config) as sender:
        deliver_message(message.id, sender)
        deliver_message(message.id, sender)    # a duplicate job: already sent
    assert len(smtp.accepted) == 1


def test_the_mail_page_warns_when_the_job_runner_is_not_running(client, auth, smtp):
    from portal.jobs.queue import HEARTBEAT, huey, record_heartbeat
    huey.delete(HEARTBEAT)
    register(client, "new@example.org")
    auth.login(make_user("organizer@example.org", organizer=True))
    page = client.get("/admin/mail", headers=EN).get_data(as_text=True)
    assert "The job runner is not running" in page
    assert "The oldest queued message has waited 0 minutes" in page
    record_heartbeat(utcnow())
    page = client.get("/admin/mail", headers=EN).get_data(as_text=True)
    assert "The job runner" not in page and "has waited 0 minutes" in page
    huey.delete(HEARTBEAT)


def test_retries_back_off():
    assert [retry_delay(attempt, 30) for attempt in (1, 2, 3, 8, 20)] == \
        [30, 60, 120, 3600, 3600]


def test_which_answers_are_permanent():
    import smtplib
    assert is_permanent(smtplib.SMTPDataError(554, b"rejected"))
    assert is_permanent(smtplib.SMTPRecipientsRefused({"a@b.c": (550, b"no such user")}))
    assert not is_permanent(smtplib.SMTPDataError(451, b"later"))
    assert not is_permanent(smtplib.SMTPServerDisconnected("gone"))
    assert not is_permanent(ConnectionRefusedError())
    assert not is_permanent(TimeoutError())


def test_a_bulk_send_is_stored_with_its_action_and_written_by_a_job(app, app_context,
                                                                    monkeypatch, outbox):
    """The job that writes a bulk send's messages may be lost (a crash right after the commit):
    the batch waits in the database, and the sweep hands it on; written once only."""
    from portal.mail import bulk, hand_unprepared_batches_to_queue, queue_bulk_email
    from portal.models import MailBatch

    written = []

    @bulk.bulk_writer("test-greetings")
    def greet(addresses):
        from portal.mail import queue_email
        for address in addresses:
            written.append(address)
            queue_email(address, "Greetings", "security_notice", user=None, event="x",
                        reset_url="x")

    addresses = ["a@example.org", "b@example.org"]
    with app.test_request_context(method="POST"):
        lost = []
        monkeypatch.setattr(bulk, "write_bulk_email", lambda batch_id: lost.append(batch_id))
        queue_bulk_email("test-greetings", addresses=addresses)
        db.session.commit()
        monkeypatch.undo()
        assert lost and messages() == [] and written == []
        hand_unprepared_batches_to_queue(utcnow())         # not a minute old yet
        assert messages() == []
        assert hand_unprepared_batches_to_queue(utcnow(), overdue_seconds=0) == 1
        assert hand_unprepared_batches_to_queue(utcnow(), overdue_seconds=0) == 0
    stored = messages()
    assert sorted(message.recipient for message in stored) == addresses
    assert all(message.status == MailStatus.SENT for message in stored) and len(outbox()) == 2
    batch = db.session.scalar(db.select(MailBatch))
    assert batch.prepared_at and {message.batch for message in stored} == {batch.messages_batch}


def test_a_bulk_send_rolled_back_with_its_action_sends_nothing(app, app_context):
    from portal.mail import queue_bulk_email
    from portal.models import MailBatch
    with app.test_request_context(method="POST"):
        queue_bulk_email("announcement", contest_id=1, audience="applicants", subject="x",
                         body="x")
        db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(MailBatch.id))) == 0


def test_the_mail_page_shows_a_bulk_sends_progress(client, auth, contest):
    from tests.factories import make_proposal
    from tests.test_dashboard import _announcement, _preview, _send
    for number in range(3):
        make_proposal(contest, make_user(f"applicant{number}@example.org"))
    organizer = make_user("organizer@example.org", organizer=True)
    db.session.commit()
    auth.login(organizer)
    data = _announcement(subject="Training day")
    _page, token = _preview(client, contest, data)
    assert _send(client, contest, data, token).status_code == 200
    page = client.get("/admin/mail", headers=EN).get_data(as_text=True)
    assert "Bulk sends" in page and "Training day" in page
    assert "3 of 3 sent" in page and 'aria-valuenow="100"' in page


def test_the_publication_and_announcement_pages_link_to_the_emails_progress(
        client, auth, contest):
    from portal.awards import publishing
    from portal.models import Award
    from tests.factories import make_proposal
    organizer = make_user("organizer@example.org", organizer=True)
    proposal = make_proposal(contest, make_user("applicant@example.org"))
    db.session.add(Award(contest_id=contest.id, proposal_id=proposal.id,
                         tier_id=contest.award_tiers[0].id))
    db.session.flush()
    publishing.publish_provisional(organizer, contest)
    db.session.commit()
    auth.login(organizer)
    for page in ("publication", "announcements"):
        text = client.get(f"/admin/contests/{contest.slug}/{page}", headers=EN).get_data(True)
        assert 'href="/admin/mail">Progress of the emails</a>' in text
