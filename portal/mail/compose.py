"""Writing a message: rendered now, in the recipient's language, into the outbox table."""
import contextvars
import logging
import uuid
from contextlib import contextmanager
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from portal.database import AFTER_COMMIT, run_after_commit
from portal.extensions import db
from portal.mail.delivery import queue_delivery, schedule_delivery
from portal.mail_templates.rendering import compose
from portal.models import OutboxMessage

_collected = contextvars.ContextVar("collected_messages", default=None)
SAFETY_DELAY_SECONDS = 5


def queue_email(recipient, subject, template, locale=None, **context):
    """Store the message in the outbox with the current transaction; delivered after its commit.

    `recipient` is a User (its email and locale are used) or an address; `subject` a lazy
    string; `template` names `templates/mail/<template>.txt`. Inside `collecting_messages()`,
    the rendered message is collected instead of stored.
    """
    message = render_email(recipient, subject, template, locale, **context)
    collected = _collected.get()
    if collected is not None:
        collected.append(message)
        return message
    return store_messages([message])[0]


def render_email(recipient, subject, template, locale=None, **context):
    """The message's fields, rendered in the recipient's language: the organizers' own text of
    that kind when they wrote one (portal.mail_templates), else the built-in template."""
    address = getattr(recipient, "email", recipient)
    locale = locale or getattr(recipient, "locale", None) or \
        current_app.config["BABEL_DEFAULT_LOCALE"]
    message = compose(template, locale, subject, context)
    return {"recipient": address, "subject": message["subject"], "text_body": message["text"],
            "html_body": message["html"]}


@contextmanager
def collecting_messages():
    """Within: queue_email renders into the yielded list and stores nothing."""
    collected = []
    token = _collected.set(collected)
    try:
        yield collected
    finally:
        _collected.reset(token)


def store_messages(rendered):
    """Add rendered messages to the outbox, in this transaction's batch."""
    delivery = _delivery_of_this_transaction()
    domain = _message_id_domain()
    messages = [OutboxMessage(**fields, message_id=make_msgid(domain=domain),
                              batch=delivery.batch) for fields in rendered]
    db.session.add_all(messages)
    delivery.messages.extend(messages)
    return messages


def _message_id_domain():
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    return sender.rpartition("@")[2].strip("> ") or "portal.local"


class _DeliveryAfterCommit:
    """The messages of one transaction (one batch), handed to the queue once it commits."""

    def __init__(self):
        self.batch = uuid.uuid4().hex
        self.messages = []

    def __call__(self):
        # The identity survives the commit's expiry: reading it costs no query.
        queue_delivery([inspect(message).identity[0] for message in self.messages])


def delivery_batch_of_this_transaction():
    """The batch key of the messages queued so far in this transaction."""
    return _delivery_of_this_transaction().batch


def _delivery_of_this_transaction():
    """One after-commit delivery per transaction, found among the session's callbacks (which
    a rollback drops, messages and all)."""
    delivery = _pending_delivery(db.session())
    if delivery is None:
        delivery = _DeliveryAfterCommit()
        run_after_commit(delivery)
    return delivery


def _pending_delivery(session):
    for callback in session.info.get(AFTER_COMMIT, ()):
        if isinstance(callback, _DeliveryAfterCommit):
            return callback
    return None


def _schedule_safety_delivery(session):
    """Just before the commit, a delivery a few seconds later too: a process killed between
    the commit and the queue (a deployment's restart, a killed worker) loses no mail, and the
    messages need not wait for the minutely sweep. Whichever job comes second finds them sent;
    if the commit fails, the job finds nothing to send."""
    delivery = _pending_delivery(session)
    if delivery is None or not delivery.messages:
        return
    session.flush()
    ids = [inspect(message).identity[0] for message in delivery.messages]
    try:
        schedule_delivery(ids, SAFETY_DELAY_SECONDS)
    except Exception:  # the queue is down: the sweep will find the messages
        logging.getLogger(__name__).exception("could not schedule the safety delivery")


def install_delivery_hooks():
    """Idempotent: the before-commit hook on every SQLAlchemy session of the process."""
    if not event.contains(Session, "before_commit", _schedule_safety_delivery):
        event.listen(Session, "before_commit", _schedule_safety_delivery)
