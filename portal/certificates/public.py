"""The public verification page a certificate's QR code opens; no account needed."""
from flask import Blueprint, current_app, redirect, render_template, request, url_for

from portal.certificates import numbers
from portal.certificates.forms import VerifyForm
from portal.certificates.services import verification
from portal.extensions import limiter

bp = Blueprint("verification", __name__)
# Per address: plenty for a person checking certificates, far too few to try numbers at random
# (60 random bits each).
VERIFY_LIMIT_PER_IP = "20 per minute; 300 per day"


def _limit():
    return current_app.config.get("VERIFY_LIMIT_PER_IP", VERIFY_LIMIT_PER_IP)


@bp.route("/verify")
@limiter.limit(_limit)
def search():
    """A form to type a certificate's number; a typed number goes to its page."""
    form = VerifyForm(request.args)
    typed = (form.number.data or "").strip()
    if typed:
        number = numbers.normalized(typed) or typed[:40]
        return redirect(url_for("verification.certificate", number=number))
    return render_template("certificates/verify.html", form=form, found=None, number=None)


# `path`: a number with a slash in it gets the same answer as any other malformed one.
@bp.route("/verify/<path:number>")
@limiter.limit(_limit)
def certificate(number):
    """Number, project, tier, contest, issue date and revocation; the same 404 for a number
    never issued as for one that cannot exist."""
    found = verification(number)
    return render_template("certificates/verify.html", form=VerifyForm(), found=found,
                           number=number), (200 if found else 404)
