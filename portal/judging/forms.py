"""The judge's forms: the review (one score field per criterion), recusal, declared
organizations."""
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal.i18n import lazy_gettext as _l
from portal.validation import DecimalField, plain_number

COMMENT_MAX = 5000
REASON_MAX = 1000


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
    save = SubmitField(_l("Save draft"))
    submit_review = SubmitField(_l("Submit review"))

    @classmethod
    def for_criteria(cls, criteria, locale, **kwargs):
        """A form class with a score field for each criterion, labelled in `locale`."""

        class _Form(cls):
            pass

        for criterion in criteria:
            scale = _l("Scale: %(low)s to %(high)s, in steps of %(step)s.",
                       low=plain_number(criterion.scale_min),
                       high=plain_number(criterion.scale_max),
                       step=plain_number(criterion.scale_step))
            rubric = criterion.localized("rubric", locale)
            field = DecimalField(
                criterion.localized("name", locale),
                # The range and the step are checked by the service, with one message for both.
                validators=[Optional()],
                description=f"{scale} {rubric}" if rubric else str(scale),
                render_kw={"inputmode": "decimal", "min": plain_number(criterion.scale_min),
                           "max": plain_number(criterion.scale_max),
                           "step": plain_number(criterion.scale_step)})
            setattr(_Form, f"criterion_{criterion.id}", field)
        return _Form(**kwargs)

    def score_fields(self, criteria):
        return [getattr(self, f"criterion_{criterion.id}") for criterion in criteria]

    def values(self, criteria):
        return {criterion.id: getattr(self, f"criterion_{criterion.id}").data
                for criterion in criteria}


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
