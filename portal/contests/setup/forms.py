"""Forms of the contest setup pages: the contest's settings and each list of its parts."""
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, Regexp

from portal.i18n import lazy_gettext as _l
from portal.models import AwardScope
from portal.rules.criteria import KINDS, SCALE
from portal.validation import DataRequired, DecimalField, InputRequired, IntegerField

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"
CODE_PATTERN = r"^[a-z0-9_]{1,32}$"


def _datetime(label, required=True):
    return DateTimeLocalField(label, format="%Y-%m-%dT%H:%M",
                              validators=[InputRequired() if required else Optional()],
                              description=_l("Beijing time (Asia/Shanghai)."))


def _bilingual_text(label, rows=4):
    return (TextAreaField(label, validators=[Optional(), Length(max=20000)],
                          render_kw={"rows": rows}),
            TextAreaField(_l("%(label)s (English)", label=label),
                          validators=[Optional(), Length(max=20000)], render_kw={"rows": rows}))


class ContestForm(FlaskForm):
    """A contest's settings; times are typed in Beijing time."""

    settings_version = HiddenField()
    slug = StringField(_l("Address (slug)"), validators=[DataRequired(), Regexp(
        SLUG_PATTERN, message=_l("Lower-case letters, digits and hyphens, e.g. zzcf-2015."))],
        description=_l("Part of the contest's web address; it cannot change later."))
    name_zh = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    organizer_zh = StringField(_l("Organizer"), validators=[DataRequired(), Length(max=200)])
    organizer_en = StringField(_l("Organizer (English)"), validators=[Optional(), Length(max=200)])
    description_zh, description_en = _bilingual_text(_l("Description"))
    rules_zh, rules_en = _bilingual_text(_l("Rules (Markdown)"), rows=8)
    faq_zh, faq_en = _bilingual_text(_l("FAQ (Markdown)"), rows=8)
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=200)])
    opens_at = _datetime(_l("Opens"))
    submission_deadline = _datetime(_l("Submission deadline"))
    results_at = _datetime(_l("Results date"), required=False)
    proposal_limit = IntegerField(_l("Proposals per applicant"), default=3, validators=[
        InputRequired(), NumberRange(min=1, max=100)])
    reference_prefix = StringField(_l("Reference number prefix"), validators=[
        DataRequired(), Length(max=32), Regexp(r"^[A-Za-z0-9-]+$", message=_l(
            "Letters, digits and hyphens, e.g. ZZCF-2015."))])
    blind = BooleanField(_l("Blind judging: judges do not see who submitted a proposal"))
    objection_days = IntegerField(
        _l("Objection period (days)"), default=7,
        validators=[InputRequired(), NumberRange(min=0, max=90)],
        description=_l("How long the provisional results are open to objections (公示期); "
                       "0 to finalize at once."))
    funding_pool = DecimalField(_l("Funding pool (yuan)"), places=2, validators=[
        Optional(), NumberRange(min=Decimal(0), max=Decimal("9999999999.99"))],
        description=_l("The total of the grants; the award page warns before it is exceeded."))
    show_feedback_to_applicants = BooleanField(
        _l("After the results are final, applicants see the judges' feedback (without names)"))
    listed = BooleanField(
        _l("Show on the public home page"), default=True,
        description=_l("Untick it for a trial or demo contest: its page stays reachable by its "
                       "address, but visitors do not find it on the home page."))
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        opens, deadline, results = (self.opens_at.data, self.submission_deadline.data,
                                    self.results_at.data)
        if opens and deadline and deadline <= opens:
            self.submission_deadline.errors.append(_l("The deadline must come after the opening."))
            valid = False
        if deadline and results and results <= deadline:
            self.results_at.errors.append(_l("The results date must come after the deadline."))
            valid = False
        return valid


class CopyContestForm(FlaskForm):
    slug = ContestForm.slug
    name_zh = ContestForm.name_zh
    name_en = ContestForm.name_en
    invite_judges = BooleanField(
        _l("Invite this edition's judges again"),
        description=_l("Each active judge gets an invitation to the copy, with the same themes "
                       "of expertise. Nothing is sent until you send the invitations from the "
                       "copy's Judges page."))
    submit = SubmitField(_l("Copy the contest"))


class _PartRow(Form):
    """Fields every part has; a row with neither code nor name is ignored."""

    code = StringField(_l("Code"), validators=[Optional(), Regexp(CODE_PATTERN, message=_l(
        "Lower-case letters, digits and _ only."))])
    name_zh = StringField(_l("Name"), validators=[Optional(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=100)])
    remove = BooleanField(_l("Remove"))

    @property
    def is_blank(self):
        return not (self.code.data or "").strip() and not (self.name_zh.data or "").strip()

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if not self.is_blank and not self.remove.data:
            for field in (self.code, self.name_zh):
                if not (field.data or "").strip():
                    field.errors = list(field.errors) + [_l("This field is required.")]
                    valid = False
        return valid


