"""The form inviting a theme chair (主题负责人)."""
from portal.i18n import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField
from wtforms.validators import Length, Optional

from portal.validation import DataRequired, EmailAddress
from portal.web import CheckboxListField


class InviteChairForm(FlaskForm):
    email = EmailField(_l("Chair's email"), validators=[DataRequired(), Length(max=254),
                                                        EmailAddress()])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    organization = StringField(_l("Partner organization"),
                               validators=[Optional(), Length(max=200)])
    themes = CheckboxListField(_l("Themes chaired"), validators=[
        DataRequired(_l("Choose at least one theme."))])
    submit = SubmitField(_l("Send the invitation"))
