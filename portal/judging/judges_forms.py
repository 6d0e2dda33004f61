"""Organizer forms."""
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.i18n import lazy_gettext as _l
from portal.validation import DataRequired, EmailAddress
from portal.web import CheckboxListField


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


class ReopenRoundForm(FlaskForm):
    reason = TextAreaField(_l("Reason for reopening"), validators=[
        DataRequired(_l("Give the reason for reopening the round; it is kept in the audit log.")),
        Length(max=1000)], render_kw={"rows": 3, "maxlength": 1000},
        description=_l("Kept in the audit log. Judges can change their scores again until you "
                       "close the round."))
    submit = SubmitField(_l("Reopen the round"))
