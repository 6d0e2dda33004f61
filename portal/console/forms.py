"""The announcement form and the audit log's filter."""
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectChoice, SelectField, StringField, SubmitField, \
    TextAreaField
from wtforms.validators import Length, Optional

from portal.console.audit_log import AuditFilter
from portal.i18n import lazy_gettext as _l
from portal.labels import ACTION_LABELS
from portal.validation import DataRequired

SUBJECT_MAX = 200
BODY_MAX = 5000


def tidy_text(text):
    """The text trimmed, with Unix line ends."""
    # Browsers send newlines as CRLF: the sent text must compare equal to the previewed text.
    return text.replace("\r\n", "\n").strip() if isinstance(text, str) else text


def single_line(text):
    """The text on one line: a line break in an email subject would forge headers."""
    return " ".join(text.split()) if isinstance(text, str) else text


class AnnouncementForm(FlaskForm):
    """Write, preview, then send; the token proves the sent text is the previewed text."""

    subject = StringField(_l("Subject"), filters=[single_line],
                          validators=[DataRequired(), Length(max=SUBJECT_MAX)],
                          render_kw={"maxlength": SUBJECT_MAX})
    body = TextAreaField(_l("Message"), filters=[tidy_text],
                         validators=[DataRequired(), Length(max=BODY_MAX)],
                         description=_l("Plain text. It is sent as you write it, in no other "
                                        "language; the greeting and the contest name around it "
                                        "are in each recipient's language."),
                         render_kw={"maxlength": BODY_MAX, "rows": 10})
    audience = SelectField(_l("Recipients"), validators=[DataRequired()])
    preview_token = HiddenField()
    preview = SubmitField(_l("Preview"))
    send = SubmitField(_l("Send"))


class AuditFilterForm(FlaskForm):
    """Read from the query string: filtering changes nothing a CSRF token protects."""

    class Meta:  # nosemgrep: csrf-disabled-outside-tests
        csrf = False

    contest = SelectField(_l("Contest"), choices=[], validate_choice=False)
    actor = StringField(_l("Who (part of a name or email)"), validators=[Optional(),
                                                                         Length(max=100)])
    action = SelectField(_l("Kind"), choices=[], validators=[Optional()])
    day_from = DateField(_l("From (Beijing date)"), validators=[Optional()])
    day_to = DateField(_l("To (Beijing date)"), validators=[Optional()])

    def __init__(self, *args, contests=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = [SelectChoice("", _l("Every kind"))] + sorted(
            (SelectChoice(code, label) for code, label in ACTION_LABELS.items()),
            key=lambda choice: str(choice.label))
        self.contests = contests
        if contests is not None:
            self.contest.choices = [SelectChoice("", _l("Every contest and the site"))] + [
                SelectChoice(contest.slug, name) for contest, name in contests]

    def audit_filter(self, contest=None):
        """The filter the form describes; fields that did not validate are left out."""
        def valid(field):
            return field.data if not field.errors else None

        if contest is None and self.contests is not None:
            contest = next((c for c, _name in self.contests if c.slug == self.contest.data), None)
        return AuditFilter(contest_id=getattr(contest, "id", None),
                           actor=(valid(self.actor) or "").strip(),
                           action=valid(self.action) or "", day_from=valid(self.day_from),
                           day_to=valid(self.day_to))
