"""Saving organizers' email texts (placeholders checked first), previews, and the way back."""

from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import join_list, lazy_gettext as _l
from portal.mail_templates.catalog import KINDS
from portal.mail_templates.rendering import PLACEHOLDER, compose, forget_edited_templates, \
    stored_locale
from portal.models import MailTemplate, utcnow

SUBJECT_MAX = 200
BODY_MAX = 20000


def check_text(kind, text, field):
    """DomainError on `field` unless every {…} in `text` is a placeholder of this kind."""
    known = KINDS[kind].placeholders
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in known})
    if unknown:
        raise DomainError(_l("Unknown placeholder: %(names)s. This email can use: %(known)s.",
                             names=join_list("{%s}" % name for name in unknown),
                             known=join_list("{%s}" % name for name in known)), field=field)
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        raise DomainError(_l("Braces are only for placeholders, such as {name}."), field=field)


def stored(kind, locale):
    return db.session.scalar(db.select(MailTemplate).filter_by(kind=kind,
                                                               locale=stored_locale(locale)))


def save_template(actor, kind, locale, subject, body):
    """Use this subject (empty: the built-in one) and body for every email of `kind` in
    `locale` from now on."""
    subject = " ".join((subject or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise DomainError(_l("Write the text of the email."), field="body")
    check_text(kind, subject, "subject")
    check_text(kind, body, "body")
    template = stored(kind, locale) or MailTemplate(kind=kind, locale=stored_locale(locale))
    template.subject, template.body = subject or None, body
    template.updated_at, template.updated_by_id = utcnow(), getattr(actor, "id", None)
    db.session.add(template)
    record(actor, "mail_template.changed", kind=kind, locale=template.locale)
    db.session.flush()
    forget_edited_templates()
    return template


def restore_default(actor, kind, locale):
    """Back to the built-in text of `kind` in `locale`."""
    template = stored(kind, locale)
    if template is not None:
        db.session.delete(template)
        record(actor, "mail_template.restored", kind=kind, locale=template.locale)
        db.session.flush()
    forget_edited_templates()


def preview(kind, locale, subject=None, body=None):
    """The email as a sample recipient would get it: with `body` (checked first), else the text
    in use now; the subject line None when it is the sender's own."""
    sample = KINDS[kind].sample_context()
    if body is None:
        template = stored(kind, locale)
    else:
        check_text(kind, subject or "", "subject")
        check_text(kind, body, "body")
        template = MailTemplate(kind=kind, locale=stored_locale(locale), subject=subject or None,
                                body=body)
    if template is None:   # the built-in text, whose subject the sending code gives
        return compose(kind, locale, "", sample, edited=None) | {"subject": None}
    composed = compose(kind, locale, "", sample, edited=template)
    return composed | {"subject": composed["subject"] or None}


def all_edited():
    return db.session.scalars(db.select(MailTemplate)).all()
