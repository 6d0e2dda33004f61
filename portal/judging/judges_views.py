"""The organizers' judges pages: the contest's judges, invitations, activation."""
from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from portal.accounts import invitations
from portal.accounts.inviting import invite_from_form
from portal.contests.services import contest_by_slug
from portal.extensions import db
from portal.i18n import localized as loc
from portal import policy
from portal.judging import scope
from portal.judging import services as judging
from portal.judging.judges_forms import InviteJudgeForm
from portal.models import Invitation, InvitationRole, JudgeMembership, Permission
from portal.rights import open_invitations
from portal.rules.contest import by_judge_name
from portal.validation import choices
from portal.web import ConfirmForm, organizer_blueprint, run_button_action

bp = organizer_blueprint("judges", __name__, url_prefix="/admin")


@bp.route("/contests/<slug>/judges", methods=["GET", "POST"])
def index(slug):
    """The contest's judges with their load and progress, open invitations, and invitations."""
    contest = contest_by_slug(slug)
    themes = policy.theme_scope(current_user, contest, Permission.JUDGES)
    form = InviteJudgeForm()
    form.themes.choices = choices((theme.code, loc(theme)) for theme in
                                  policy.visible_themes(current_user, contest, Permission.JUDGES))
    invited = invite_from_form(InvitationRole.JUDGE, contest, form, "judges.index")
    if invited is not None:
        return invited
    judge_ids = scope.judges_of_themes(contest, themes, current_user)
    memberships = sorted(db.session.scalars(
        db.select(JudgeMembership).filter_by(contest_id=contest.id)
        .filter(*([] if judge_ids is None else [JudgeMembership.user_id.in_(sorted(judge_ids))]))
        .options(selectinload(JudgeMembership.user), selectinload(JudgeMembership.expertise))),
        key=lambda membership: by_judge_name(membership.user))
    invitations = open_invitations(contest, InvitationRole.JUDGE)
    if themes is not None:   # a chair: the invitations they sent
        invitations = [item for item in invitations if item.created_by_id == current_user.id]
    return render_template("judging/organizer/judges.html", contest=contest, form=form,
                           memberships=memberships, invitations=invitations, themes=themes,
                           workload=scope.workload(contest, themes), action_form=ConfirmForm())


def _invitation(invitation_id):
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    return invitation


def _back_from(invitation):
    if invitation.role == InvitationRole.CHAIR:
        return "chairs.index", {"slug": invitation.contest.slug}
    if invitation.contest is not None:
        return "judges.index", {"slug": invitation.contest.slug}
    return "site.organizers", {}


@bp.route("/invitations/<int:invitation_id>/<any(resend, revoke):action>", methods=["POST"])
def invitation_action(invitation_id, action):
    """Send an invitation again with a fresh link, or revoke it."""
    invitation = _invitation(invitation_id)
    endpoint, values = _back_from(invitation)
    verb = invitations.resend if action == "resend" else invitations.revoke
    message = _("The invitation has been sent again.") if action == "resend" else \
        _("The invitation has been revoked.")
    return run_button_action(lambda: verb(current_user, invitation), message, endpoint,
                             **values)


@bp.route("/contests/<slug>/invitations/send", methods=["POST"])
def send_invitations(slug):
    """Send the contest's invitations that wait (last edition's judges, after a copy)."""
    contest = contest_by_slug(slug)

    def message(result):
        sent, refused = result
        return _("Invitations sent: %(sent)d. Not sent, the person being a judge or an "
                 "applicant of this contest already: %(refused)d.", sent=sent, refused=refused)

    return run_button_action(lambda: invitations.send_waiting(current_user, contest), message,
                             "judges.index", slug=slug)


@bp.route("/judges/<int:membership_id>/<any(deactivate, activate):action>", methods=["POST"])
def judge_activation(membership_id, action):
    """Deactivate a judge (open assignments return to the pool) or bring them back."""
    membership = db.session.get(JudgeMembership, membership_id)
    if membership is None:
        abort(404)

    def message(released):
        return _("The judge is active again.") if action == "activate" else _(
            "The judge is deactivated; %(count)d open assignment(s) returned to the pool.",
            count=len(released))

    return run_button_action(
        lambda: judging.set_judge_active(current_user, membership, action == "activate"),
        message, "judges.index", slug=membership.contest.slug)
