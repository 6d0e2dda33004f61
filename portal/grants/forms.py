"""The forms of the grant pages: one per screen; amounts typed in yuan, read as fen."""
from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, \
    SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, \
    ValidationError

from portal.grants.money import BadAmount, format_yuan, parse_yuan, yuan
from portal.i18n import lazy_gettext as _l
from portal.web import CheckboxListField

BAD_AMOUNT = _l("Write an amount in yuan, e.g. 12500 or 12,500.50 (at most two decimals, "
                "never negative).")


class YuanField(StringField):
    """An amount typed in yuan; `data` is integer fen (None when left empty)."""

    def process_formdata(self, valuelist):
        self.raw_text = valuelist[0] if valuelist else ""
        if not self.raw_text.strip():
            self.data = None
            return
        try:
            self.data = parse_yuan(self.raw_text)
        except BadAmount:
            self.data = None
            raise ValueError(BAD_AMOUNT)

    def _value(self):
        if getattr(self, "raw_text", None) is not None:
            return self.raw_text
        return "" if self.data is None else str(yuan(self.data))


class GrantSettingsForm(FlaskForm):
    amount = YuanField(_l("Grant (yuan)"), validators=[InputRequired(BAD_AMOUNT)])
    signing_percent = IntegerField(_l("Share paid at signing (%)"),
                                   validators=[InputRequired(), NumberRange(0, 100)])
    midterm_percent = IntegerField(_l("Share paid after the mid-term report (%)"),
                                   validators=[InputRequired(), NumberRange(0, 100)])
    final_percent = IntegerField(_l("Share paid at completion (%)"),
                                 validators=[InputRequired(), NumberRange(0, 100)],
                                 description=_l("The three shares add up to 100."))
    starts_on = DateField(_l("Agreement starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Agreement ends on"), validators=[InputRequired()])
    midterm_due = DateField(_l("Mid-term report due on"), validators=[InputRequired()])
    final_due = DateField(_l("Final report due on"), validators=[InputRequired()])
    submit = SubmitField(_l("Save the grant"))

    @property
    def percents(self):
        return [self.signing_percent.data, self.midterm_percent.data, self.final_percent.data]


class AgreementForm(FlaskForm):
    file = FileField(_l("Signed agreement (PDF, JPG or PNG)"),
                     validators=[FileRequired(_l("Choose the file."))])
    submit = SubmitField(_l("Upload the agreement"))


class ReleaseForm(FlaskForm):
    released_on = DateField(_l("Paid on"), validators=[InputRequired(_l("Give the date."))],
                            default=date.today)
    reference = StringField(_l("Payment reference"), validators=[
        DataRequired(_l("Give the payment's reference (bank transfer or voucher number).")),
        Length(max=100)], render_kw={"maxlength": 100})
    submit = SubmitField(_l("Record the release"))


