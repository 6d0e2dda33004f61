"""The review form, one score field per criterion of the contest."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.validation import plain_number

COMMENT_MAX = 5000


class ReviewForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment to the organizers"), validators=[Optional(), Length(max=COMMENT_MAX)],
        render_kw={"maxlength": COMMENT_MAX, "rows": 5})
    save = SubmitField(_l("Save draft"))
    submit_review = SubmitField(_l("Submit review"))

    @classmethod
    def for_criteria(cls, criteria, locale, **kwargs):
        """A form class with a score field for each criterion, labelled in `locale`."""

        class _Form(cls):
            pass

        for criterion in criteria:
            field = DecimalField(
                criterion.localized("name", locale),
                # The range and the step are checked by the service, with one message for both.
                validators=[Optional()],
                description=criterion.localized("rubric", locale),
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
