"""Normalizers and WTForms validators shared by several forms."""
import re
from decimal import Decimal

import wtforms
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from werkzeug.routing.converters import IntegerConverter
from wtforms.validators import StopValidation, ValidationError

from portal.i18n import lazy_gettext as _l

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
PASSWORD_MIN = 12
PASSWORD_MAX = 128


def plain_number(number):
    """A decimal without trailing zeros: 10, 7.5."""
    return format(Decimal(number).normalize(), "f")


def choices(pairs):
    """(value, label) pairs, as services give them, as a select field's choices."""
    return [wtforms.SelectChoice(value, label) for value, label in pairs]


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


# What the integer columns hold (PostgreSQL `integer`): larger ids, counts or page numbers
# would reach the database as errors (SQLite: OverflowError; PostgreSQL: out of range).
INT_MAX = 2**31 - 1
# More digits before the point than any Numeric column of the portal holds (14, 2).
DECIMAL_LIMIT = Decimal(10) ** 12


def bounded_int(text):
    """int() for `request.args.get(..., type=bounded_int)`: ValueError beyond INT_MAX."""
    number = int(text)
    if abs(number) > INT_MAX:
        raise ValueError(text)
    return number


class RecordIdConverter(IntegerConverter):
    """The `int` URL converter, bounded: an id no column can hold is a 404, not an error."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=INT_MAX, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class IntegerField(wtforms.IntegerField):
    """An IntegerField refusing numbers beyond INT_MAX (NumberRange would fail converting one
    to float, and the database would refuse to store it)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and abs(self.data) > INT_MAX:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))


class DecimalField(wtforms.DecimalField):
    """A DecimalField refusing NaN, infinities and numbers too large for any Numeric column
    (a NaN score cannot even be compared with the scale)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and (not self.data.is_finite() or
                                      abs(self.data) >= DECIMAL_LIMIT):
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class ScoreField(DecimalField):
    """A score: shown as on its scale (5, 7.5), never with the column's decimals (5.00)."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return plain_number(self.data) if self.data is not None else ""


def required_message(field):
    """What to say about an empty required field, naming it: 「请填写项目名称。」 rather than
    WTForms' 「该字段是必填字段。」."""
    label = str(field.label.text).strip().rstrip(":：")
    if isinstance(field, wtforms.BooleanField):
        return _("Please tick “%(field)s”.", field=label)
    if isinstance(field, (wtforms.SelectFieldBase, wtforms.FileField)):
        return _("Please choose “%(field)s”.", field=label)
    return _("Please fill in “%(field)s”.", field=label)


class _NamesTheField:
    """Replaces the generic message of a required-validator by one naming the field; a message
    given to the validator is kept."""

    def __call__(self, form, field):
        try:
            super().__call__(form, field)
        except StopValidation as error:
            if self.message is None:
                raise StopValidation(required_message(field)) from error
            raise


class DataRequired(_NamesTheField, wtforms.validators.DataRequired):
    """wtforms' DataRequired with a message naming the field."""


class InputRequired(_NamesTheField, wtforms.validators.InputRequired):
    """wtforms' InputRequired with a message naming the field."""
