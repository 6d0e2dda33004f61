"""The export options (a GET form: downloads change nothing) and the score import form."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectChoice, SelectField, SelectMultipleField, StringField, \
    SubmitField
from wtforms.validators import AnyOf

from portal.exports.services import FORMATS
from portal.i18n import lazy_gettext as _l
from portal.validation import bounded_int
from portal.validation import DataRequired


def _round_choices(rounds, locale):
    return [SelectChoice(contest_round.code, contest_round.localized("name", locale))
            for contest_round in rounds]


class ExportForm(FlaskForm):
    # Read from the query string of a GET download, which changes nothing a CSRF token protects.
    class Meta:  # nosemgrep: csrf-disabled-outside-tests
        csrf = False

    round = SelectField(_l("Round"), validators=[DataRequired()],
                        description=_l("The ranking, reviews and judge statistics of this round."))
    judge_names = BooleanField(_l("Show the judges’ names (otherwise only codes such as J007)"))
    comments = BooleanField(_l("Include the judges’ comments to the organizers"))
    # Given by the download button pressed.
    format = StringField(validators=[AnyOf(list(FORMATS))])

    def __init__(self, *args, rounds=(), locale="zh_CN", **kwargs):
        super().__init__(*args, **kwargs)
        self.round.choices = _round_choices(rounds, locale)


class ScoreImportForm(FlaskForm):
    round = SelectField(_l("Round"), validators=[DataRequired()])
    file = FileField(_l("Workbook (XLSX)"),
                     validators=[FileRequired(_l("Choose a file to upload."))],
                     description=_l("The template, or the “Review records” sheet of an XLSX "
                                    "export, with the scores typed in."),
                     render_kw={"accept": ".xlsx"})
    replace = BooleanField(_l("Replace scores already submitted"),
                           description=_l("Without it, a row that would change a submitted "
                                          "review is refused."))
    submit = SubmitField(_l("Import the scores"))

    def __init__(self, *args, rounds=(), locale="zh_CN", **kwargs):
        super().__init__(*args, **kwargs)
        self.round.choices = _round_choices(rounds, locale)


class MeetingPackForm(FlaskForm):
    """The meeting pack's round and theme (a GET form, prefixed: it shares the exports page)."""

    class Meta:  # nosemgrep: csrf-disabled-outside-tests
        csrf = False

    round = SelectField(_l("Round"), validators=[DataRequired()],
                        description=_l("The proposals that have judges in this round."))
    theme = SelectField(_l("Theme"), default="")
    # Given by the download button pressed.
    format = StringField(validators=[AnyOf(["pdf", "zip"])])

    def __init__(self, *args, rounds=(), themes=(), locale="zh_CN", **kwargs):
        super().__init__(*args, prefix="pack", **kwargs)
        self.round.choices = _round_choices(rounds, locale)
        self.theme.choices = [SelectChoice("", _l("Every theme"))] + [
            SelectChoice(theme.code, theme.localized("name", locale)) for theme in themes]


class MeetingSelectionForm(FlaskForm):
    """The meeting pack of the proposals ticked in the proposal table (a POST form: its buttons
    sit in the table's screening form, whose CSRF token it shares)."""

    proposal_ids = SelectMultipleField(coerce=bounded_int, validate_choice=False)
    # Given by the button pressed.
    format = StringField(validators=[AnyOf(["pdf", "zip"])])
