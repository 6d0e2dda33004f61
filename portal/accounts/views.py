"""Registration, login, logout, profile, the account page and the language switch (its
personal data download and erasure are portal.privacy)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, \
    url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from portal import policy
from portal.accounts import services
from portal.accounts.forms import ERASE_EXPLANATION, ChangePasswordForm, DeleteAccountForm, \
    LoginForm, ProfileForm, ReauthenticateForm, RegisterForm, RequestResetForm, ResetPasswordForm
from portal.accounts.sessions import end_all_sessions, mark_reauthenticated, start_session
from portal.accounts.two_factor_views import finish_login
from portal.database import writes_on_get
from portal.extensions import db, limiter
from portal.i18n import current_locale, normalize_locale
from portal.validation import choices
from portal.web import ConfirmForm, safe_next

bp = Blueprint("accounts", __name__)


def _login_account_key():
    return "login:" + (request.form.get("email") or "").strip().lower()[:254]


def _limit(setting, **options):
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"], **options)


@bp.route("/register", methods=["GET", "POST"])
@_limit("SIGNUP_LIMIT_PER_IP")
def register():
    """Create an applicant account; the answer is the same whether the email is known or not."""
    if current_user.is_authenticated:
        return redirect(url_for("proposals.mine"))
    form = RegisterForm()
    if form.validate_on_submit():
        services.register_applicant(form.email.data, form.password.data,
                                    form.display_name.data, current_locale(),
                                    current_app.config["PRIVACY_NOTICE_VERSION"])
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data,
                               reason="register")
    return render_template("accounts/register.html", form=form)


@bp.route("/confirm/<token>")
@writes_on_get
def confirm_email(token):
    """The link from the confirmation email."""
    user = services.confirm_email(token)
    if user is None:
        flash(_("This confirmation link is invalid or has expired. Log in to get a new one."),
              "danger")
        return redirect(url_for("accounts.login"))
    db.session.commit()
    flash(_("Thank you, your email address is confirmed."), "success")
    if current_user.is_authenticated:
        return redirect(url_for("proposals.mine"))
    return redirect(url_for("accounts.login"))


@bp.route("/confirm", methods=["POST"])
@login_required
def resend_confirmation():
    """Send the confirmation email again."""
    if ConfirmForm().validate_on_submit() and not current_user.email_confirmed:
        services.send_confirmation(current_user)
        db.session.commit()
        flash(_("We have sent the confirmation email again to %(email)s.",
                email=current_user.email), "info")
    return redirect(safe_next("proposals.mine"))


@bp.route("/reset", methods=["GET", "POST"])
@_limit("SIGNUP_LIMIT_PER_IP")
def request_reset():
    """Ask for a password reset link; the answer never says whether the email is registered."""
    form = RequestResetForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        return render_template("accounts/check_email.html", email=form.email.data,
                               reason="reset")
    return render_template("accounts/request_reset.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token):
    """Set a new password from the emailed link (valid for one hour, once)."""
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid, has expired or has been used. Ask for a new one."),
              "danger")
        return redirect(url_for("accounts.request_reset"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        db.session.commit()
        logout_user()
        flash(_("Your password has been changed. Log in with the new one."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/privacy")
def privacy():
    """The privacy notice (PIPL): what is kept, why, for how long, and the user's rights."""
    return render_template("accounts/privacy.html",
                           version=current_app.config["PRIVACY_NOTICE_VERSION"],
                           retention_years=current_app.config["PORTAL_RETENTION_YEARS"])


@bp.route("/login", methods=["GET", "POST"])
@_limit("LOGIN_LIMIT_PER_IP")
@_limit("LOGIN_LIMIT_PER_ACCOUNT", key_func=_login_account_key)
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(policy.home_endpoint(current_user)))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email or the password is wrong."))
        else:
            response = finish_login(user, form.remember.data,
                                    safe_next(policy.home_endpoint(user)))
            db.session.commit()
            return response
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out everywhere (POST only, so that a link on another site cannot sign anyone out)."""
    if ConfirmForm().validate_on_submit():
        if current_user.is_authenticated:
            end_all_sessions(current_user)
            db.session.commit()
        logout_user()
        session.pop("locale", None)
        flash(_("You have logged out."), "info")
    return redirect(url_for("contests.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """The applicant's profile, copied onto each proposal when it is submitted."""
    form = ProfileForm(obj=current_user)
    form.entrant_type_code.choices = choices(
        [("", _("Choose…"))] + services.entrant_type_choices(current_locale()))
    if form.validate_on_submit():
        services.update_profile(current_user, form.display_name.data,
                                form.entrant_type_code.data, form.organization.data,
                                form.contact_name.data, form.phone.data)
        db.session.commit()
        flash(_("Your profile has been saved."), "success")
        return redirect(safe_next("proposals.mine"))
    return render_template("accounts/profile.html", form=form)


@bp.route("/language", methods=["POST"])
def set_language():
    """Remember the language picked in the switch shown on every page."""
    chosen = normalize_locale(request.form.get("locale"))
    if ConfirmForm().validate_on_submit() and chosen:
        session["locale"] = chosen
        if current_user.is_authenticated:
            current_user.locale = chosen
            db.session.commit()
    return redirect(safe_next())


@bp.route("/account")
@login_required
def account():
    """The account page: personal data download and account deletion."""
    return render_template("accounts/account.html", action_form=ConfirmForm(),
                           delete_form=DeleteAccountForm(),
                           explanation=ERASE_EXPLANATION)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; every other session of the account ends."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not services.password_matches(current_user, form.current_password.data):
            form.current_password.errors.append(_("The password is wrong."))
        else:
            user = current_user._get_current_object()
            services.change_password(user, form.password.data)
            start_session(user)
            db.session.commit()
            flash(_("Your password has been changed. Other devices have been logged out."),
                  "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/change_password.html", form=form)


@bp.route("/account/confirm-password", methods=["GET", "POST"])
@login_required
def reauthenticate():
    """Type the password again before a sensitive action."""
    form = ReauthenticateForm()
    if form.validate_on_submit():
        if services.password_matches(current_user, form.password.data):
            mark_reauthenticated()
            return redirect(safe_next("accounts.account"))
        form.password.errors.append(_("The password is wrong."))
    return render_template("accounts/reauthenticate.html", form=form)
