"""The rendering step of every email: the organizers' text for its kind and language when they
wrote one, else the built-in template; returns the subject and the text and HTML bodies."""
import re

from flask import current_app, g, has_app_context, render_template
from flask_babel import force_locale
from markupsafe import Markup, escape

from portal.extensions import db
from portal.mail_templates.catalog import KINDS
from portal.models import MailTemplate

# {name}: a placeholder. Anything else between braces is refused when the text is saved.
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
LOCALES = ("zh_CN", "en")


def stored_locale(locale):
    return "en" if str(locale).startswith("en") else "zh_CN"


def fill(text, values):
    """The text with each {name} replaced by its value (checked names only: see services)."""
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def placeholder_values(kind, context):
    return {name: placeholder.value(context)
            for name, placeholder in KINDS[kind].placeholders.items()}


def edited_template(kind, locale):
    """The organizers' text for this kind and language, or None; read once per app context
    (an announcement to a thousand people reads it once)."""
    cache = g.setdefault("mail_templates", {}) if has_app_context() else {}
    key = (kind, stored_locale(locale))
    if key not in cache:
        cache[key] = db.session.scalar(db.select(MailTemplate).filter_by(
            kind=kind, locale=key[1]))
    return cache[key]


def forget_edited_templates():
    if has_app_context():
        g.pop("mail_templates", None)


def paragraphs(text):
    blocks = [block.strip() for block in text.split("\n\n") if block.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(
        Markup("<br>").join(escape(line) for line in block.splitlines())) for block in blocks)


def compose(kind, locale, subject, context, edited=None):
    """{"subject", "text", "html"} of an email of `kind` in `locale`: from `edited` (a
    MailTemplate, for previews), else the organizers' stored text, else the built-in template
    (`templates/mail/<kind>.txt`) with the sender's `subject`."""
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale):
        custom = edited or (edited_template(kind, locale) if kind in KINDS else None)
        if custom is not None:
            values = placeholder_values(kind, context)
            text = fill(custom.body, values).strip() + "\n"
            if custom.subject:
                # One line: a line break in a subject would forge headers.
                subject = " ".join(fill(custom.subject, values).split())
        else:
            text = render_template(f"mail/{kind}.txt", **context).strip() + "\n"
        html = render_template("mail/_layout.html", body=paragraphs(text), locale=locale)
        return {"subject": str(subject), "text": text, "html": html}
