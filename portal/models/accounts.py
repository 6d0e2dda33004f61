"""People: one account per person, organizers flagged on the account."""
from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from portal.extensions import db
from portal.models.base import UTCDateTime, utcnow


class User(UserMixin, db.Model):
    """An account; the profile fields describe the applicant behind it."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(100))
    is_organizer: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    created_at = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    # Applicant profile
    entrant_type_code: Mapped[str | None] = mapped_column(String(32))
    organization: Mapped[str | None] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    email_confirmed_at = mapped_column(UTCDateTime)
    # Consent to the privacy notice (PIPL): when, and to which version.
    consent_at = mapped_column(UTCDateTime)
    consent_version: Mapped[str | None] = mapped_column(String(20))
    # Set when the account was erased: the row stays as a neutral label for history.
    erased_at = mapped_column(UTCDateTime)
    # Changed at logout, password change or reset: every other session of the user ends.
    session_token: Mapped[str | None] = mapped_column(String(64))
    # Two-step login (TOTP) and hashed one-time recovery codes.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    recovery_codes = mapped_column(JSON)

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        # The token makes the session cookie revocable (portal.accounts.sessions).
        return f"{self.id}:{self.session_token or ''}"

    def set_password(self, password, method="scrypt"):
        """Hash the password (about 100 ms of CPU): services call it through
        portal.accounts.services.set_password, which first ends a transaction that wrote
        nothing so that SQLite's write lock is not held meanwhile."""
        # scrypt: a current memory-hard algorithm (Werkzeug's default parameters).
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password):
        """Whether the password matches (as slow as hashing it: see set_password)."""
        return self.hash_matches(self.password_hash, password)

    @staticmethod
    def hash_matches(stored_hash, password):
        return check_password_hash(stored_hash, password)

    @property
    def email_confirmed(self):
        return self.email_confirmed_at is not None

    def __repr__(self):
        return f"<User {self.id}>"
