"""The organizers' page of a contest's theme chairs: invite, see, revoke (staff only)."""
from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user

from portal import rights
from portal.accounts.inviting import invite_from_form
from portal.contests.chair_forms import InviteChairForm
from portal.contests.services import contest_by_slug
from portal.extensions import db
from portal.i18n import localized as loc
from portal.models import ContestGrant, InvitationRole
from portal.validation import choices
from portal.web import ConfirmForm, organizer_blueprint, run_button_action

bp = organizer_blueprint("chairs", __name__, url_prefix="/admin/contests")


@bp.route("/<slug>/chairs", methods=["GET", "POST"])
def index(slug):
    """The contest's theme chairs with their themes and rights, open invitations, and the
    invitation form."""
    contest = contest_by_slug(slug)
    form = InviteChairForm()
    form.themes.choices = choices((theme.code, loc(theme)) for theme in contest.themes)
    invited = invite_from_form(InvitationRole.CHAIR, contest, form, "chairs.index")
    if invited is not None:
        return invited
    return render_template("contests/chairs.html", contest=contest, form=form,
                           chairs=rights.grants_of(contest),
                           invitations=rights.open_chair_invitations(contest),
                           action_form=ConfirmForm())


@bp.route("/<slug>/chairs/<int:grant_id>/revoke", methods=["POST"])
def revoke(slug, grant_id):
    """Take back every right of a chair in the contest."""
    contest = contest_by_slug(slug)
    grant = db.session.get(ContestGrant, grant_id)
    if grant is None or grant.contest_id != contest.id:
        abort(404)
    return run_button_action(lambda: rights.revoke_rights(current_user, grant),
                             _("The chair's rights have been revoked."), "chairs.index",
                             slug=slug)
