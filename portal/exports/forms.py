"""The export options (a GET form: downloads change nothing) and the score import form."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired

from portal.exports.services import FORMATS
from portal.i18n import lazy_gettext as _l


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
