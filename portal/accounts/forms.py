"""Account forms: one per screen."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, \
    SubmitField, TelField
from wtforms.validators import EqualTo, Length, Optional

from portal.accounts.passwords import NewPassword
from portal.i18n import lazy_gettext as _l
from portal.validation import PASSWORD_MAX, PASSWORD_MIN, ChineseMobile, DataRequired, EmailAddress


def _new_password_fields():
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), NewPassword()],
        description=_l("At least %(min)d characters. A phrase of several words is easy to "
                       "remember and hard to guess.", min=PASSWORD_MIN),
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
        render_kw={"autocomplete": "new-password"})
    return password, confirm


def _email_field():
    return EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), EmailAddress()],
                      render_kw={"autocomplete": "email"})


class RegisterForm(FlaskForm):
    email = _email_field()
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)],
                               render_kw={"autocomplete": "name"})
    password, confirm = _new_password_fields()
    consent = BooleanField(
        _l("I have read the privacy notice and agree to the processing of my personal data "
           "it describes."),
        validators=[DataRequired(_l("You need to agree to the privacy notice to register."))])
    submit = SubmitField(_l("Create account"))


class RequestResetForm(FlaskForm):
    email = _email_field()
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set the new password"))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Log in"))


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)],
                               render_kw={"autocomplete": "name"})
    entrant_type_code = SelectField(_l("Entrant type"), validators=[DataRequired()])
    organization = StringField(
        _l("Organization"), validators=[Optional(), Length(max=200)],
        description=_l("The student club, NGO or organization you apply for. "
                       "Individuals may leave it empty."),
        render_kw={"autocomplete": "organization"})
    contact_name = StringField(_l("Contact person"), validators=[DataRequired(), Length(max=100)])
    phone = TelField(_l("Mobile phone"), validators=[DataRequired(), ChineseMobile()],
                     render_kw={"autocomplete": "tel", "inputmode": "tel"})
    submit = SubmitField(_l("Save profile"))


class AcceptInvitationForm(FlaskForm):
    """A new judge sets a name and a password."""

    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=100)],
                               render_kw={"autocomplete": "name"})
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Accept and create my account"))


ERASE_EXPLANATION = _l(
    "Your account, profile and drafts will be deleted. Submitted proposals in a running contest "
    "are withdrawn and deleted. Proposals that judges have already scored are kept without your "
    "name, contact details, team or attachments, so that the contest's results stay "
    "reproducible. This cannot be undone.")


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(),
                                                              Length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Delete my account"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(), Length(max=PASSWORD_MAX)], render_kw={"autocomplete": "current-password"})
    password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change the password"))


class ReauthenticateForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(),
                                                              Length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Continue"))


def _code_field(label):
    return StringField(label, validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "off",
                                  "spellcheck": "false"})


class TwoFactorLoginForm(FlaskForm):
    """The login's second step: a code from the authenticator app, or a recovery code."""

    code = _code_field(_l("Verification code"))
    submit = SubmitField(_l("Verify"))


class EnableTwoFactorForm(FlaskForm):
    code = StringField(_l("Code from the authenticator app"),
                       validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
    submit = SubmitField(_l("Turn on two-step login"))


class _ProveTwoFactorForm(FlaskForm):
    """The password and a current code: what changing two-step login asks for."""

    password = PasswordField(_l("Your password"), validators=[DataRequired(),
                                                              Length(max=PASSWORD_MAX)],
                             render_kw={"autocomplete": "current-password"})
    code = _code_field(_l("Code from the authenticator app, or a recovery code"))


class DisableTwoFactorForm(_ProveTwoFactorForm):
    submit = SubmitField(_l("Turn off two-step login"))


class NewRecoveryCodesForm(_ProveTwoFactorForm):
    submit = SubmitField(_l("Replace my recovery codes"))

    def __init__(self, *args, **kwargs):
        # Own names and ids: the turn-off form on the same page has the same fields.
        kwargs.setdefault("prefix", "codes")
        super().__init__(*args, **kwargs)
