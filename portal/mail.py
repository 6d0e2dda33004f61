"""Email: rendered in the recipient's language, sent only once the transaction commits.

With `MAIL_SERVER` set, messages go through Flask-Mail; otherwise each one is written as an
`.eml` file to `outbox/` in the instance folder and logged, so every flow works offline.
"""
import logging
import os
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

from portal.database import run_after_commit
from portal.mail_templates.rendering import compose
from portal.models import utcnow

log = logging.getLogger(__name__)


def outbox_path(app=None):
    return Path((app or current_app).instance_path) / "outbox"


def queue_email(recipient, subject, template, locale=None, **context):
    """Render the message now, in the recipient's language, and send it after the commit.

    `recipient` is a User (its email and locale are used) or an address; `subject` a lazy
    string; `template` names `templates/mail/<template>.txt`, or the organizers' own text of
    that kind (portal.mail_templates).
    """
    address = getattr(recipient, "email", recipient)
    locale = locale or getattr(recipient, "locale", None) or \
        current_app.config["BABEL_DEFAULT_LOCALE"]
    message = {"to": address, **compose(template, locale, subject, context)}
    run_after_commit(lambda: deliver(message))
    return message


def deliver(message):
    """Send now: through Flask-Mail when MAIL_SERVER is set, else into the outbox folder."""
    app = current_app
    if app.config.get("MAIL_SERVER"):
        from flask_mail import Message
        from portal.extensions import mail
        mail.send(Message(subject=message["subject"], recipients=[message["to"]],
                          body=message["text"], html=message["html"],
                          sender=app.config.get("MAIL_DEFAULT_SENDER")))
        log.info("email sent to %s: %s", message["to"], message["subject"])
        return
    path = write_to_outbox(message, app)
    log.info("email written to %s (no MAIL_SERVER): %s", path.name, message["subject"])


def write_to_outbox(message, app):
    email = EmailMessage()
    email["From"] = app.config.get("MAIL_DEFAULT_SENDER") or "noreply@localhost"
    email["To"] = message["to"]
    email["Subject"] = message["subject"]
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="portal.local")
    email.set_content(message["text"])
    email.add_alternative(message["html"], subtype="html")
    folder = outbox_path(app)
    folder.mkdir(parents=True, exist_ok=True)
    # Sortable names: the order of the files is the order of sending.
    path = folder / f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.eml"
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(bytes(email))
    os.replace(temporary, path)
    return path
