"""Account verbs: register, authenticate, profile, organizer accounts."""
import functools
import hashlib
import hmac
import secrets

from flask import current_app
from werkzeug.security import generate_password_hash

from portal.accounts.sessions import end_all_sessions
from portal.database import without_write_lock
from portal.errors import DomainError
from portal.extensions import db
from portal.generations import CONTEST_PARTS
from portal.i18n import lazy_gettext as _l
from portal.mail import queue_email
from portal import policy, site_settings
from portal.models import EntrantType, SiteSettings, User, utcnow
from portal.tokens import make_token, read_token
from portal.validation import INT_MAX, normalize_email
from portal.web import external_url

CONFIRM_EMAIL = "confirm-email"
RESET_PASSWORD = "reset-password"

# Checked when the email is unknown, so that a miss costs as much time as a hit.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


@functools.cache
def _session_statement():
    """load_user's statement, built once per process: SQLAlchemy then finds its compiled form
    without walking the statement again on every request."""
    parts_counter, parts_generation = CONTEST_PARTS.value_column()
    return (db.select(User, policy.judges_any_clause(User.id).label("judges"),
                      policy.owns_any_clause(User.id).label("owns_proposal"), parts_generation,
                      *site_settings.columns())
            .select_from(User)
            .outerjoin(SiteSettings, SiteSettings.id == 1)
            .outerjoin(parts_counter, parts_counter.id == CONTEST_PARTS.row_id)
            .where(User.id == db.bindparam("user_id")))


def load_user(session_id):
    """The user of a session id `<user id>:<session token>`, if the token is still current and
    the account active (not deactivated, not erased).

    One indexed statement per signed-in request, whichever worker serves it: the user's row
    by primary key (its session token read fresh, so a revoked session is refused on its very
    next request), with, in the same statement, the site settings row (by primary key), the
    contest parts' counter (by primary key: portal.contests.snapshots) and whether the user
    judges or owns a proposal (the menu's roles, two index probes). Nothing about the session
    is cached between requests.
    """
    user_id, _sep, token = str(session_id).partition(":")
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    if not token or not 0 < user_id <= INT_MAX:
        return None
    row = db.session.execute(_session_statement(), {"user_id": user_id}).first()
    if row is None:
        return None
    user = row.User
    if not user.active or not hmac.compare_digest(user.session_token or "", token):
        return None
    site_settings.remember(row[-len(site_settings.COLUMNS):])
    CONTEST_PARTS.remember(row._mapping[CONTEST_PARTS.label])
    policy.remember_menu_facts(user, judges=bool(row.judges),
                               owns_proposal=bool(row.owns_proposal))
    return user


def _user_by_id(user_id):
    return db.session.get(User, user_id) if isinstance(user_id, int) else None


def find_user_by_email(email):
    try:
        email = normalize_email(email)
    except ValueError:
        return None
    return db.session.scalar(db.select(User).filter_by(email=email))


def create_user(email, password, display_name=None, organizer=False, locale=None):
    """A new account; refuses an email that already has one."""
    email = normalize_email(email)
    if db.session.scalar(db.select(User.id).filter_by(email=email)) is not None:
        raise DomainError(_l("An account with this email already exists. Log in instead."),
                          field="email")
    user = User(email=email, display_name=display_name, is_organizer=organizer, locale=locale,
                active=True)
    set_password(user, password)
    db.session.add(user)
    db.session.flush()
    return user


def register_applicant(email, password, display_name, locale, consent_version, now=None):
    """Register, or quietly tell the owner of an existing account: the answer is the same.

    Returns the new user, or None when the email already had an account (its owner is emailed
    instead, so that the form never reveals who is registered).
    """
    existing = find_user_by_email(email)
    if existing is not None:
        # As long as a registration takes: the time of the answer must not tell either.
        set_password(User(), password)
        if existing.erased_at is None:
            queue_email(existing, _l("Someone tried to register with your email"),
                        "account_exists", user=existing,
                        login_url=external_url("accounts.login"),
                        reset_url=external_url("accounts.request_reset"))
        return None
    user = create_user(email, password, display_name=display_name, locale=locale)
    user.consent_at = now or utcnow()
    user.consent_version = consent_version
    send_confirmation(user)
    return user


def send_confirmation(user):
    token = make_token(CONFIRM_EMAIL, {"user": user.id, "email": user.email})
    queue_email(user, _l("Confirm your email address"), "confirm_email", user=user,
                confirm_url=external_url("accounts.confirm_email", token=token),
                max_age_days=current_app.config["EMAIL_CONFIRMATION_MAX_AGE_DAYS"])


