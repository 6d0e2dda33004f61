"""The account's personal data: download it, or erase the account."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from portal.accounts.forms import ERASE_EXPLANATION, DeleteAccountForm
from portal.accounts.sessions import require_recent_login
from portal.extensions import db
from portal.privacy import personal_data
from portal.web import ConfirmForm

bp = Blueprint("privacy", __name__)


@bp.route("/account/data", methods=["POST"])
@login_required
@require_recent_login
def download_data():
    """Everything the portal holds about the user, as a ZIP of JSON files and attachments."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    archive = personal_data.personal_data_archive(current_user)
    return Response(archive, mimetype="application/zip", headers={
        "Content-Disposition": 'attachment; filename="my-data.zip"',
        "Cache-Control": "no-store"})


@bp.route("/account/delete", methods=["POST"])
@login_required
@require_recent_login
def delete_account():
    """Erase the account after the password is confirmed."""
    form = DeleteAccountForm()
    if form.validate_on_submit() and current_user.check_password(form.password.data):
        user = current_user._get_current_object()
        logout_user()
        personal_data.erase_account(user)
        db.session.commit()
        session.clear()
        flash(_("Your account has been deleted."), "info")
        return redirect(url_for("contests.index"))
    if form.is_submitted() and not form.password.errors:
        form.password.errors.append(_("The password is wrong."))
    return render_template("accounts/account.html", action_form=ConfirmForm(),
                           delete_form=form, explanation=ERASE_EXPLANATION)
