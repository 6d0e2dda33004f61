"""The ranking settings form."""
from flask_wtf import FlaskForm
from wtforms import (
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    SubmitField,
)
from wtforms.validators import NumberRange, Optional

from portal.i18n import lazy_gettext as _l
from portal.scoring import SUBMISSION_TIME
from portal.validation import IntegerField

METHOD_LABELS = {
    "plain": _l("Mean of the review totals"),
    "trimmed": _l("Trimmed mean (without the highest and lowest of 5 or more reviews)"),
    "standardized": _l("Per-judge standardized (z-scores)"),
    "bias_model": _l("Judge-bias model (strict and lenient judges evened out)"),
}
TIE_BREAK_SLOTS = 3


class RankingSettingsForm(FlaskForm):
    ranking_method = SelectField(_l("Official method"), choices=[
        SelectChoice(method, label) for method, label in METHOD_LABELS.items()])
    tie_break_1 = SelectField(_l("First tie-break"), validators=[Optional()])
    tie_break_2 = SelectField(_l("Second tie-break"), validators=[Optional()])
    tie_break_3 = SelectField(_l("Third tie-break"), validators=[Optional()])
    ranking_boundary = IntegerField(
        _l("Award boundary for the uncertainty figures (top N)"),
        validators=[Optional(), NumberRange(min=1, max=100000)],
        description=_l("Empty: the number of overall awards."))
    submit = SubmitField(_l("Save the ranking settings"))

    def __init__(self, *args, criteria=(), locale="zh_CN", **kwargs):
        super().__init__(*args, **kwargs)
        choices = [SelectChoice("", _l("none"))] + [
            SelectChoice(criterion.code, _l("mean score on %(criterion)s",
                                            criterion=criterion.localized("name", locale)))
            for criterion in criteria] + [SelectChoice(SUBMISSION_TIME, _l("earlier submission"))]
        for slot in self.tie_break_slots():
            slot.choices = choices

    def tie_break_slots(self):
        return [getattr(self, f"tie_break_{number}") for number in range(1, TIE_BREAK_SLOTS + 1)]

    def tie_break_codes(self):
        codes = []
        for slot in self.tie_break_slots():
            if slot.data and slot.data not in codes:
                codes.append(slot.data)
        return codes


class AdvanceForm(FlaskForm):
    """Advance proposals to the next round, from the ranking shown above it."""

    mode = RadioField(_l("Which proposals"), default="overall",
                      choices=[SelectChoice("overall", _l("The top N overall")),
                               SelectChoice("per_theme", _l("The top N of each theme")),
                               SelectChoice("selected", _l("The proposals ticked in the list"))])
    count = IntegerField(_l("N"), validators=[Optional(), NumberRange(min=1, max=100000)])
    proposal_ids = SelectMultipleField(_l("Proposals"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Advance to the next round"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.mode.data in ("overall", "per_theme") and not self.count.data:
            self.count.errors = list(self.count.errors) + [_l("Give N.")]
            valid = False
        if self.mode.data == "selected" and not self.proposal_ids.data:
            self.proposal_ids.errors = list(self.proposal_ids.errors) + [
                _l("Tick the proposals to advance.")]
            valid = False
        return valid
