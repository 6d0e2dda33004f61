"""The forms of the certificates page: the seal, team members' certificates, revoking."""
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from portal.certificates.services import MAX_REASON_LENGTH
from portal.i18n import lazy_gettext as _l
from portal.validation import DataRequired


class SealForm(FlaskForm):
    seal = FileField(_l("Seal or signature image (PNG or JPEG, at most 2 MB)"),
                     validators=[FileRequired(_l("Choose a picture."))],
                     description=_l("Printed over the organizer's name on every certificate. "
                                    "A PNG with a transparent background looks best."),
                     render_kw={"accept": "image/png,image/jpeg"})
    submit = SubmitField(_l("Upload the seal"))


class RemoveSealForm(FlaskForm):
    submit = SubmitField(_l("Remove the seal"))


class MemberCertificatesForm(FlaskForm):
    award = SelectField(_l("Awarded project"), coerce=int,
                        validators=[DataRequired(_l("Choose one of the contest's awards."))])
    names = TextAreaField(_l("Team members' names, one per line"),
                          validators=[DataRequired(_l("Write at least one name, one per line."))],
                          description=_l("Each name gets a certificate of its own, with its own "
                                         "number."), render_kw={"rows": 4})
    submit = SubmitField(_l("Issue the certificates"))


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[
        DataRequired(_l("Give the reason for revoking the certificate.")),
        Length(max=MAX_REASON_LENGTH)], render_kw={"rows": 2, "maxlength": MAX_REASON_LENGTH})
    submit = SubmitField(_l("Revoke"))


class VerifyForm(FlaskForm):
    # A GET search that changes nothing: no token to protect.
    class Meta:  # nosemgrep: csrf-disabled-outside-tests
        csrf = False

    number = StringField(_l("Certificate number"),
                         description=_l("As printed under the QR code, e.g. 7K3M-Q9XD-2HWP."))
