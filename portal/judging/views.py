"""The judge's workspace: invitations, assigned proposals, scoring, conflicts of interest."""
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, selectinload

from portal import policy
from portal.accounts import invitations
from portal.accounts.forms import AcceptInvitationForm
from portal.accounts.sessions import start_session
from portal.contests.services import contest_by_slug
from portal.contests.snapshots import contest_parts
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale
from portal.judging import conflicts, services, workspace
from portal.judging.forms import OrganizationConflictForm, RecuseForm, ReviewForm
from portal.models import Assignment, Conflict, ConflictKind, InvitationRole, Review, User
from portal.rules.contest import scoring_refusal
from portal.rules.criteria import kind_of
from portal.web import ConfirmForm, commit_and_redirect, show_domain_error

bp = Blueprint("judging", __name__)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token):
    """Accept an invitation to judge: set a password, or confirm with the existing account."""
    invitation = invitations.invitation_from_token(token)
    if invitation is None:
        return render_template("judging/invitation_invalid.html"), 404
    existing = db.session.scalar(db.select(User).filter_by(email=invitation.email))
    if existing is not None:
        form = ConfirmForm()
        if current_user.is_authenticated and form.validate_on_submit():
            return _accept(invitation, form, user=current_user._get_current_object())
    else:
        form = AcceptInvitationForm()
        if form.validate_on_submit():
            return _accept(invitation, form, display_name=form.display_name.data,
                           password=form.password.data)
    return render_template("judging/accept_invitation.html", invitation=invitation, form=form,
                           existing=existing)


def _accept(invitation, form, **account):
    try:
        user = invitations.accept(invitation, **account)
    except DomainError as error:
        show_domain_error(error, form)
        return render_template("judging/accept_invitation.html", invitation=invitation,
                               form=form, existing=account.get("user"))
    start_session(user)
    if invitation.contest is None:
        return commit_and_redirect(_("Welcome to the organizers."), "console.index")
    if invitation.role == InvitationRole.CHAIR:
        return commit_and_redirect(_("Welcome, chair of your themes of %(contest)s.",
                                     contest=invitation.contest.localized("name",
                                                                          current_locale())),
                                   "proposals_admin.proposals", slug=invitation.contest.slug)
    return commit_and_redirect(_("Welcome to the jury of %(contest)s.",
                                 contest=invitation.contest.localized("name", current_locale())),
                               "judging.index")


@bp.route("/judge")
@login_required
def index():
    """The signed-in judge's assignments per contest: progress, counts, deadlines, filters, a
    page of rows and the next to score."""
    theme_code = (request.args.get("theme") or "").strip()[:32] or None
    unscored_only = request.args.get("unscored") == "1"
    status = request.args.get("status")
    status = status if status in workspace.STATUSES else None
    work = workspace.judge_workspace(current_user, theme_code, unscored_only, status,
                                     request.args.get("page", 1, type=int))
    policy.require(work is not None, 403)
    # Each row's link is this prefix and its id: url_for once, not per row (url_for keeps the
    # prefix a proxy mounts the site under, SCRIPT_NAME).
    review_url_prefix = url_for("judging.review", assignment_id=0).removesuffix("0")
    return render_template("judging/index.html", work=work, theme_code=theme_code,
                           unscored_only=unscored_only, status=status, query=_workspace_url,
                           review_url_prefix=review_url_prefix)


def _workspace_url(**changes):
    """This page's address with some arguments changed (None drops one)."""
    args = request.args.to_dict()
    args.update(changes)
    return url_for("judging.index", **{key: value for key, value in args.items()
                                       if value is not None})


def _assignment(assignment_id):
    """The signed-in judge's own assignment they may still review; 404 otherwise (another
    judge's, a conflicted one, a proposal out of competition). Read with its proposal, review
    and scores in one statement."""
    assignment = db.session.get(Assignment, assignment_id, options=[
        joinedload(Assignment.proposal),
        joinedload(Assignment.review).joinedload(Review.scores)])
    policy.require(assignment is not None and policy.may_review(current_user, assignment), 404)
    return assignment


