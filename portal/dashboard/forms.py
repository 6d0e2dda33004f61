"""The announcement form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

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
