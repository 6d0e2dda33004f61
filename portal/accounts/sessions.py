"""Sessions: a fresh one at login, idle and absolute timeouts, logout everywhere, re-authentication.

Flask's signed cookie cannot be revoked, so the user id it carries is paired with the account's
`session_token`: changing the token (logout, password change or reset) ends every session.
"""
import secrets
import time
from functools import wraps

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.rescue import rescue_for_request
from portal.static_files import is_static_request

STARTED, SEEN, REAUTHENTICATED = "started_at", "seen_at", "reauthenticated_at"


def new_session_token():
    return secrets.token_hex(16)


def start_session(user, remember=False):
    """Log the user in on a brand-new session (no state carried over from before login)."""
    if not user.session_token:
        user.session_token = new_session_token()
    locale = session.get("locale")
    session.clear()
    session.permanent = True
    login_user(user, remember=remember)
    now = time.time()
    session[STARTED] = session[SEEN] = session[REAUTHENTICATED] = now
    if user.locale or locale:
        session["locale"] = user.locale or locale


def end_all_sessions(user):
    """Every session of the user, on every device, stops being valid."""
    user.session_token = new_session_token()


def enforce_timeouts():
    """A before_request hook: log out sessions idle or old beyond the configured limits."""
    if is_static_request() or not current_user.is_authenticated:
        return None
    config, now = current_app.config, time.time()
    started, seen = session.get(STARTED, 0), session.get(SEEN, 0)
    if now - seen > config["SESSION_IDLE_MINUTES"] * 60 or \
            now - started > config["SESSION_ABSOLUTE_HOURS"] * 3600:
        logout_user()
        session.clear()
        if rescue_for_request() is not None:  # its view answers, keeping what was typed
            return None
        flash(_("Your session has expired. Please log in again."), "info")
        return redirect(url_for("accounts.login", next=request.full_path))
    if now - seen > 60:  # refresh at most once a minute, to keep the cookie stable
        session[SEEN] = now
    return None


def mark_reauthenticated():
    session[REAUTHENTICATED] = time.time()


def recently_authenticated():
    limit = current_app.config["REAUTHENTICATE_AFTER_MINUTES"] * 60
    return time.time() - session.get(REAUTHENTICATED, 0) <= limit


def require_recent_login(view):
    """For sensitive actions (exports, account deletion, email change): ask for the password
    again when the last one was typed more than a few minutes ago."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_user.is_authenticated and not recently_authenticated():
            target = request.full_path if request.method == "GET" else request.referrer
            return redirect(url_for("accounts.reauthenticate", next=target or "/"))
        return view(*args, **kwargs)

    return wrapper
