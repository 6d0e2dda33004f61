"""Writing a message: rendered now, in the recipient's language, into the outbox table."""
import uuid
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup, escape
from sqlalchemy import inspect

from portal.database import AFTER_COMMIT, run_after_commit
from portal.extensions import db
from portal.mail.delivery import queue_delivery
from portal.models import OutboxMessage


def queue_email(recipient, subject, template, locale=None, **context):
    """Store the message in the outbox with the current transaction; delivered after its commit.

    `recipient` is a User (its email and locale are used) or an address; `subject` a lazy
    string; `template` names `templates/mail/<template>.txt`.
    """
    address = getattr(recipient, "email", recipient)
    locale = locale or getattr(recipient, "locale", None) or \
        current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        text = render_template(f"mail/{template}.txt", **context).strip() + "\n"
        html = render_template("mail/_layout.html", body=_paragraphs(text), locale=locale)
        subject = str(subject)
    delivery = _delivery_of_this_transaction()
    message = OutboxMessage(recipient=address, subject=subject, text_body=text, html_body=html,
                            message_id=make_msgid(domain=_message_id_domain()),
                            batch=delivery.batch)
    db.session.add(message)
    delivery.messages.append(message)
    return message


def _paragraphs(text):
    blocks = [block.strip() for block in text.split("\n\n") if block.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(
        Markup("<br>").join(escape(line) for line in block.splitlines())) for block in blocks)


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


def _delivery_of_this_transaction():
    """One after-commit delivery per transaction, found among the session's callbacks (which
    a rollback drops, messages and all)."""
    for callback in db.session.info.get(AFTER_COMMIT, ()):
        if isinstance(callback, _DeliveryAfterCommit):
            return callback
    delivery = _DeliveryAfterCommit()
    run_after_commit(delivery)
    return delivery
