"""Forms of the awards, publication and objection screens."""
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from portal.i18n import lazy_gettext as _l
from portal.validation import DataRequired, EmailAddress

REASON_MAX = 2000
OBJECTION_MAX = 5000
ANSWER_MAX = 5000


class AllocationForm(FlaskForm):
    """Save the allocation the preview shows."""

    digest = HiddenField()
    confirm_over_pool = BooleanField(_l("I confirm this allocation although its grants exceed "
                                        "the funding pool."))
    submit = SubmitField(_l("Save this allocation"))


class MoveAwardForm(FlaskForm):
    """Change a proposal's tier, give it an award or remove its award, with a reason."""

    reference = StringField(_l("Reference number"), validators=[
        DataRequired(_l("Enter the proposal's reference number.")), Length(max=40)],
        render_kw={"maxlength": 40, "autocomplete": "off"})
    tier = SelectField(_l("Award tier"))
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("Give the reason for this change; it is "
                                                  "recorded.")), Length(max=REASON_MAX)],
        description=_l("Recorded in the audit log; not shown to the public."),
        render_kw={"maxlength": REASON_MAX, "rows": 3})
    confirm_over_pool = BooleanField(_l("Confirm even if the grants then exceed the funding "
                                        "pool"))
    submit = SubmitField(_l("Save the change"))

    NO_AWARD = "none"

    def __init__(self, *args, tiers=(), locale="zh_CN", **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = [SelectChoice(str(tier.id), tier.localized("name", locale))
                             for tier in tiers] \
            + [SelectChoice(self.NO_AWARD, _l("No award (remove it)"))]

    def tier_id(self):
        return None if self.tier.data == self.NO_AWARD else int(self.tier.data)


class AnswerForm(FlaskForm):
    """The organizers' answer to one objection (prefixed with the objection's id)."""

    answer = TextAreaField(_l("Answer"), validators=[
        DataRequired(_l("Write the answer.")), Length(max=ANSWER_MAX)],
        description=_l("Emailed to the objector's address."),
        render_kw={"maxlength": ANSWER_MAX, "rows": 4})
    submit = SubmitField(_l("Send the answer"))


class FinalizeForm(FlaskForm):
    confirm_unanswered = BooleanField(_l("Finalize although some objections are unanswered"))
    submit = SubmitField(_l("Finalize the results"))


class ObjectionForm(FlaskForm):
    """The public objection form (公示期异议)."""

    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=100)],
                       render_kw={"maxlength": 100, "autocomplete": "name"})
    contact_email = EmailField(
        _l("Your email address"),
        validators=[DataRequired(_l("Enter an email address for the answer.")),
                    Length(max=254), EmailAddress()],
        description=_l("The organizers' answer is sent to this address."),
        render_kw={"maxlength": 254, "autocomplete": "email"})
    reference = StringField(
        _l("Reference number of the proposal (optional)"),
        validators=[Optional(), Length(max=40)],
        description=_l("As shown in the list of results, e.g. ZZCF-2014-0007."),
        render_kw={"maxlength": 40, "autocomplete": "off"})
    text = TextAreaField(_l("Your objection"), validators=[
        DataRequired(_l("Write your objection.")), Length(max=OBJECTION_MAX)],
        render_kw={"maxlength": OBJECTION_MAX, "rows": 6})
    submit = SubmitField(_l("Send the objection"))


class ThemeProposalForm(FlaskForm):
    """A chair's proposal of their theme's winners: a tier (or none) per proposal of the
    theme's ranking, added by `theme_proposal_form`, and a note."""

    note = TextAreaField(
        _l("Note for the organizers"), validators=[Optional(), Length(max=REASON_MAX)],
        description=_l("Required when the proposal departs from the ranking: say why."),
        render_kw={"maxlength": REASON_MAX, "rows": 3})
    save = SubmitField(_l("Save the draft"))
    submit_proposal = SubmitField(_l("Submit to the organizers"))

    NO_AWARD = "none"

    def tier_field(self, proposal_id):
        return self[f"tier_{proposal_id}"]

    def choices_made(self, proposal_ids):
        """proposal id -> tier id, or None for no award."""
        made = {}
        for proposal_id in proposal_ids:
            value = self.tier_field(proposal_id).data
            made[proposal_id] = None if value in (None, self.NO_AWARD) else int(value)
        return made


def theme_proposal_form(candidates, tiers, locale, chosen, **kwargs):
    """The form for these candidates (their proposals' ids name the fields), each field on
    the tier `chosen` gives it."""
    class Form(ThemeProposalForm):
        pass

    options = [SelectChoice(ThemeProposalForm.NO_AWARD, _l("No award"))] + [
        SelectChoice(str(tier.id), tier.localized("name", locale)) for tier in tiers]
    for candidate in candidates:
        tier = chosen.get(candidate.proposal.id)
        setattr(Form, f"tier_{candidate.proposal.id}", SelectField(
            candidate.proposal.reference, choices=options,
            default=str(tier.id) if tier is not None else ThemeProposalForm.NO_AWARD))
    return Form(**kwargs)


class ConfirmThemeProposalForm(FlaskForm):
    confirm_over_pool = BooleanField(_l("Confirm even if the grants then exceed the funding "
                                        "pool"))
    submit = SubmitField(_l("Confirm and give these awards"))


class ReturnThemeProposalForm(FlaskForm):
    reason = TextAreaField(_l("Reasons for returning it"), validators=[
        DataRequired(_l("Give the reasons for returning the proposal.")),
        Length(max=REASON_MAX)],
        description=_l("The chair reads them and is emailed."),
        render_kw={"maxlength": REASON_MAX, "rows": 3})
    submit = SubmitField(_l("Return to the chair"))
