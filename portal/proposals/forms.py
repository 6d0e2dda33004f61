"""The proposal form and its budget lines."""
import re
import secrets
from decimal import Decimal

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, FieldList, Form, FormField, HiddenField, \
    SelectChoice, SelectField, StringField, SubmitField, TelField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from portal.i18n import lazy_gettext as _l
from portal.validation import ChineseMobile, DataRequired, DecimalField, EmailAddress, IntegerField

TEXT_LIMITS = {
    "title": 100, "summary": 500, "need": 3000, "beneficiaries": 2000, "plan": 5000,
    "outcomes": 3000, "innovation": 3000, "team": 3000, "sustainability": 3000,
}
MAX_BUDGET_LINES = 30
BLANK_BUDGET_LINES = 3
MAX_AMOUNT = Decimal("9999999999.99")


def _text(label, name, description=None):
    return TextAreaField(label, validators=[Optional(), Length(max=TEXT_LIMITS[name])],
                         description=description,
                         render_kw={"maxlength": TEXT_LIMITS[name], "rows": 5})


class BudgetLineForm(Form):
    """One budget line; a line left entirely blank is ignored."""

    item = StringField(_l("Item"), validators=[Optional(), Length(max=200)])
    amount = DecimalField(
        _l("Amount (yuan)"), places=2,
        validators=[Optional(), NumberRange(min=Decimal("0"), max=MAX_AMOUNT, message=_l(
            "Enter an amount between 0 and 9,999,999,999.99 yuan."))],
        render_kw={"inputmode": "decimal", "step": "0.01", "min": "0"})
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])

    def validate(self, extra_validators=None):
        # Optional() ends each field's own checks when it is empty, so the pairing is checked here.
        valid = super().validate(extra_validators)
        amount_typed = bool(self.amount.raw_data and self.amount.raw_data[0].strip())
        if not (self.item.data or "").strip() and amount_typed:
            self.item.errors = list(self.item.errors) + [_l("Say what the amount is for.")]
            valid = False
        if (self.item.data or "").strip() and not amount_typed:
            self.amount.errors = list(self.amount.errors) + [_l("Enter the amount in yuan.")]
            valid = False
        if not self.is_blank and not (self.item.data or "").strip() and not amount_typed:
            # A note alone (or spaces) would become a line without an amount.
            self.item.errors = list(self.item.errors) + [
                _l("Fill in the item and its amount, or clear the line.")]
            valid = False
        return valid

    @property
    def is_blank(self):
        return not self.item.data and self.amount.data is None and not self.note.data


# The proposal form's sections, in order: (anchor, heading, field names). The navigator shows
# each with a ✓ once what submission needs of it is filled in.
SECTIONS = (
    ("project", _l("The project"), ("title", "theme_id", "summary")),
    ("need", _l("Need and beneficiaries"), ("need", "beneficiaries", "beneficiary_count")),
    ("plan", _l("Activities and budget"), ("plan", "budget_lines")),
    ("results", _l("Results and team"), ("outcomes", "innovation", "team", "sustainability")),
    ("applicant", _l("Applicant and contact"),
     ("profile_entrant_type", "profile_organization", "contact_name", "contact_phone",
      "contact_email", "publish_consent")),
    ("attachments", _l("Attachments"), ()),
)

