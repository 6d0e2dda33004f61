"""The password rule (ASVS 2.1): 12 to 128 characters of any kind, no composition rules, and
not one of the 10,000 most common passwords (common_passwords.txt, matched case-insensitively)."""
from functools import lru_cache
from pathlib import Path

from wtforms.validators import ValidationError

from portal.i18n import lazy_gettext as _l
from portal.validation import PASSWORD_MAX, PASSWORD_MIN

COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

TOO_SHORT_OR_LONG = _l("The password must be between %(min)d and %(max)d characters long.",
                       min=PASSWORD_MIN, max=PASSWORD_MAX)
TOO_COMMON = _l("This password is one of the most common passwords, which attackers try first. "
                "Choose another one, for example a phrase of several words.")


@lru_cache(maxsize=1)
def common_passwords():
    """The list as a set of case-folded entries, read once per process."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as handle:
        return frozenset(line.rstrip("\n").casefold() for line in handle
                         if line.strip() and not line.startswith("#"))


def is_common(password):
    return password.casefold() in common_passwords() or \
        password.strip().casefold() in common_passwords()


def password_problem(password):
    """Why the password is refused (a lazy message), or None when it is acceptable."""
    if password is None or not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        return TOO_SHORT_OR_LONG
    if is_common(password):
        return TOO_COMMON
    return None


class NewPassword:
    """The validator of every field where a new password is chosen."""

    def __call__(self, form, field):
        problem = password_problem(field.data or "")
        if problem is not None:
            raise ValidationError(problem)
