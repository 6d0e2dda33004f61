"""Screening forms: one proposal, or a selection in the proposal table."""
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, RadioField, SelectChoice, SelectMultipleField, \
    SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.i18n import lazy_gettext as _l
from portal.models import ProposalStatus
from portal.validation import DataRequired


class ScreeningForm(FlaskForm):
    decision = RadioField(_l("Decision"), validators=[DataRequired(_l("Choose a decision."))],
                          choices=[SelectChoice(ProposalStatus.ELIGIBLE, _l("Eligible")),
                                   SelectChoice(ProposalStatus.INELIGIBLE, _l("Ineligible")),
                                   SelectChoice(ProposalStatus.RETURNED,
                                                _l("Return for correction"))])
    reason = TextAreaField(_l("Reason or note for the applicant"),
                           validators=[Optional(), Length(max=2000)], render_kw={"rows": 3},
                           description=_l("Required when ineligible or returned; the applicant "
                                          "reads it and receives it by email."))
    correction_until = DateTimeLocalField(
        _l("Corrections accepted until"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
        description=_l("Only for a return for correction. Beijing time."))
    submit = SubmitField(_l("Record the decision"))


class BulkScreeningForm(ScreeningForm):
    proposal_ids = SelectMultipleField(_l("Selected proposals"), coerce=int,
                                       validators=[DataRequired(_l("Select proposals first."))])
    submit = SubmitField(_l("Apply to the selected proposals"))
