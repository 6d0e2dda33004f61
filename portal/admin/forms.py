"""Organizer forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from portal.validation import EmailAddress


class CheckboxListField(SelectMultipleField):
    """Several choices shown as checkboxes, each with its own label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InviteJudgeForm(FlaskForm):
    email = EmailField(_l("Judge's email"), validators=[DataRequired(), Length(max=254),
                                                        EmailAddress()])
    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    organization = StringField(_l("Organization"), validators=[Optional(), Length(max=200)])
    themes = CheckboxListField(_l("Themes of expertise"), validators=[Optional()])
    submit = SubmitField(_l("Send the invitation"))


class AssignJudgesForm(FlaskForm):
    judge_ids = CheckboxListField(_l("Judges"), coerce=int,
                                  validators=[DataRequired(_l("Choose at least one judge."))])
    submit = SubmitField(_l("Assign"))
