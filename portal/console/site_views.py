"""Site settings, organizer accounts and help for locked-out users, for organizers."""
from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import invitations, two_factor
from portal.accounts.services import find_user_by_email
from portal.accounts.sessions import require_recent_login
from portal.console import organizers as organizer_accounts, settings as site_settings_saving
from portal.console.accounts import account_roles, reset_two_factor
from portal.console.site_forms import AccountLookupForm, InviteOrganizerForm, ResetTwoFactorForm, \
    SiteSettingsForm
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale
from portal.models import Invitation, InvitationRole, User, utcnow
from portal.site_settings import site_settings
from portal.web import ConfirmForm, commit_and_redirect, flash_form_errors, organizer_blueprint, \
    show_domain_error

bp = organizer_blueprint("site", __name__, url_prefix="/admin")


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """The site's name, footer, ICP filing number, contact and login policy."""
    current = site_settings()
    form = SiteSettingsForm(obj=current)
    if form.validate_on_submit():
        try:
            site_settings_saving.save_settings(
                current_user, {field: form[field].data
                               for field in site_settings_saving.SETTING_FIELDS},
                form.version.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The settings have been saved."), "site.settings")
    return render_template("site/settings.html", form=form)


@bp.route("/organizers", methods=["GET", "POST"])
def organizers():
    """Organizer accounts: invite a colleague, deactivate an account (never the last)."""
    form = InviteOrganizerForm()
    if form.validate_on_submit():
        try:
            invitations.invite(current_user, InvitationRole.ORGANIZER, form.email.data,
                               display_name=form.display_name.data, locale=current_locale())
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The invitation has been emailed to %(email)s.",
                                         email=form.email.data), "site.organizers")
    pending = db.session.scalars(db.select(Invitation).filter(
        Invitation.role == InvitationRole.ORGANIZER, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())).all()
    return render_template("site/organizers.html", form=form,
                           users=organizer_accounts.organizers(),
                           invitations=pending, action_form=ConfirmForm())


@bp.route("/organizers/<int:user_id>/<any(deactivate, activate):action>", methods=["POST"])
def organizer_activation(user_id, action):
    """Deactivate or reactivate an organizer account."""
    user = _user(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        organizer_accounts.set_organizer_active(current_user, user, action == "activate")
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("site.organizers"))
    return commit_and_redirect(_("Saved."), "site.organizers")


def _user(user_id):
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/accounts")
def accounts():
    """Find an account by its exact email: its roles and state, and the two-step login reset
    for a user who lost both their phone and their recovery codes."""
    searched = "email" in request.args
    form = AccountLookupForm(request.args if searched else None)
    user = find_user_by_email(form.email.data) if searched and form.validate() else None
    return render_template(
        "site/accounts.html", form=form, searched=searched, user=user,
        roles=account_roles(user) if user else None,
        two_factor_on=two_factor.is_enabled(user) if user else False,
        reset_form=ResetTwoFactorForm(formdata=None))


@bp.route("/accounts/<int:user_id>/reset-two-step", methods=["POST"])
@require_recent_login
def reset_two_step(user_id):
    """Turn off a user's two-step login (never one's own), end their sessions, email them."""
    user = _user(user_id)
    back = url_for("site.accounts", email=user.email)
    form = ResetTwoFactorForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(back)
    try:
        reset_two_factor(current_user, user, form.reason.data)
    except DomainError as error:
        show_domain_error(error)
        return redirect(back)
    return commit_and_redirect(
        _("Two-step login of %(email)s is off; they have been logged out everywhere and "
          "emailed.", email=user.email), "site.accounts", email=user.email)
