"""Delivering the outbox: a job per group of messages, retried with backoff.

At least once: a message is marked sent after the server accepted it; a worker killed in
between (milliseconds) leaves it queued, and it is sent again, with the same Message-ID, once
its lease (`MAIL_LEASE_SECONDS`) has passed.
"""
import logging
import os
import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from flask import current_app
from sqlalchemy import update

from portal.extensions import db
from portal.jobs.queue import job
from portal.models import MailStatus, OutboxMessage, utcnow

log = logging.getLogger(__name__)
# Messages handed to the queue by one sweep at most; the next sweep takes the rest.
SWEEP_LIMIT = 5000
MESSAGES_PER_JOB = 100


def outbox_path(app=None):
    return Path((app or current_app).instance_path) / "outbox"


@job()
def deliver_messages(message_ids):
    """Send each message that is still queued and due; one SMTP connection for the group."""
    with Sender(current_app.config) as sender:
        for message_id in message_ids:
            deliver_message(message_id, sender)


def deliver_message(message_id, sender, now=None):
    """Take the message's lease, send it, and record the outcome (committed). No transaction
    is open while the server is talking: the lease, not a lock, keeps other jobs away."""
    now = now or utcnow()
    config = current_app.config
    claimed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MailStatus.QUEUED,
               OutboxMessage.next_attempt_at <= now)
        .values(next_attempt_at=now + timedelta(seconds=config["MAIL_LEASE_SECONDS"]),
                attempts=OutboxMessage.attempts + 1)).rowcount
    email = as_email(db.session.get(OutboxMessage, message_id), config) if claimed else None
    db.session.commit()
    if email is None:
        return   # sent, failed, not due yet, or another job has it
    try:
        sender.send(email)
    except (smtplib.SMTPException, OSError) as error:
        _record_failure(db.session.get(OutboxMessage, message_id), error, now)
    else:
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id == message_id)
                           .values(status=MailStatus.SENT, sent_at=utcnow(), last_error=None))
        log.info("email %s sent to the %s: %s", email["Message-ID"], sender.kind,
                 email["Subject"])
    db.session.commit()


def _record_failure(message, error, now):
    config = current_app.config
    message.last_error = describe(error)[:2000]
    if is_permanent(error) or message.attempts >= config["MAIL_MAX_ATTEMPTS"]:
        message.status = MailStatus.FAILED
        log.error("email %s failed after %d attempt(s): %s", message.message_id,
                  message.attempts, message.last_error)
        return
    delay = retry_delay(message.attempts, config["MAIL_RETRY_SECONDS"])
    message.next_attempt_at = now + timedelta(seconds=delay)
    deliver_messages.schedule(args=([message.id],), delay=delay)
    log.warning("email %s not sent (attempt %d), retried in %d s: %s", message.message_id,
                message.attempts, delay, message.last_error)


def retry_delay(attempts, first_delay):
    """Exponential backoff: the first delay, doubled at each attempt, at most an hour."""
    return min(first_delay * 2 ** (attempts - 1), 3600)


def is_permanent(error):
    """A 5xx answer is final; refusals of connection, timeouts and 4xx answers pass."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
    else:
        codes = [getattr(error, "smtp_code", None)]
    return any(isinstance(code, int) and 500 <= code < 600 for code in codes)


def describe(error):
    """The server's own answer ("550 5.1.1 No such user") when it gave one."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = error.recipients.values()
    elif isinstance(error, smtplib.SMTPResponseException):
        answers = [(error.smtp_code, error.smtp_error)]
    else:
        return f"{type(error).__name__}: {error}"
    return "; ".join(f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
                     for code, text in answers)


def as_email(message, config):
    email = EmailMessage()
    email["From"] = config.get("MAIL_DEFAULT_SENDER") or "noreply@localhost"
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message.message_id
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


class Sender:
    """The SMTP server named by MAIL_SERVER (connected on first use), else the outbox folder."""

    def __init__(self, config):
        self.config = config
        self.kind = "SMTP" if config.get("MAIL_SERVER") else "outbox folder"
        self.smtp = None

    def __enter__(self):
        return self

    def __exit__(self, *_exc):
        self._close()

    def send(self, email):
        if not self.config.get("MAIL_SERVER"):
            write_to_outbox(email, Path(current_app.instance_path) / "outbox")
            return
        try:
            if self.smtp is None:
                self.smtp = self._connect()
            self.smtp.send_message(email)
        except (smtplib.SMTPException, OSError):
            self._close()   # the next message starts on a fresh connection
            raise

    def _connect(self):
        config = self.config
        smtp_class = smtplib.SMTP_SSL if config.get("MAIL_USE_SSL") else smtplib.SMTP
        smtp = smtp_class(config["MAIL_SERVER"], config.get("MAIL_PORT", 25),
                          timeout=config["MAIL_TIMEOUT_SECONDS"])
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        return smtp

    def _close(self):
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def write_to_outbox(email, folder):
    folder.mkdir(parents=True, exist_ok=True)
    # Sortable names: the order of the files is the order of sending.
    path = folder / f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(bytes(email))
    os.replace(temporary, path)
    return path


def queue_delivery(message_ids):
    """Hand messages to the queue, a group per job so that several workers share a bulk send."""
    for start in range(0, len(message_ids), MESSAGES_PER_JOB):
        deliver_messages(message_ids[start:start + MESSAGES_PER_JOB])


def schedule_delivery(message_ids, delay):
    """The same, `delay` seconds from now."""
    for start in range(0, len(message_ids), MESSAGES_PER_JOB):
        deliver_messages.schedule(args=(message_ids[start:start + MESSAGES_PER_JOB],),
                                  delay=delay)


def hand_due_mail_to_queue(now, overdue_seconds=60):
    """Queue a delivery for every queued message overdue by `overdue_seconds`: its job was
    lost before it was queued, or its worker died while it held the lease (a message merely
    waiting its turn in the queue is rarely that late; if it is, the lease keeps the second
    job from sending it again). Returns how many."""
    ids = db.session.scalars(
        db.select(OutboxMessage.id)
        .where(OutboxMessage.status == MailStatus.QUEUED,
               OutboxMessage.next_attempt_at <= now - timedelta(seconds=overdue_seconds))
        .order_by(OutboxMessage.id).limit(SWEEP_LIMIT)).all()
    db.session.commit()
    queue_delivery(ids)
    return len(ids)