@bp.route("/judge/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def review(assignment_id):
    """First only the title and theme, to recuse or continue; then the proposal beside the
    scoring form, each criterion with its rubric and scale."""
    assignment = _assignment(assignment_id)
    proposal, existing = assignment.proposal, assignment.review
    # The contest's parts from this process's snapshots (no statement while they are current).
    parts = contest_parts(proposal.contest_id)
    contest_round = parts.round(assignment.round_id)
    if request.method == "GET" and existing is None and request.args.get("read") != "1":
        return render_template("judging/before_reading.html", assignment=assignment,
                               proposal=proposal, contest_round=contest_round,
                               theme=parts.theme(proposal.theme_id), recuse_form=RecuseForm())
    criteria = parts.criteria
    form = ReviewForm.for_criteria(criteria, current_locale())
    if form.validate_on_submit():
        try:
            services.save_review(current_user, assignment, form.values(criteria),
                                 form.comment.data, submit=form.submitting,
                                 feedback=form.feedback.data or "")
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return _after_saving(assignment, form)
    elif not form.is_submitted() and existing is not None:
        for criterion, field in zip(criteria, form.score_fields(criteria)):
            field.data = existing.score_for(criterion.id)
        form.comment.data = existing.comment
        form.feedback.data = existing.feedback
    return render_template("judging/review.html", assignment=assignment, proposal=proposal,
                           contest=parts, contest_round=contest_round,
                           theme=parts.theme(proposal.theme_id),
                           entrant_type=parts.entrant_type(proposal.entrant_type_id), form=form,
                           score_fields=[(field, options,
                                          kind_of(criterion).show(criterion, field.data))
                                         for criterion, (field, options)
                                         in zip(criteria, form.score_inputs(criteria))],
                           refusal=scoring_refusal(contest_round),
                           recuse_form=RecuseForm())


def _after_saving(assignment, form):
    """Back to the review after a draft or a submission; on to the judge's next proposal after
    「提交并评下一个」, or to the list when none is left."""
    if not form.submitting:
        return commit_and_redirect(_("Your draft has been saved."), "judging.review",
                                   assignment_id=assignment.id)
    submitted = _("Your review has been submitted. You may revise it until the round closes.")
    if not form.submit_next.data:
        return commit_and_redirect(submitted, "judging.review", assignment_id=assignment.id)
    following = workspace.next_to_score(current_user, assignment.proposal.contest,
                                        assignment.id)
    if following is None:
        return commit_and_redirect(
            _("Your review has been submitted. Every proposal assigned to you is scored."),
            "judging.index")
    return commit_and_redirect(submitted, "judging.review", assignment_id=following.id)


@bp.route("/judge/assignments/<int:assignment_id>/recuse", methods=["POST"])
@login_required
def recuse(assignment_id):
    """Declare a conflict with the assigned proposal: it is no longer assigned to the judge."""
    assignment = _assignment(assignment_id)
    form = RecuseForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        conflicts.recuse(current_user, assignment, form.reason.data)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("judging.review", assignment_id=assignment_id, read=1))
    return commit_and_redirect(_("You have recused yourself: the proposal is no longer assigned "
                                 "to you."), "judging.index")


def _judged_contest(slug):
    contest = contest_by_slug(slug)
    policy.require(policy.is_judge_of(current_user, contest), 403)
    return contest


@bp.route("/judge/contests/<slug>/conflicts", methods=["GET", "POST"])
@login_required
def declared_conflicts(slug):
    """The organizations the judge declared a conflict with, and the proposals they recused
    from; declare another organization."""
    contest = _judged_contest(slug)
    form = OrganizationConflictForm()
    if form.validate_on_submit():
        try:
            conflicts.declare_organization(current_user, contest, form.organization.data,
                                           form.reason.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("Your conflict of interest has been recorded."),
                                       "judging.declared_conflicts", slug=slug)
    rows = db.session.scalars(
        db.select(Conflict).filter_by(contest_id=contest.id, judge_id=current_user.id)
        .options(selectinload(Conflict.proposal)).order_by(Conflict.id)).all()
    return render_template(
        "judging/conflicts.html", contest=contest, form=form, action_form=ConfirmForm(),
        organizations=[row for row in rows if row.kind == ConflictKind.DECLARED_ORGANIZATION],
        recused=[row for row in rows if row.kind == ConflictKind.DECLARED_PROPOSAL])


@bp.route("/judge/contests/<slug>/conflicts/<int:conflict_id>/delete", methods=["POST"])
@login_required
def withdraw_conflict(slug, conflict_id):
    """Take back an organization the judge declared."""
    contest = _judged_contest(slug)
    conflict = db.session.get(Conflict, conflict_id)
    policy.require(conflict is not None and conflict.judge_id == current_user.id
                   and conflict.contest_id == contest.id, 404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        conflicts.withdraw_organization(current_user, contest, conflict)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("judging.declared_conflicts", slug=slug))
    return commit_and_redirect(_("The declaration has been withdrawn."),
                               "judging.declared_conflicts", slug=slug)