def confirm_email(token, now=None):
    """Mark the address confirmed; returns the user, or None for a bad or expired link."""
    payload = read_token(CONFIRM_EMAIL, token,
                         current_app.config["EMAIL_CONFIRMATION_MAX_AGE_DAYS"] * 86400)
    user = _user_by_id(payload.get("user")) if payload else None
    if user is None or user.email != payload.get("email") or user.erased_at is not None:
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now or utcnow()
    return user


def _password_fingerprint(user):
    # Changes with the password, so a reset link works once and dies with the next change.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def request_password_reset(email):
    """Email a reset link when the account exists; the caller answers the same either way."""
    user = find_user_by_email(email)
    if user is None or not user.active or user.erased_at is not None:
        return
    token = make_token(RESET_PASSWORD, {"user": user.id, "pw": _password_fingerprint(user)})
    queue_email(user, _l("Reset your password"), "reset_password", user=user,
                reset_url=external_url("accounts.reset_password", token=token))


def user_for_reset_token(token):
    payload = read_token(RESET_PASSWORD, token,
                         current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"])
    user = _user_by_id(payload.get("user")) if payload else None
    if user is None or not user.active or payload.get("pw") != _password_fingerprint(user):
        return None
    return user


def reset_password(user, new_password, now=None):
    _set_password(user, new_password)
    # Following the emailed link proves the address, too.
    user.email_confirmed_at = user.email_confirmed_at or now or utcnow()
    notify_security_change(user, "password_reset")


def change_password(user, new_password):
    """Set the password and end every session of the user (the caller starts a new one)."""
    _set_password(user, new_password)
    notify_security_change(user, "password_changed")


def _set_password(user, new_password):
    set_password(user, new_password)
    end_all_sessions(user)


def set_password(user, password):
    """Hash the password onto the user without holding SQLite's write lock meanwhile
    (portal.database.without_write_lock)."""
    without_write_lock(lambda: user.set_password(password,
                                                 current_app.config["PASSWORD_HASH_METHOD"]))


def password_matches(user, password):
    """Whether the password is the user's, checked without holding SQLite's write lock."""
    # Read first: once the transaction has ended, reading the user would begin another.
    stored = user.password_hash
    return without_write_lock(lambda: User.hash_matches(stored, password))


# Every change to how someone logs in is told to them by email, so that a change they did not
# make does not go unnoticed (OWASP ASVS 2.2.3 and 2.5.5).
SECURITY_EVENTS = {
    "password_changed": _l("The password of your account was changed."),
    "password_reset": _l("The password of your account was reset with the link sent to this "
                         "address."),
    "two_factor_on": _l("Two-step login was turned on for your account."),
    "two_factor_off": _l("Two-step login was turned off for your account."),
    "recovery_codes_replaced": _l("The recovery codes of your account were replaced: the "
                                  "earlier ones no longer work."),
}


def notify_security_change(user, event):
    """Email the user that `event` (a SECURITY_EVENTS key) just happened to their account."""
    queue_email(user, _l("A change to how you log in"), "security_notice", user=user,
                event=SECURITY_EVENTS[event],
                reset_url=external_url("accounts.request_reset"))


def authenticate(email, password):
    """The active user with these credentials, or None (without telling which part was wrong)."""
    user = find_user_by_email(email)
    if user is None:
        password_matches(User(password_hash=_DUMMY_HASH), password)
        return None
    if not password_matches(user, password) or not user.active or user.erased_at is not None:
        return None
    return user


def update_profile(user, display_name, entrant_type_code, organization, contact_name, phone):
    user.display_name = display_name
    user.entrant_type_code = entrant_type_code
    user.organization = (organization or "").strip() or None
    user.contact_name = contact_name
    user.phone = phone
    db.session.flush()


def entrant_type_choices(locale):
    """Entrant types offered by the contests, one per code, newest contest's wording first."""
    rows = db.session.scalars(
        db.select(EntrantType).order_by(EntrantType.contest_id.desc(), EntrantType.position))
    choices = {}
    for entrant_type in rows:
        choices.setdefault(entrant_type.code, entrant_type.localized("name", locale))
    return list(choices.items())


def ensure_organizer(email=None, password=None):
    """Make sure an organizer exists; returns (user, generated_password or None).

    With an email, that account is created (or promoted) as an organizer; without one, nothing
    happens when any organizer exists, else `admin@example.com` is created.
    """
    generated = None
    if email:
        user = find_user_by_email(email)
        if user is not None:
            user.is_organizer = True
            return user, None
    else:
        existing = db.session.scalar(db.select(User).filter_by(is_organizer=True).limit(1))
        if existing is not None:
            return existing, None
        email = "admin@example.com"
    if not password:
        password = generated = secrets.token_urlsafe(12)
    return create_user(email, password, display_name="Administrator", organizer=True), generated
