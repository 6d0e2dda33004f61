"""The proposal form."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, SelectField, StringField, \
    SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

TEXT_LIMITS = {
    "title": 100, "summary": 500, "need": 3000, "beneficiaries": 2000, "plan": 5000,
    "outcomes": 3000, "innovation": 3000,
}


def _text(label, name, description=None):
    return TextAreaField(label, validators=[Optional(), Length(max=TEXT_LIMITS[name])],
                         description=description,
                         render_kw={"maxlength": TEXT_LIMITS[name], "rows": 5})


class ProposalForm(FlaskForm):
    """A draft needs a title and a theme; the rest is checked when the proposal is submitted."""

    version = HiddenField()
    title = StringField(_l("Project title"),
                        validators=[DataRequired(), Length(max=TEXT_LIMITS["title"])],
                        render_kw={"maxlength": TEXT_LIMITS["title"]})
    theme_id = SelectField(_l("Theme"), coerce=int, validators=[DataRequired()])
    summary = _text(_l("Summary"), "summary",
                    _l("What the project does, in a few sentences."))
    need = _text(_l("The need it answers"), "need",
                 _l("Which problem, where, and how you know it is real."))
    beneficiaries = _text(_l("Beneficiaries"), "beneficiaries",
                          _l("Who benefits and how many people."))
    plan = _text(_l("Activities and timeline"), "plan",
                 _l("What will be done, by when."))
    budget_total = DecimalField(
        _l("Budget total (yuan)"), places=2,
        validators=[Optional(), NumberRange(min=Decimal("0"), max=Decimal("9999999999.99"),
                                            message=_l("Enter an amount between 0 and "
                                                       "9,999,999,999.99 yuan."))],
        render_kw={"inputmode": "decimal"})
    outcomes = _text(_l("Expected outcomes"), "outcomes",
                     _l("What will have changed, and how it will be measured."))
    innovation = _text(_l("What is innovative"), "innovation",
                       _l("What is new about this project compared with existing ones."))
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, themes=(), locale="zh_CN", **kwargs):
        super().__init__(*args, **kwargs)
        self.theme_id.choices = [(0, _l("Choose a theme…"))] + [
            (theme.id, theme.localized("name", locale)) for theme in themes]

    def proposal_data(self):
        """The fields as plain data for the services."""
        return {name: getattr(self, name).data for name in
                ("title", "theme_id", "summary", "need", "beneficiaries", "plan", "budget_total",
                 "outcomes", "innovation")}
