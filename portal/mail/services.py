"""The organizers' view of the outbox: what waits, what was sent, what failed; resending."""
from datetime import timedelta
from typing import NamedTuple

from sqlalchemy import case, func

from portal.audit import record
from portal.database import run_after_commit
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.jobs.queue import last_heartbeat
from portal.mail.delivery import queue_delivery
from portal.models import MailStatus, OutboxMessage

# The consumer's minutely job beats; this much silence means it is not running.
CONSUMER_SILENCE = timedelta(minutes=3)
PAGE_SIZE = 100
BULK_SENDS_SHOWN = 10


class BulkSend(NamedTuple):
    batch: str
    subject: str
    started_at: object
    total: int
    sent: int
    failed: int

    @property
    def percent_done(self):
        return round(100 * (self.sent + self.failed) / self.total)


class QueueHealth(NamedTuple):
    oldest_queued_at: object      # None when nothing waits
    heartbeat_at: object          # None when the consumer never ran
    consumer_silent: bool


def status_counts():
    rows = db.session.execute(db.select(OutboxMessage.status, func.count())
                              .group_by(OutboxMessage.status)).all()
    counts = dict.fromkeys(MailStatus.ALL, 0)
    counts.update(dict(rows))
    return counts


def messages_with_status(status, limit=PAGE_SIZE):
    """The newest messages with this status (all statuses when None)."""
    query = db.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if status:
        query = query.where(OutboxMessage.status == status)
    return db.session.scalars(query).all()


def recent_bulk_sends(limit=BULK_SENDS_SHOWN):
    """The latest actions that queued more than one message, with their progress."""
    sent = func.sum(case((OutboxMessage.status == MailStatus.SENT, 1), else_=0))
    failed = func.sum(case((OutboxMessage.status == MailStatus.FAILED, 1), else_=0))
    rows = db.session.execute(
        db.select(OutboxMessage.batch, func.min(OutboxMessage.subject),
                  func.min(OutboxMessage.created_at), func.count(), sent, failed)
        .group_by(OutboxMessage.batch).having(func.count() > 1)
        .order_by(func.min(OutboxMessage.created_at).desc()).limit(limit)).all()
    return [BulkSend(batch, subject, started, total, sent or 0, failed or 0)
            for batch, subject, started, total, sent, failed in rows]


def queue_health(now):
    oldest = db.session.scalar(db.select(func.min(OutboxMessage.created_at))
                               .where(OutboxMessage.status == MailStatus.QUEUED))
    heartbeat = last_heartbeat()
    silent = oldest is not None and (heartbeat is None or now - heartbeat > CONSUMER_SILENCE)
    return QueueHealth(oldest, heartbeat, silent)


def resend(actor, message_id, now):
    """Queue a failed message again, its attempts counted afresh (same Message-ID)."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None or message.status != MailStatus.FAILED:
        raise DomainError(_l("Only a message that failed can be sent again."))
    message.status, message.attempts, message.next_attempt_at = MailStatus.QUEUED, 0, now
    record(actor, "mail.resent", target=message, recipient=message.recipient,
           subject=message.subject, last_error=message.last_error)
    db.session.flush()
    run_after_commit(lambda: queue_delivery([message_id]))
    return message
