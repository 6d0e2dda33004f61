"""The organizers' page of a contest's theme chairs: invite, see, revoke (staff only)."""
from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal import rights
from portal.accounts.inviting import invite_from_form
from portal.contests.chair_forms import InviteChairForm, RightsForm
from portal.contests.services import contest_by_slug
from portal.extensions import db
from portal.errors import DomainError
from portal.i18n import localized as loc
from portal.labels import permission_label
from portal.models import ContestGrant, InvitationRole, Permission
from portal.validation import choices
from portal.web import ConfirmForm, commit_and_redirect, organizer_blueprint, \
    run_button_action, show_domain_error

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
    return _render(contest, form, _rights_form(contest, formdata=None))


def _rights_form(contest, **kwargs):
    form = RightsForm(prefix="rights", **kwargs)
    form.themes.choices = choices((theme.code, loc(theme)) for theme in contest.themes)
    form.permissions.choices = choices((code, permission_label(code))
                                       for code in Permission.ALL)
    return form


def _render(contest, form, rights_form, status=200):
    grants = rights.grants_of(contest)
    editing = next((grant for grant in grants
                    if str(grant.id) == request.args.get("edit")), None)
    if editing is not None and not rights_form.is_submitted():
        rights_form.email.data = editing.user.email
        rights_form.permissions.data = list(editing.permissions)
        rights_form.scope.data = RightsForm.WHOLE if editing.whole_contest else RightsForm.THEMES
        rights_form.themes.data = [theme.code for theme in editing.themes]
    elif not rights_form.is_submitted():
        rights_form.permissions.data = list(Permission.THEME_CHAIR)
    return render_template("contests/chairs.html", contest=contest, form=form,
                           rights_form=rights_form, chairs=grants,
                           invitations=rights.open_chair_invitations(contest),
                           action_form=ConfirmForm(),
                           permission_label=permission_label), status


@bp.route("/<slug>/chairs/rights", methods=["POST"])
def grant(slug):
    """Grant an invited person rights over the whole contest or some of its themes (replacing
    their earlier rights in the contest)."""
    contest = contest_by_slug(slug)
    form = _rights_form(contest)
    if form.validate_on_submit():
        try:
            rights.grant_rights_by_email(current_user, contest, form.email.data,
                                         form.permissions.data,
                                         form.scope.data == RightsForm.WHOLE, form.themes.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The rights of %(email)s have been saved.",
                                         email=form.email.data), "chairs.index", slug=slug)
    invite_form = InviteChairForm(formdata=None)
    invite_form.themes.choices = choices((theme.code, loc(theme)) for theme in contest.themes)
    return _render(contest, invite_form, form, 422)


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
