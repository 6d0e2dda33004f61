"""Pitch-day forms: the session's settings, a host step, the undo, a reminder, a judge's score."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, \
    SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.i18n import lazy_gettext as _l
from portal.judging.forms import ReviewForm
from portal.models import LiveRule
from portal.validation import choices

RULE_LABELS = {
    LiveRule.TRIMMED: _l("Trimmed mean: drop the highest and the lowest score (with 5 or more "
                         "judges)"),
    LiveRule.MEAN: _l("Mean of the judges' scores"),
    LiveRule.OFFICIAL: _l("The contest's official ranking method"),
}


class LiveSettingsForm(FlaskForm):
    rule = SelectField(_l("Scoring rule of the live round"), choices=choices(RULE_LABELS.items()))
    present_minutes = IntegerField(_l("Presentation (minutes)"), validators=[
        InputRequired(_l("Enter the minutes of a presentation.")),
        NumberRange(1, 60, _l("Give from 1 to 60 minutes."))])
    qa_minutes = IntegerField(_l("Questions and answers (minutes)"), validators=[
        InputRequired(_l("Enter the minutes of the questions and answers.")),
        NumberRange(1, 60, _l("Give from 1 to 60 minutes."))])
    show_judge_codes = BooleanField(_l("Show each judge's code (J001 ...) beside their score"),
                                    description=_l("Otherwise the scores are shown without "
                                                   "any name, highest first."))
    audience_public = BooleanField(_l("Open the audience page to everyone"))
    submit = SubmitField(_l("Save the settings"))


class StepForm(FlaskForm):
    """One host button: the step, the session version the host saw, the pitch it moves."""

    step = HiddenField(validators=[DataRequired()])
    version = HiddenField(validators=[DataRequired()])
    pitch_id = HiddenField(validators=[Optional()])


class UndoForm(FlaskForm):
    version = HiddenField(validators=[DataRequired()])
    reason = StringField(_l("Reason for the undo"), validators=[
        DataRequired(_l("Give the reason for the undo; it is kept in the audit log.")),
        Length(max=500)])
    submit = SubmitField(_l("Undo the last step"))


class RemindForm(FlaskForm):
    judge_id = HiddenField(validators=[DataRequired()])


class LiveScoreForm(ReviewForm):
    """A score field per criterion (from the review form), the pitch and the idempotency key."""

    comment = None
    feedback = None
    save = None
    submit_review = None
    pitch_id = HiddenField(validators=[DataRequired()])
    key = HiddenField(validators=[DataRequired()])
    send = SubmitField(_l("Send my score"))
