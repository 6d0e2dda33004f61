"""Bulk sends: the action stores one batch row; a job writes the batch's messages (one per
recipient, rendered in each one's language) off the request, and they are delivered as any."""
import logging
from datetime import timedelta

from sqlalchemy import update

from portal.database import job_transactions, run_after_commit
from portal.extensions import db
from portal.jobs.queue import job
from portal.mail.compose import collecting_messages, delivery_batch_of_this_transaction, \
    store_messages
from portal.models import MailBatch, utcnow

log = logging.getLogger(__name__)
_WRITERS = {}


def bulk_writer(kind):
    """Register `function(**arguments)`, which calls queue_email once per recipient."""
    def register(function):
        _WRITERS[kind] = function
        return function
    return register


def queue_bulk_email(kind, **arguments):
    """Store the batch with the current transaction; its messages are written after the commit.
    `arguments` must be JSON (ids, not rows: the job reads the rows again)."""
    if kind not in _WRITERS:
        raise KeyError(f"no bulk writer named {kind}")
    batch = MailBatch(kind=kind, arguments=arguments)
    db.session.add(batch)
    db.session.flush()
    batch_id = batch.id
    run_after_commit(lambda: write_bulk_email(batch_id))
    return batch


@job()
def write_bulk_email(batch_id):
    """Render the batch's messages in a reading transaction (SQLite's writers are not held up
    for the seconds it takes), then store them and mark the batch prepared in one short write."""
    with job_transactions(write=False), collecting_messages() as rendered, \
            db.session.no_autoflush:
        batch = db.session.get(MailBatch, batch_id)
        if batch is None or batch.prepared_at is not None:
            return
        kind = batch.kind
        _WRITERS[kind](**batch.arguments)
        db.session.rollback()
    store_messages(rendered)
    claimed = db.session.execute(
        update(MailBatch).where(MailBatch.id == batch_id, MailBatch.prepared_at.is_(None))
        .values(prepared_at=utcnow(), messages_batch=delivery_batch_of_this_transaction()))
    if not claimed.rowcount:   # another job prepared it meanwhile
        db.session.rollback()
        return
    db.session.commit()
    log.info("bulk send %s (%s): %d message(s) queued", batch_id, kind, len(rendered))


def hand_unprepared_batches_to_queue(now, overdue_seconds=60):
    """Batches whose job was lost between the action's commit and the queue."""
    ids = db.session.scalars(
        db.select(MailBatch.id)
        .where(MailBatch.prepared_at.is_(None),
               MailBatch.created_at <= now - timedelta(seconds=overdue_seconds))
        .order_by(MailBatch.id)).all()
    db.session.commit()
    for batch_id in ids:
        write_bulk_email(batch_id)
    return len(ids)
