"""The form inviting a theme chair (主题负责人)."""
from portal.i18n import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, SelectChoice, StringField, SubmitField
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


class RightsForm(FlaskForm):
    """An organizer grants an invited person rights over the whole contest or some themes."""

    WHOLE, THEMES = "whole", "themes"

    email = EmailField(_l("Email of the account"), validators=[
        DataRequired(), Length(max=254), EmailAddress()],
        description=_l("A person with an account on the portal, e.g. an accepted theme chair. "
                       "Their earlier rights in this contest are replaced."))
    permissions = CheckboxListField(_l("Rights"), validators=[
        DataRequired(_l("Choose at least one right."))])
    scope = RadioField(_l("Where the rights apply"), default=THEMES, choices=[
        SelectChoice(WHOLE, _l("The whole contest (every theme)")),
        SelectChoice(THEMES, _l("Only the themes ticked below"))])
    # The service names a theme that is not the contest's; the field does not refuse it first.
    themes = CheckboxListField(_l("Themes"), validate_choice=False)
    submit = SubmitField(_l("Save the rights"))
