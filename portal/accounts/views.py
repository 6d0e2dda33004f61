"""Registration, login, logout, profile and the language switch."""
from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.accounts import services
from portal.accounts.forms import ConfirmForm, LoginForm, ProfileForm, RegisterForm
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale, normalize_locale
from portal.web import safe_next, show_domain_error

bp = Blueprint("accounts", __name__)


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an applicant account."""
    if current_user.is_authenticated:
        return redirect(url_for("proposals.mine"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.password.data,
                                        display_name=form.display_name.data,
                                        locale=session.get("locale"))
        except DomainError as error:
            show_domain_error(error, form)
        else:
            db.session.commit()
            login_user(user)
            flash(_("Welcome! Complete your profile before you submit a proposal."), "success")
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next())
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("The email or the password is wrong."))
        else:
            session.clear()  # a fresh session at login
            login_user(user, remember=form.remember.data)
            if user.locale:
                session["locale"] = user.locale
            return redirect(safe_next(_home_endpoint(user)))
    return render_template("accounts/login.html", form=form)


def _home_endpoint(user):
    return "admin.index" if user.is_organizer else "contests.index"


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST only, so that a link on another site cannot sign anyone out)."""
    if ConfirmForm().validate_on_submit():
        logout_user()
        session.pop("locale", None)
        flash(_("You have logged out."), "info")
    return redirect(url_for("contests.index"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    """The applicant's profile, copied onto each proposal when it is submitted."""
    form = ProfileForm(obj=current_user)
    form.entrant_type_code.choices = [("", _("Choose…"))] + services.entrant_type_choices(
        current_locale())
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
