"""Small helpers shared by views: safe redirects, committing at the edge, showing domain errors,
the empty form of a POST button, a list of checkboxes, sending a written file."""
import tempfile
from urllib.parse import urlsplit

from flask import current_app, flash, has_request_context, redirect, request, send_file, url_for
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, SubmitField
from wtforms.widgets import CheckboxInput, ListWidget

from portal.extensions import db
from portal.i18n import lazy_gettext as _l


class ConfirmForm(FlaskForm):
    """A single POST button: CSRF-protected and nothing else."""

    submit = SubmitField(_l("Confirm"))


class CheckboxListField(SelectMultipleField):
    """Several choices shown as checkboxes, each with its own label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def safe_next(default_endpoint="contests.index", **values):
    """The `next` target when it stays on this site, else the default page."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc \
            and "\\" not in target:
        return target
    return url_for(default_endpoint, **values)


def commit_and_redirect(message, endpoint, category="success", **values):
    """End the request's transaction, tell the user, and move on (post/redirect/get)."""
    db.session.commit()
    if message:
        flash(message, category)
    return redirect(url_for(endpoint, **values))


def show_domain_error(error, form=None):
    """Roll back and show the refusal next to its field when it names one, else as a banner."""
    db.session.rollback()
    # A form that names its fields itself (the review form's scores) says which one it is.
    name = form.field_for(error) if hasattr(form, "field_for") else getattr(error, "field", None)
    field = getattr(form, name, None) if (form is not None and name) else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        flash(error.message, "danger")


def external_url(endpoint, **values):
    """An absolute link for emails and printed invitations; outside a request, from PORTAL_BASE_URL."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    return printed_url(endpoint, **values)


def printed_url(endpoint, **values):
    """An absolute link from PORTAL_BASE_URL whatever address the request came by: for paper
    (a certificate's QR code), read months later from anywhere."""
    with current_app.test_request_context(base_url=current_app.config["PORTAL_BASE_URL"]):
        return url_for(endpoint, _external=True, **values)


def organizer_blueprint(name, import_name, **options):
    """A blueprint whose every route needs a signed-in organizer, or a chair whose grant opens
    the route (portal.policy.may_open_organizer_route); else login, 403 or 404."""
    from flask import Blueprint
    from flask_login import current_user, login_required

    from portal import policy

    blueprint = Blueprint(name, import_name, **options)

    @blueprint.before_request
    @login_required
    def require_organizer():
        method = "GET" if request.method == "HEAD" else request.method
        policy.may_open_organizer_route(current_user, request.endpoint, method,
                                        request.view_args)

    return blueprint


def flash_form_errors(form):
    """Show a form's errors as banners, for a form posted from a page that redirects back."""
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")


def run_button_action(action, message, endpoint, refused_to=None, **values):
    """A state-changing button: check its CSRF token, run `action()`, then commit and say
    `message` (or `message(result)` when it is a function of what the action returned); a
    refusal (DomainError) is shown instead. Either way, go to `endpoint`; a refusal goes to
    the URL `refused_to` instead when one is given."""
    from flask import abort

    from portal.errors import DomainError

    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = action()
    except DomainError as error:
        show_domain_error(error)
        return redirect(refused_to or url_for(endpoint, **values))
    return commit_and_redirect(message(result) if callable(message) else message, endpoint,
                               **values)


# Exports are written to a temporary file that moves to disk past this size.
SPOOL_BYTES = 8 * 1024 * 1024


def send_written(write, mimetype):
    """Run `write(file)` (it returns the file name) and send the file, never cached."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        filename = write(spool)
    except BaseException:
        spool.close()
        raise
    db.session.commit()  # the audit event and the ranking's cached bootstrap
    spool.seek(0)
    response = send_file(spool, mimetype=mimetype, as_attachment=True, download_name=filename,
                         max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
