"""The organizers' console: contests, proposals, judges, assignments, rounds."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from portal import policy
from portal.accounts.forms import ConfirmForm
from portal.admin import services
from portal.admin.forms import AssignJudgesForm, InviteJudgeForm
from portal.contests.services import contest_by_slug
from portal.errors import DomainError
from portal.extensions import db
from portal.judging import services as judging
from portal.models import Invitation, JudgeMembership, Proposal, ProposalStatus, Round, utcnow
from portal.web import commit_and_redirect, external_url, show_domain_error

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def require_organizer():
    policy.require(policy.may_manage_contests(current_user), 403)


@bp.route("/")
def index():
    """Every contest with its proposal counts."""
    return render_template("admin/index.html", contests=services.all_contests(),
                           counts=services.status_counts_by_contest(), action_form=ConfirmForm())


@bp.route("/contests/<slug>/proposals")
def proposals(slug):
    """The contest's submitted proposals with theme, status and review progress."""
    contest = contest_by_slug(slug)
    status = request.args.get("status") if request.args.get("status") in ProposalStatus.ALL \
        else None
    theme = next((t for t in contest.themes if t.code == request.args.get("theme")), None)
    rows = services.proposals_of(contest, status=status, theme_id=theme.id if theme else None)
    return render_template("admin/proposals.html", contest=contest, proposals=rows,
                           progress=services.review_progress([p.id for p in rows]),
                           status=status, theme=theme,
                           statuses=[s for s in ProposalStatus.ALL if s != ProposalStatus.DRAFT])


def _proposal(proposal_id):
    proposal = db.session.get(Proposal, proposal_id)
    if proposal is None or proposal.status == ProposalStatus.DRAFT:
        abort(404)
    return proposal


@bp.route("/proposals/<int:proposal_id>", methods=["GET", "POST"])
def proposal(proposal_id):
    """One proposal with its reviews and history, and the form assigning it to judges."""
    proposal = _proposal(proposal_id)
    contest = proposal.contest
    contest_round = contest.current_round
    form = AssignJudgesForm()
    form.judge_ids.choices = [(judge.id, judge.display_name or judge.email)
                              for judge in judging.active_judges(contest)]
    if form.validate_on_submit():
        try:
            created = judging.assign_judges(current_user, proposal, form.judge_ids.data,
                                            contest_round)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("%(count)d new assignment(s) saved.",
                                         count=len(created)), "admin.proposal",
                                       proposal_id=proposal.id)
    return render_template("admin/proposal.html", proposal=proposal, contest=contest,
                           contest_round=contest_round, form=form,
                           assignments=services.assignments_of(proposal))


@bp.route("/contests/<slug>/judges", methods=["GET", "POST"])
def judges(slug):
    """The contest's judges and open invitations; invite a judge by email."""
    contest = contest_by_slug(slug)
    form = InviteJudgeForm()
    if form.validate_on_submit():
        try:
            _invitation, token = judging.invite_judge(current_user, contest, form.email.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            db.session.commit()
            flash(_("Invitation created. Send this link to the judge: %(link)s",
                    link=external_url("judging.accept_invitation", token=token)), "success")
            return redirect(url_for("admin.judges", slug=slug))
    memberships = db.session.scalars(
        db.select(JudgeMembership).filter_by(contest_id=contest.id)
        .options(selectinload(JudgeMembership.user))).all()
    invitations = db.session.scalars(
        db.select(Invitation).filter(Invitation.contest_id == contest.id,
                                     Invitation.accepted_at.is_(None),
                                     Invitation.revoked_at.is_(None),
                                     Invitation.expires_at > utcnow())).all()
    return render_template("admin/judges.html", contest=contest, form=form,
                           memberships=memberships, invitations=invitations)


@bp.route("/contests/<slug>/rounds/<int:round_id>/<any(close, reopen):action>",
          methods=["POST"])
def toggle_round(slug, round_id, action):
    """Close a round (judges can no longer change scores) or reopen it."""
    contest = contest_by_slug(slug)
    contest_round = db.session.get(Round, round_id)
    if contest_round is None or contest_round.contest_id != contest.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    judging.set_round_closed(current_user, contest_round, closed=action == "close")
    message = _("The round is closed.") if action == "close" else _("The round is open again.")
    return commit_and_redirect(message, "results.ranking", slug=slug)
