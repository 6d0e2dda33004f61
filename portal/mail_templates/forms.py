"""The form of an email's text."""
from flask_wtf import FlaskForm
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from portal.i18n import lazy_gettext as _l
from portal.mail_templates.services import BODY_MAX, SUBJECT_MAX
from portal.validation import DataRequired


class MailTemplateForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=SUBJECT_MAX)],
                          description=_l("Leave it empty to keep the built-in subject."))
    body = TextAreaField(_l("Text"), validators=[DataRequired(_l("Write the text of the email.")),
                                                 Length(max=BODY_MAX)],
                         render_kw={"rows": 14})
    preview = SubmitField(_l("Preview"))
    save = SubmitField(_l("Save"))


class RestoreForm(FlaskForm):
    submit = SubmitField(_l("Back to the built-in text"))
