"""Organizer pages: the portal's emails, their text per language, previews, the way back."""
from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user

from portal.errors import DomainError
from portal.mail_templates import services
from portal.mail_templates.catalog import KINDS
from portal.mail_templates.forms import MailTemplateForm, RestoreForm
from portal.mail_templates.rendering import LOCALES
from portal.web import commit_and_redirect, organizer_blueprint, show_domain_error

bp = organizer_blueprint("mail_templates", __name__, url_prefix="/admin/mail-templates")
LOCALE_RULE = "<any(zh_CN, en):locale>"


def _kind(code):
    kind = KINDS.get(code)
    if kind is None:
        abort(404)
    return kind


@bp.route("")
def index():
    """Every kind of email, and in which language its text was edited."""
    edited = {(template.kind, template.locale) for template in services.all_edited()}
    return render_template("mail_templates/index.html", kinds=KINDS.values(), locales=LOCALES,
                           edited=edited)


@bp.route(f"/<kind>/{LOCALE_RULE}", methods=["GET", "POST"])
def edit(kind, locale):
    """Edit an email's subject and text in one language; preview before saving."""
    mail_kind = _kind(kind)
    template = services.stored(kind, locale)
    form = MailTemplateForm(obj=template)
    status = 200
    if form.validate_on_submit():
        try:
            if form.save.data:
                services.save_template(current_user, kind, locale, form.subject.data,
                                       form.body.data)
                return commit_and_redirect(_("The text was saved: the next emails of this "
                                             "kind use it."), "mail_templates.edit",
                                           kind=kind, locale=locale)
            shown = services.preview(kind, locale, form.subject.data, form.body.data)
        except DomainError as error:
            show_domain_error(error, form)
            shown, status = None, 422
    else:
        if form.is_submitted():
            status = 422
        shown = services.preview(kind, locale) if not form.is_submitted() else None
    return render_template("mail_templates/edit.html", kind=mail_kind, locale=locale,
                           form=form, preview=shown, edited=template is not None,
                           restore_form=RestoreForm()), status


@bp.route(f"/<kind>/{LOCALE_RULE}/restore", methods=["POST"])
def restore(kind, locale):
    """Back to the built-in text."""
    _kind(kind)
    if RestoreForm().validate_on_submit():
        services.restore_default(current_user, kind, locale)
    return commit_and_redirect(_("The built-in text is used again."), "mail_templates.edit",
                               kind=kind, locale=locale)
