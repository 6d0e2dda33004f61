"""The judge's workspace: invitations, assigned proposals, scoring."""
from flask import Blueprint, redirect, render_template, url_for
from portal.i18n import current_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy.orm import selectinload

from portal import policy
from portal.accounts import invitations
from portal.accounts.forms import AcceptInvitationForm, ConfirmForm
from portal.errors import DomainError
from portal.extensions import db
from portal.judging import services
from portal.judging.forms import ReviewForm
from portal.models import Assignment, JudgeMembership, Proposal, User
from portal.web import commit_and_redirect, show_domain_error

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
    login_user(user)
    if invitation.contest is None:
        return commit_and_redirect(_("Welcome to the organizers."), "admin.index")
    return commit_and_redirect(_("Welcome to the jury of %(contest)s.",
                                 contest=invitation.contest.localized("name", current_locale())),
                               "judging.index")


@bp.route("/judge")
@login_required
def index():
    """The proposals assigned to the signed-in judge, grouped by contest, with progress."""
    memberships = db.session.scalars(
        db.select(JudgeMembership).filter_by(user_id=current_user.id, active=True)
        .options(selectinload(JudgeMembership.contest))).all()
    policy.require(memberships, 403)
    contest_ids = [membership.contest_id for membership in memberships]
    assignments = db.session.scalars(
        db.select(Assignment).join(Proposal)
        .filter(Assignment.judge_id == current_user.id, Proposal.contest_id.in_(contest_ids))
        .options(selectinload(Assignment.proposal).selectinload(Proposal.theme),
                 selectinload(Assignment.review), selectinload(Assignment.round))
        .order_by(Assignment.id)).all()
    by_contest = {membership.contest: [a for a in assignments
                                       if a.proposal.contest_id == membership.contest_id]
                  for membership in memberships}
    return render_template("judging/index.html", by_contest=by_contest)


@bp.route("/judge/assignments/<int:assignment_id>", methods=["GET", "POST"])
@login_required
def review(assignment_id):
    """Read an assigned proposal and score it, with each criterion's rubric beside its field."""
    assignment = db.session.get(Assignment, assignment_id)
    policy.require(assignment is not None and policy.may_review(current_user, assignment), 404)
    criteria = assignment.proposal.contest.criteria
    existing = assignment.review
    form = ReviewForm.for_criteria(criteria, current_locale())
    if form.validate_on_submit():
        try:
            services.save_review(current_user, assignment, form.values(criteria),
                                 form.comment.data, submit=form.submit_review.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            message = _("Your review has been submitted. You may revise it until the round "
                        "closes.") if form.submit_review.data else _("Your draft has been saved.")
            return commit_and_redirect(message, "judging.review", assignment_id=assignment.id)
    elif not form.is_submitted() and existing is not None:
        for criterion, field in zip(criteria, form.score_fields(criteria)):
            field.data = existing.score_for(criterion.id)
        form.comment.data = existing.comment
    return render_template("judging/review.html", assignment=assignment,
                           proposal=assignment.proposal, form=form,
                           score_fields=form.score_fields(criteria))
