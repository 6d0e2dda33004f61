"""Account verbs: register, authenticate, profile, organizer accounts."""
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.security import generate_password_hash

from portal.errors import DomainError
from portal.extensions import db
from portal.models import EntrantType, User
from portal.validation import normalize_email

# Checked when the email is unknown, so that a miss costs as much time as a hit.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


def load_user(user_id):
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


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
    user.set_password(password, current_app.config["PASSWORD_HASH_METHOD"])
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email, password):
    """The active user with these credentials, or None (without telling which part was wrong)."""
    user = find_user_by_email(email)
    if user is None:
        User(password_hash=_DUMMY_HASH).check_password(password)
        return None
    if not user.check_password(password) or not user.active:
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
