"""Small helpers shared by views: safe redirects, committing at the edge, showing domain errors."""
from urllib.parse import urlsplit

from flask import current_app, flash, has_request_context, redirect, request, url_for

from portal.extensions import db


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
    field = getattr(form, error.field, None) if (form is not None and error.field) else None
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

    from portal.accounts.forms import ConfirmForm
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


def invite_from_form(role, contest, form, endpoint):
    """The contest's invitation form (judges, theme chairs) posted and valid: invite, then
    go to `endpoint`; None when the form is not posted, not valid or refused (its errors
    then show on it)."""
    from flask_babel import gettext as _
    from flask_login import current_user

    from portal.accounts import invitations
    from portal.errors import DomainError
    from portal.i18n import current_locale

    if not form.validate_on_submit():
        return None
    try:
        invitations.invite(current_user, role, form.email.data, contest=contest,
                           display_name=form.display_name.data,
                           organization=form.organization.data, theme_codes=form.themes.data,
                           locale=current_locale())
    except DomainError as error:
        show_domain_error(error, form)
        return None
    return commit_and_redirect(_("The invitation has been emailed to %(email)s.",
                                 email=form.email.data), endpoint, slug=contest.slug)
