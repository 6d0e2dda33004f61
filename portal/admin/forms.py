"""Organizer forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectMultipleField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from portal.validation import EmailAddress


class CheckboxListField(SelectMultipleField):
    """Several choices shown as checkboxes, each with its own label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InviteJudgeForm(FlaskForm):
    email = EmailField(_l("Judge's email"), validators=[DataRequired(), Length(max=254),
                                                        EmailAddress()])
    submit = SubmitField(_l("Create invitation"))


class AssignJudgesForm(FlaskForm):
    judge_ids = CheckboxListField(_l("Judges"), coerce=int,
                                  validators=[DataRequired(_l("Choose at least one judge."))])
    submit = SubmitField(_l("Assign"))
