"""Two-step login pages: the code after the password, turning it on and off, and the rule that
sends organizers to set it up when the site requires it."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, \
    url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal import policy
from portal.accounts import two_factor
from portal.accounts.forms import DisableTwoFactorForm, EnableTwoFactorForm, \
    NewRecoveryCodesForm, TwoFactorLoginForm
from portal.accounts.services import notify_security_change, password_matches
from portal.accounts.sessions import require_recent_login, start_session
from portal.audit import record
from portal.extensions import db, limiter
from portal.models import User
from portal.site_settings import site_settings
from portal.static_files import is_static_request

bp = Blueprint("two_factor", __name__)

# Endpoints an organizer who must set up two-step login can still reach.
OPEN_BLUEPRINTS = ("accounts", "privacy", "two_factor")
OPEN_ENDPOINTS = ("static", "ops.healthz", "contests.index")


def _pending_account_key():
    pending = session.get(two_factor.PENDING)
    return _account_key(pending.get("user") if isinstance(pending, dict) else None)


def _account_key(user_id):
    """One counter of code attempts per account, for the login's second step and turning off."""
    return f"login-code:{user_id}"


def _limit(setting, **options):
    return limiter.limit(lambda: current_app.config[setting], methods=["POST"], **options)


def finish_login(user, remember, next_url):
    """After the password: the second step when the user has one, else the session starts.
    Returns the response (the caller commits)."""
    if two_factor.is_enabled(user):
        two_factor.begin_pending_login(user, remember, next_url)
        return redirect(url_for("two_factor.verify"))
    start_session(user, remember=remember)
    if two_factor.must_set_up(user, site_settings()):
        flash(_("Organizers of this site must use two-step login. Set it up to continue."),
              "warning")
        return redirect(url_for("two_factor.setup"))
    return redirect(next_url or url_for(policy.home_endpoint(user)))


@bp.route("/login/code", methods=["GET", "POST"])
@_limit("LOGIN_LIMIT_PER_IP")
@_limit("LOGIN_LIMIT_PER_ACCOUNT", key_func=_pending_account_key)
def verify():
    """The second step of the login: a code from the authenticator app or a recovery code."""
    if current_user.is_authenticated:
        return redirect(url_for("contests.index"))
    pending = two_factor.pending_login()
    user = db.session.get(User, pending["user"]) if pending else None
    if user is None or not user.is_active or not two_factor.is_enabled(user):
        session.pop(two_factor.PENDING, None)
        flash(_("The login has expired. Please log in again."), "info")
        return redirect(url_for("accounts.login"))
    form = TwoFactorLoginForm()
    if form.validate_on_submit():
        kind = two_factor.verify_code(user, form.code.data)
        if kind is not None:
            start_session(user, remember=pending.get("remember", False))
            db.session.commit()
            if kind == "recovery":
                left = two_factor.recovery_codes_left(user)
                flash(ngettext("You used a recovery code; %(num)d is left.",
                               "You used a recovery code; %(num)d are left.", left), "warning")
            return redirect(pending.get("next") or url_for(policy.home_endpoint(user)))
        if not two_factor.count_failure():
            flash(_("Too many wrong codes. Please log in again."), "danger")
            return redirect(url_for("accounts.login"))
        form.code.errors.append(_("This code is not valid. Codes change every 30 seconds; a "
                                  "recovery code works only once."))
    return render_template("accounts/two_factor_login.html", form=form)


