"""Organizer forms for assignment and conflicts of interest: one per screen."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, \
    TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from portal.assignment.planner import CROSS_THEME_SEATS
from portal.i18n import lazy_gettext as _l
from portal.judging.assignment_plans import K_MAX
from portal.validation import DataRequired, InputRequired, IntegerField
from portal.web import CheckboxListField

REASON_MAX = 1000


def _reason(label=None):
    return TextAreaField(label or _l("Reason"), validators=[
        DataRequired(_l("Give the reason; it is kept in the audit log.")),
        Length(max=REASON_MAX)], render_kw={"rows": 2, "maxlength": REASON_MAX},
        description=_l("Kept in the audit log."))


class PlanForm(FlaskForm):
    """The preview's settings, read from the query string (nothing is saved)."""

    # A GET form: the preview saves nothing, so there is nothing for a CSRF token to protect.
    class Meta:  # nosemgrep: csrf-disabled-outside-tests
        csrf = False

    k = IntegerField(_l("Judges per proposal (k)"), default=3, validators=[
        InputRequired(), NumberRange(min=1, max=K_MAX)])
    max_load = IntegerField(_l("Most proposals per judge (optional)"), validators=[
        Optional(), NumberRange(min=1)],
        description=_l("Leave empty for no limit; the load is then balanced only."))
    cross_theme_seats = IntegerField(
        _l("Judges from another theme per proposal"), default=CROSS_THEME_SEATS,
        validators=[Optional(), NumberRange(min=0, max=K_MAX)],
        description=_l("At most k − 1. One links the themes' judges so that the ranking can "
                       "compare themes fairly; 0 keeps every judge in their own theme."))
    preview = SubmitField(_l("Preview"))

    def cross_seats(self):
        data = self.cross_theme_seats.data
        return CROSS_THEME_SEATS if data is None else data


class SavePlanForm(FlaskForm):
    """Saves the plan computed from the same settings as the preview."""

    # Own ids: the preview's visible fields on the same page are called k and max_load.
    k = HiddenField(validators=[InputRequired()], render_kw={"id": "save-k"})
    max_load = HiddenField(render_kw={"id": "save-max-load"})
    cross_theme_seats = HiddenField(render_kw={"id": "save-cross-theme-seats"})
    save = SubmitField(_l("Save these assignments"))

    def settings(self):
        """(k, max_load, cross-theme seats) as numbers, or None when they do not make sense."""
        try:
            k = int(self.k.data)
            max_load = int(self.max_load.data) if self.max_load.data else None
            cross = int(self.cross_theme_seats.data) if self.cross_theme_seats.data \
                else CROSS_THEME_SEATS
        except (TypeError, ValueError):
            return None
        if not 1 <= k <= K_MAX or (max_load is not None and max_load < 1) \
                or not 0 <= cross <= K_MAX:
            return None
        return k, max_load, cross


class AssignProposalsForm(FlaskForm):
    proposal_ids = CheckboxListField(_l("Proposals"), coerce=int, validators=[
        DataRequired(_l("Select at least one proposal."))])
    submit = SubmitField(_l("Assign the selected proposals"))


class ReassignForm(FlaskForm):
    judge_id = SelectField(_l("New judge"), coerce=int, validators=[
        InputRequired(_l("Choose a judge."))])
    reason = _reason()
    submit = SubmitField(_l("Reassign"))


class AddConflictForm(FlaskForm):
    judge_id = SelectField(_l("Judge"), coerce=int, validators=[
        InputRequired(_l("Choose a judge."))])
    reference = StringField(_l("Proposal reference number"), validators=[
        DataRequired(), Length(max=40)], description=_l("For example ZZCF-2014-0007."))
    reason = _reason()
    submit = SubmitField(_l("Add the conflict"))


class RemoveConflictForm(FlaskForm):
    reason = _reason()
    submit = SubmitField(_l("Remove the conflict"))