class ReviewForm(FlaskForm):
    reason = TextAreaField(_l("Reasons for returning it (the grantee reads them)"),
                           validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    accept = SubmitField(_l("Accept the report"))
    send_back = SubmitField(_l("Return it with these reasons"))


class DecisionForm(FlaskForm):
    approve = SubmitField(_l("Approve"))
    reject = SubmitField(_l("Reject"))


class ConsentForm(FlaskForm):
    public_progress = BooleanField(_l("Show this project's progress on the public results page "
                                      "(milestones reached, beneficiaries, spending summary, "
                                      "photos)"))
    submit = SubmitField(_l("Save"))


class MilestonesForm(FlaskForm):
    milestones = TextAreaField(
        _l("Milestones, one per line: the due date (YYYY-MM-DD), a space, the milestone"),
        validators=[DataRequired(_l("Write at least one milestone."))],
        render_kw={"rows": 6}, description=_l("The organizer approves the milestones before "
                                              "they can be marked reached."))
    submit = SubmitField(_l("Send the milestones for approval"))

    def validate_milestones(self, field):
        rows = []
        for number, line in enumerate(field.data.splitlines(), start=1):
            if not line.strip():
                continue
            day, _space, title = line.strip().partition(" ")
            try:
                due_on = date.fromisoformat(day)
            except ValueError:
                raise ValidationError(_l("Line %(number)d: start with a date like 2027-03-31.",
                                         number=number))
            if not title.strip():
                raise ValidationError(_l("Line %(number)d: write the milestone after the date.",
                                         number=number))
            rows.append((title.strip(), due_on))
        self.rows = rows


class ReachedForm(FlaskForm):
    reached_on = DateField(_l("Reached on"), validators=[InputRequired(_l("Give the date."))],
                           default=date.today)
    submit = SubmitField(_l("Mark reached"))


class ChangeForm(FlaskForm):
    from_line = SelectField(_l("From budget line"), coerce=int)
    to_line = SelectField(_l("To budget line"), coerce=int)
    amount = YuanField(_l("Amount (yuan)"), validators=[InputRequired(BAD_AMOUNT)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(_l("Give the reason for the "
                                                                     "change.")),
                                                     Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Request the change"))


class ReportAttachmentForm(FlaskForm):
    file = FileField(_l("Receipt or photo (PDF, JPG, PNG, Word or Excel)"),
                     validators=[FileRequired(_l("Choose the file."))])
    submit = SubmitField(_l("Attach"))


class ReportForm(FlaskForm):
    """The report's texts; `report_form` adds a spending field per budget line."""

    narrative = TextAreaField(_l("What the project did in this period"),
                              validators=[Length(max=20000)], render_kw={"rows": 6})
    beneficiaries = IntegerField(_l("Beneficiaries reached so far"),
                                 validators=[Optional(), NumberRange(min=0)])
    problems = TextAreaField(_l("Problems met and changes requested"),
                             validators=[Length(max=10000)], render_kw={"rows": 3})
    save = SubmitField(_l("Save the draft"))
    send = SubmitField(_l("Submit the report"))

    def spending_fields(self):
        return [field for field in self if field.name.startswith("line_")]

    def spending(self):
        """line id -> fen, for the lines filled in."""
        return {int(field.name.removeprefix("line_")): field.data
                for field in self.spending_fields() if field.data is not None}


def report_form(report, lines, budgets, **kwargs):
    """The report form with a spending field per budget line, filled from the report."""
    saved = {row.line_id: row.spent_fen for row in report.spending}

    class Form(ReportForm):
        pass

    for line in lines:
        setattr(Form, f"line_{line.id}", YuanField(
            _l("Spent on “%(item)s” in this period (yuan)", item=line.item),
            validators=[Optional()], default=saved.get(line.id),
            description=_l("Budget: %(budget)s", budget=format_yuan(budgets[line.id]))))
    return Form(obj=None, narrative=report.narrative, beneficiaries=report.beneficiaries_reached,
                problems=report.problems, **kwargs)


class EvaluatorsForm(FlaskForm):
    judges = CheckboxListField(_l("Judges who evaluate this report"), coerce=int,
                               validators=[DataRequired(_l("Choose judges of this contest."))])
    submit = SubmitField(_l("Ask for their evaluation"))


class EvaluationForm(FlaskForm):
    """The comment; `evaluation_form` adds a score field per criterion of the rubric."""

    comment = TextAreaField(_l("Comment for the organizers"), validators=[Length(max=5000)],
                            render_kw={"rows": 4})
    submit = SubmitField(_l("Submit the evaluation"))

    def score_fields(self):
        return [field for field in self if field.name.startswith("score_")]

    def scores(self):
        return {field.name.removeprefix("score_"): field.data for field in self.score_fields()}


def evaluation_form(criteria, saved=None, **kwargs):
    """The evaluation form with a whole-number score (1 to 10) per criterion."""
    saved = saved or {}

    class Form(EvaluationForm):
        pass

    for criterion in criteria:
        setattr(Form, f"score_{criterion.code}", IntegerField(
            _l("%(criterion)s (1 to 10, weight %(weight)d)", criterion=criterion.name,
               weight=criterion.weight),
            validators=[InputRequired(_l("Give a whole score from 1 to 10.")),
                        NumberRange(1, 10, _l("Give a whole score from 1 to 10."))],
            description=criterion.rubric, default=saved.get(criterion.code)))
    return Form(**kwargs)
