"""The judge's forms: the review (one score field per criterion), recusal, declared
organizations."""
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.generations import LatestComputations
from portal.i18n import lazy_gettext as _l
from portal.rules.criteria import kind_of
from portal.validation import DataRequired, ScoreField

COMMENT_MAX = 5000
REASON_MAX = 1000
def score_choices(criterion):
    """(value, label) of the scores a judge taps on the criterion, from its kind: "1" … "10",
    or yes and no; an empty list when the score is typed into a number box."""
    return kind_of(criterion).choices(criterion)


class ReviewForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment to the organizers"), validators=[Optional(), Length(max=COMMENT_MAX)],
        render_kw={"maxlength": COMMENT_MAX, "rows": 5},
        description=_l("Only the organizers read it."))
    feedback = TextAreaField(
        _l("Feedback for the applicant (optional)"),
        validators=[Optional(), Length(max=COMMENT_MAX)],
        render_kw={"maxlength": COMMENT_MAX, "rows": 4},
        description=_l("If the organizers share feedback, the applicant may read it, without "
                       "your name, once the results are final."))
    # The first button is the main one: submitting is what a judge came to do.
    submit_review = SubmitField(_l("Submit review"))
    submit_next = SubmitField(_l("Submit and score the next"))
    save = SubmitField(_l("Save draft"))

    @classmethod
    def for_criteria(cls, criteria, locale, **kwargs):
        """A form with a score field for each criterion, labelled in `locale`. The form class
        is made once per process for each set of criteria as they read (kept in
        _FORM_CLASSES): WTForms builds a class's fields on its first use, and a new class per
        request rebuilt them every time."""
        locale = str(locale)
        fields = tuple(_score_field_spec(criterion, locale) for criterion in criteria)
        key = (cls, locale, fields)
        form_class = _FORM_CLASSES.get(key)
        if form_class is None:
            form_class = type(cls.__name__, (cls,), {
                _score_field(criterion_id): ScoreField(
                    label,
                    # The range and the step are checked by the service, with one message
                    # for both.
                    validators=[Optional()], description=description,
                    render_kw=dict(attributes))
                for criterion_id, label, description, attributes in fields})
            _FORM_CLASSES.put(key, form_class)
        return form_class(**kwargs)

    @property
    def submitting(self):
        return bool(self.submit_review.data or self.submit_next.data)

    def score_fields(self, criteria):
        return [getattr(self, _score_field(criterion.id)) for criterion in criteria]

    def score_inputs(self, criteria):
        """(field, the scores to tap or [] for a number box) of each criterion: how the review
        page and the pitch-day phone ask for its score."""
        return [(field, score_choices(criterion))
                for criterion, field in zip(criteria, self.score_fields(criteria))]

    def values(self, criteria):
        """The scores as the service takes them: criterion id -> value or None."""
        return {criterion.id: getattr(self, _score_field(criterion.id)).data
                for criterion in criteria}

    def field_for(self, error):
        """The field a refusal is shown beside: a refused score's own field."""
        criterion_id = getattr(error, "criterion_id", None)
        return _score_field(criterion_id) if criterion_id is not None else error.field


def _score_field_spec(criterion, locale):
    """What a criterion's score field shows, as plain values: (criterion id, label,
    description, input attributes)."""
    kind = kind_of(criterion)
    # str(): the kind's lazy texts are read now, in the request's language (the key's).
    scale = str(kind.explanation(criterion))
    rubric = criterion.localized("rubric", locale)
    return (criterion.id, criterion.localized("name", locale),
            f"{scale} {rubric}" if rubric else scale,
            tuple(kind.input_attributes(criterion).items()))


# Per process: (form class, locale, score fields) -> the form class with those fields. A few
# contests' criteria in two languages; a changed criterion makes a new key.
_FORM_CLASSES = LatestComputations(size=32)


def _score_field(criterion_id):
    # The one place that names a score field; services and imports know criterion ids only.
    return f"criterion_{criterion_id}"


class RecuseForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional; only the organizers read it)"),
                           validators=[Optional(), Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})
    submit = SubmitField(_l("I have a conflict (recuse)"))


class OrganizationConflictForm(FlaskForm):
    organization = StringField(_l("Organization"), validators=[
        DataRequired(_l("Enter the name of the organization.")), Length(max=200)],
        description=_l("Proposals from this organization will never be assigned to you."))
    reason = StringField(_l("Your link with it (optional; only the organizers read it)"),
                         validators=[Optional(), Length(max=REASON_MAX)])
    submit = SubmitField(_l("Declare the conflict"))
