"""Site settings, organizer invitation and account help forms."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.i18n import lazy_gettext as _l
from portal.validation import DataRequired, EmailAddress


class SiteSettingsForm(FlaskForm):
    version = HiddenField()
    site_name_zh = StringField(_l("Site name"), validators=[Optional(), Length(max=100)])
    site_name_en = StringField(_l("Site name (English)"), validators=[Optional(), Length(max=100)])
    footer_text = TextAreaField(_l("Footer text"), validators=[Optional(), Length(max=1000)],
                                render_kw={"rows": 2})
    icp_number = StringField(_l("ICP filing number"), validators=[Optional(), Length(max=100)],
                             description=_l("Shown in the footer, as a site hosted in mainland "
                                            "China must, e.g. 豫ICP备12345678号."))
    contact = StringField(_l("Contact address"), validators=[Optional(), Length(max=200)])
    organizers_require_two_factor = BooleanField(_l("Organizers must use two-step login"))
    submit = SubmitField(_l("Save"))


class InviteOrganizerForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254), EmailAddress()])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    submit = SubmitField(_l("Send the invitation"))


class AccountLookupForm(FlaskForm):
    """The account to look at, by its exact email, read from the query string."""

    # A GET form: looking saves nothing, so there is nothing for a CSRF token to protect.
    class Meta:  # nosemgrep: csrf-disabled-outside-tests
        csrf = False

    email = EmailField(_l("Email of the account"), validators=[DataRequired(), Length(max=254)])


REASON_MAX = 500


class ResetTwoFactorForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(_l("Give the reason; it is kept in the audit log.")),
                    Length(max=REASON_MAX)],
        description=_l("Kept in the audit log: who asked, and how you made sure it was them."),
        render_kw={"rows": 2, "maxlength": REASON_MAX})
    submit = SubmitField(_l("Reset two-step login"))