# What secrets.token_urlsafe issues, within Proposal.creation_token's 64 characters.
FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class ProposalForm(FlaskForm):
    """A draft needs a title and a theme; the rest is checked when the proposal is submitted."""

    version = HiddenField()
    form_token = HiddenField()
    title = StringField(_l("Project title"),
                        validators=[DataRequired(), Length(max=TEXT_LIMITS["title"])],
                        render_kw={"maxlength": TEXT_LIMITS["title"]})
    theme_id = SelectField(_l("Theme"), coerce=int, validators=[DataRequired()])
    summary = _text(_l("Summary"), "summary", _l("What the project does, in a few sentences."))
    need = _text(_l("The need it answers"), "need",
                 _l("Which problem, where, and how you know it is real."))
    beneficiaries = _text(_l("Beneficiaries"), "beneficiaries", _l("Who benefits, and how."))
    beneficiary_count = IntegerField(
        _l("Number of beneficiaries"),
        validators=[Optional(), NumberRange(min=0, max=100_000_000, message=_l(
            "Enter a whole number of people."))], render_kw={"inputmode": "numeric", "min": 0})
    plan = _text(_l("Activities and timeline"), "plan", _l("What will be done, by when."))
    budget_lines = FieldList(FormField(BudgetLineForm), label=_l("Budget"),
                             max_entries=MAX_BUDGET_LINES + BLANK_BUDGET_LINES)
    outcomes = _text(_l("Expected outcomes"), "outcomes",
                     _l("What will have changed, and how it will be measured."))
    innovation = _text(_l("What is innovative"), "innovation",
                       _l("What is new about this project compared with existing ones."))
    team = _text(_l("Team"), "team", _l("Who will carry out the project and their experience."))
    sustainability = _text(_l("Sustainability"), "sustainability",
                           _l("How the project will continue after the funding ends."))
    contact_name = StringField(_l("Contact person for this proposal"),
                               validators=[Optional(), Length(max=100)])
    contact_phone = TelField(_l("Contact mobile phone"),
                             validators=[Optional(), ChineseMobile()],
                             render_kw={"inputmode": "tel", "autocomplete": "tel"})
    contact_email = EmailField(_l("Contact email"),
                               validators=[Optional(), Length(max=254), EmailAddress()])
    publish_consent = BooleanField(_l(
        "If the project wins an award, its title, organization and summary may be published."))
    # The applicant's profile facts that submission needs, asked here once and written back.
    profile_entrant_type = SelectField(_l("Entrant type"), validators=[Optional()])
    profile_organization = StringField(
        _l("Organization"), validators=[Optional(), Length(max=200)],
        description=_l("The student club, NGO or organization you apply for. "
                       "Individuals may leave it empty."),
        render_kw={"autocomplete": "organization", "maxlength": 200})
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, themes=(), entrant_types=(), locale="zh_CN", **kwargs):
        super().__init__(*args, **kwargs)
        self.theme_id.choices = [SelectChoice(0, _l("Choose a theme…"))] + [
            SelectChoice(theme.id, theme.localized("name", locale)) for theme in themes]
        self.profile_entrant_type.choices = [SelectChoice("", _l("Choose…"))] + [
            SelectChoice(entrant_type.code, entrant_type.localized("name", locale))
            for entrant_type in entrant_types]
        # A token this form did not issue (tampered, or too long for its column) is replaced.
        if not FORM_TOKEN.fullmatch(self.form_token.data or ""):
            self.form_token.data = secrets.token_urlsafe(24)
        while len(self.budget_lines) < min(
                self.budget_line_count() + BLANK_BUDGET_LINES, self.budget_lines.max_entries):
            self.budget_lines.append_entry()

    def budget_line_count(self):
        return sum(1 for line in self.budget_lines if not line.form.is_blank)

    SCALAR_FIELDS = ("title", "theme_id", "summary", "need", "beneficiaries", "beneficiary_count",
                     "plan", "outcomes", "innovation", "team", "sustainability", "contact_name",
                     "contact_phone", "contact_email", "publish_consent")

    def proposal_data(self, only_valid=False):
        """The fields as plain data for the services; with `only_valid`, those without errors."""
        data = {name: getattr(self, name).data for name in self.SCALAR_FIELDS
                if not (only_valid and getattr(self, name).errors)}
        if not (only_valid and any(line.errors for line in self.budget_lines)):
            data["budget_lines"] = [
                {"item": (line.form.item.data or "").strip(), "amount": line.form.amount.data,
                 "note": (line.form.note.data or "").strip() or None}
                for line in self.budget_lines if not line.form.is_blank]
        return data

    def profile_data(self, only_valid=False):
        """The profile facts typed here (entrant type, organization, contact person and phone),
        named as the profile names them; with `only_valid`, those without errors."""
        fields = {"entrant_type_code": self.profile_entrant_type,
                  "organization": self.profile_organization,
                  "contact_name": self.contact_name, "phone": self.contact_phone}
        return {name: field.data for name, field in fields.items()
                if not (only_valid and field.errors)}


class AttachmentForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to upload."))],
                     description=_l("PDF, Word, Excel, JPG or PNG."),
                     render_kw={"accept": ".pdf,.doc,.docx,.xls,.xlsx,.jpg,.jpeg,.png"})
    submit = SubmitField(_l("Upload"))


class WithdrawForm(FlaskForm):
    """Withdraw a proposal, or ask the organizers to once judging has opened."""

    reason = TextAreaField(_l("Why you are withdrawing"), validators=[Optional(),
                                                                    Length(max=1000)],
                           render_kw={"rows": 2},
                           description=_l("The organizers read it. Required after the "
                                          "deadline."))
    submit = SubmitField(_l("Withdraw"))


class WithdrawalDecisionForm(FlaskForm):
    """An organizer's answer to an applicant's request to withdraw."""

    note = TextAreaField(_l("Note (kept in the audit log)"), validators=[Optional(),
                                                                        Length(max=1000)],
                         render_kw={"rows": 2})
    grant = SubmitField(_l("Withdraw the proposal"))
    refuse = SubmitField(_l("Refuse the request"))
