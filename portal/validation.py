"""Normalizers and WTForms validators shared by several forms."""
import re
from decimal import Decimal

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
PASSWORD_MIN = 12
PASSWORD_MAX = 128


def plain_number(number):
    """A decimal without trailing zeros: 10, 7.5."""
    return format(Decimal(number).normalize(), "f")


def normalize_email(raw):
    """One account per person: the validated address, lower-cased. Raises ValueError."""
    try:
        result = validate_email((raw or "").strip(), check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error
    return result.normalized.lower()


def normalize_mobile(raw):
    """A mainland China mobile number as 11 digits; accepts spaces, dashes and +86. Raises ValueError."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix):]
    if not MOBILE_RE.match(digits):
        raise ValueError(digits)
    return digits


class EmailAddress:
    """Checks the address with email-validator and leaves the normalized form in `field.data`."""

    def __call__(self, form, field):
        try:
            field.data = normalize_email(field.data)
        except ValueError as error:
            raise ValidationError(_l("Enter a valid email address.")) from error


class ChineseMobile:
    def __call__(self, form, field):
        if not field.data:
            return
        try:
            field.data = normalize_mobile(field.data)
        except ValueError as error:
            raise ValidationError(
                _l("Enter a mainland China mobile number: 11 digits starting with 1.")) from error