@bp.route("/account/two-step", methods=["GET", "POST"])
@login_required
@require_recent_login
def setup():
    """Turn on two-step login: scan or type the secret, confirm with a first code, then keep
    the recovery codes shown once."""
    user = current_user._get_current_object()
    if two_factor.is_enabled(user):
        return _settings_page(user)
    secret = session.get(two_factor.SETUP_SECRET) or two_factor.new_secret()
    session[two_factor.SETUP_SECRET] = secret
    form = EnableTwoFactorForm()
    if form.validate_on_submit():
        codes = two_factor.enable(user, secret, form.code.data)
        if codes is not None:
            record(user, "two_factor.enabled", target=user)
            notify_security_change(user, "two_factor_on")
            db.session.commit()
            session.pop(two_factor.SETUP_SECRET, None)
            return render_template("accounts/recovery_codes.html", codes=codes)
        form.code.errors.append(_("This code is not valid. Check the time on your phone and "
                                  "type the code it shows now."))
    uri = two_factor.provisioning_uri(user, secret, _issuer())
    return render_template("accounts/two_factor.html", enabled=False, form=form, secret=secret,
                           uri=uri, qr_code=two_factor.qr_code_svg(uri),
                           required=two_factor.must_set_up(user, site_settings()))


def _issuer():
    settings = site_settings()
    return settings.site_name_en or settings.site_name_zh or two_factor.ISSUER


def _settings_page(user, disable_form=None, codes_form=None):
    """The page of a user with two-step login on: replace the recovery codes, or turn it off."""
    return render_template(
        "accounts/two_factor.html", enabled=True,
        codes_left=two_factor.recovery_codes_left(user),
        disable_form=disable_form or DisableTwoFactorForm(formdata=None),
        codes_form=codes_form or NewRecoveryCodesForm(formdata=None))


def _proved(user, form):
    """The password and a current code (used up) when both are right; else None, with the
    wrong one marked on the form."""
    if not form.validate_on_submit():
        return None
    if not password_matches(user, form.password.data):
        form.password.errors.append(_("The password is wrong."))
        return None
    kind = two_factor.verify_code(user, form.code.data)
    if kind is None:
        form.code.errors.append(_("This code is not valid."))
    return kind


# Both forms take a guess at a code: one counter per account for the two.
_code_guesses_limit = limiter.shared_limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], scope="two-step-settings",
    methods=["POST"], key_func=lambda: _account_key(getattr(current_user, "id", None)))


@bp.route("/account/two-step/disable", methods=["POST"])
@login_required
@require_recent_login
@_code_guesses_limit
def disable():
    """Turn off two-step login with the password and a code."""
    user = current_user._get_current_object()
    if not two_factor.is_enabled(user):
        return redirect(url_for("two_factor.setup"))
    form = DisableTwoFactorForm()
    if _proved(user, form):
        two_factor.disable(user)
        record(user, "two_factor.disabled", target=user)
        notify_security_change(user, "two_factor_off")
        db.session.commit()
        flash(_("Two-step login is turned off."), "info")
        return redirect(url_for("accounts.account"))
    return _settings_page(user, disable_form=form), 422


@bp.route("/account/two-step/recovery-codes", methods=["POST"])
@login_required
@require_recent_login
@_code_guesses_limit
def new_recovery_codes():
    """Replace every recovery code with the password and a code; the new ones are shown once."""
    user = current_user._get_current_object()
    if not two_factor.is_enabled(user):
        return redirect(url_for("two_factor.setup"))
    form = NewRecoveryCodesForm()
    proved_with = _proved(user, form)
    if proved_with:
        codes = two_factor.replace_recovery_codes(user, proved_with)
        notify_security_change(user, "recovery_codes_replaced")
        db.session.commit()
        return render_template("accounts/recovery_codes.html", codes=codes, replaced=True)
    return _settings_page(user, codes_form=form), 422


def require_organizer_two_factor():
    """While the site requires it, an organizer without two-step login reaches only the
    account pages (to set it up, or to log out)."""
    if is_static_request() or not current_user.is_authenticated or \
            not current_user.is_organizer:
        return None
    if request.blueprint in OPEN_BLUEPRINTS or request.endpoint in OPEN_ENDPOINTS:
        return None
    if not two_factor.must_set_up(current_user, site_settings()):
        return None
    flash(_("Organizers of this site must use two-step login. Set it up to continue."),
          "warning")
    return redirect(url_for("two_factor.setup"))
