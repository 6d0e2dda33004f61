"""Site settings and organizer invitation forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.validation import EmailAddress


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