class ThemeRow(_PartRow):
    description_zh = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)],
                                   render_kw={"rows": 2})
    description_en = TextAreaField(_l("Description (English)"),
                                   validators=[Optional(), Length(max=2000)],
                                   render_kw={"rows": 2})


class EntrantTypeRow(_PartRow):
    requires_organization = BooleanField(_l("Needs an organization"), default=True)


class CriterionRow(_PartRow):
    rubric_zh = TextAreaField(_l("Rubric"), validators=[Optional(), Length(max=4000)],
                              render_kw={"rows": 2})
    rubric_en = TextAreaField(_l("Rubric (English)"), validators=[Optional(), Length(max=4000)],
                              render_kw={"rows": 2})
    weight = DecimalField(_l("Weight"), default=Decimal(1), validators=[Optional(), NumberRange(
        min=Decimal("0.001"), max=Decimal("1000"), message=_l("The weight must be a positive "
                                                                "number."))])
    kind = SelectField(_l("Kind of score"), default=SCALE.code,
                       choices=[SelectChoice(code, kind.label) for code, kind in KINDS.items()],
                       description=_l("A yes-or-no answer counts as the highest score for yes "
                                      "and the lowest for no."))
    # The scale's columns hold up to 9999.99.
    scale_min = DecimalField(_l("Lowest score"), default=Decimal(1), validators=[
        Optional(), NumberRange(min=Decimal("-9999.99"), max=Decimal("9999.99"))])
    scale_max = DecimalField(_l("Highest score"), default=Decimal(10), validators=[
        Optional(), NumberRange(min=Decimal("-9999.99"), max=Decimal("9999.99"))])
    scale_step = DecimalField(_l("Step"), default=Decimal(1), validators=[Optional(), NumberRange(
        min=Decimal("0.01"), max=Decimal("9999.99"),
        message=_l("The step must be a positive number."))])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.is_blank or self.remove.data:
            return valid
        if self.weight.data is None and not self.weight.errors:
            self.weight.errors = list(self.weight.errors) + [_l("The weight must be a positive "
                                                                "number.")]
            valid = False
        low, high = self.scale_min.data, self.scale_max.data
        if low is None or high is None or low >= high:
            self.scale_max.errors = list(self.scale_max.errors) + [_l(
                "The highest score must be above the lowest.")]
            valid = False
        return valid


class RoundRow(_PartRow):
    opens_at = DateTimeLocalField(_l("Judging opens"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Judging closes"), format="%Y-%m-%dT%H:%M",
                                   validators=[Optional()])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.opens_at.data and self.closes_at.data and self.closes_at.data <= self.opens_at.data:
            self.closes_at.errors = list(self.closes_at.errors) + [_l(
                "The judging window must close after it opens.")]
            valid = False
        return valid


class AwardTierRow(_PartRow):
    count = IntegerField(_l("How many"), default=1, validators=[Optional(), NumberRange(
        min=1, max=10000)])
    scope = SelectField(_l("Given"), choices=[SelectChoice(AwardScope.OVERALL, _l("overall")),
                                              SelectChoice(AwardScope.PER_THEME, _l("per theme"))])
    grant_amount = DecimalField(_l("Grant (yuan)"), validators=[Optional(), NumberRange(
        min=Decimal(0), max=Decimal("9999999999.99"))])
    grant_up_to_budget = BooleanField(_l("The requested budget, up to the grant"))


ROW_FORMS = {"themes": ThemeRow, "entrant_types": EntrantTypeRow, "criteria": CriterionRow,
             "rounds": RoundRow, "award_tiers": AwardTierRow}
PART_TITLES = {"themes": _l("Themes"), "entrant_types": _l("Entrant types"),
               "criteria": _l("Criteria"), "rounds": _l("Rounds"),
               "award_tiers": _l("Award tiers")}
BLANK_ROWS = 2


def parts_form(relation, initial_rows):
    """A form listing the contest's `relation` rows (dicts), plus blank rows to add new ones.

    On a POST the submitted rows are used instead of `initial_rows`.
    """

    class PartsForm(FlaskForm):
        settings_version = HiddenField()
        items = FieldList(FormField(ROW_FORMS[relation]), min_entries=0, max_entries=200)
        submit = SubmitField(_l("Save"))

    form = PartsForm(data={"items": initial_rows})
    if not form.is_submitted():
        for _blank in range(BLANK_ROWS):
            form.items.append_entry()
    return form
