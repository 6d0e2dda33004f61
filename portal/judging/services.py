"""Judging verbs: invite judges, accept invitations, assign, review, close a round."""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.accounts.services import create_user
from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.tokens import make_token, read_token
from portal.models import Assignment, Invitation, JudgeMembership, Proposal, ProposalStatus, \
    Review, Score, User, utcnow
from portal.validation import normalize_email, plain_number

INVITATION = "judge-invitation"


def _membership(contest, user):
    return db.session.scalar(
        db.select(JudgeMembership).filter_by(contest_id=contest.id, user_id=user.id))


def _has_proposals_in(user, contest):
    return db.session.scalar(
        db.select(Proposal.id).filter(
            Proposal.contest_id == contest.id, Proposal.applicant_id == user.id,
            Proposal.status != ProposalStatus.WITHDRAWN).limit(1)) is not None


def _refuse_applicant_as_judge(user, contest):
    if _has_proposals_in(user, contest):
        raise DomainError(_l("This person has proposals in this contest and cannot judge it."),
                          field="email")


def invite_judge(actor, contest, email, now=None):
    """A new invitation for `email` to judge `contest`; returns (invitation, token).

    Earlier open invitations to the same address for the contest are revoked, so that only the
    newest link works.
    """
    now = now or utcnow()
    try:
        email = normalize_email(email)
    except ValueError as error:
        raise DomainError(_l("Enter a valid email address."), field="email") from error
    user = db.session.scalar(db.select(User).filter_by(email=email))
    if user is not None:
        membership = _membership(contest, user)
        if membership is not None and membership.active:
            raise DomainError(_l("This person is already a judge of this contest."), field="email")
        _refuse_applicant_as_judge(user, contest)
    for earlier in db.session.scalars(db.select(Invitation).filter_by(
            contest_id=contest.id, email=email, accepted_at=None, revoked_at=None)):
        earlier.revoked_at = now
    invitation = Invitation(
        contest=contest, email=email, created_by_id=actor.id if actor else None, created_at=now,
        expires_at=now + timedelta(days=current_app.config["INVITATION_MAX_AGE_DAYS"]))
    db.session.add(invitation)
    db.session.flush()
    record(actor, "judge.invited", contest=contest, target=invitation, email=email)
    return invitation, make_token(INVITATION, {"invitation": invitation.id})


def invitation_from_token(token, now=None):
    """The invitation the token names while it can still be used, else None."""
    now = now or utcnow()
    payload = read_token(INVITATION, token, current_app.config["INVITATION_MAX_AGE_DAYS"] * 86400)
    invitation = db.session.get(Invitation, payload.get("invitation")) if payload else None
    if invitation is None or not invitation.usable_at(now):
        return None
    return invitation


def accept_invitation(invitation, user=None, display_name=None, password=None, now=None):
    """Make the invited person a judge; creates their account when they have none."""
    now = now or utcnow()
    if user is None:
        user = create_user(invitation.email, password, display_name=display_name)
    elif user.email != invitation.email:
        raise DomainError(_l("This invitation was sent to another email address. Log out and "
                             "open the link again."))
    contest = invitation.contest
    _refuse_applicant_as_judge(user, contest)
    membership = _membership(contest, user)
    if membership is None:
        membership = JudgeMembership(contest=contest, user=user, active=True)
        db.session.add(membership)
    membership.active = True
    invitation.accepted_at = now
    invitation.accepted_by_id = user.id
    db.session.flush()
    record(user, "judge.joined", contest=contest, target=membership)
    return user


def active_judges(contest):
    return db.session.scalars(
        db.select(User).join(JudgeMembership, JudgeMembership.user_id == User.id)
        .filter(JudgeMembership.contest_id == contest.id, JudgeMembership.active.is_(True),
                User.active.is_(True))
        .order_by(User.display_name, User.email)).all()


def assign_judges(actor, proposal, judge_ids, contest_round):
    """Assign the proposal to each judge in the round; existing assignments are kept."""
    if proposal.status not in ProposalStatus.IN_COMPETITION:
        raise DomainError(_l("Only submitted proposals can be assigned to judges."))
    if contest_round.contest_id != proposal.contest_id or not contest_round.is_open:
        raise DomainError(_l("Choose an open round of this contest."))
    judges = {judge.id: judge for judge in active_judges(proposal.contest)}
    existing = set(db.session.scalars(db.select(Assignment.judge_id).filter_by(
        proposal_id=proposal.id, round_id=contest_round.id)))
    created = []
    for judge_id in judge_ids:
        if judge_id not in judges:
            raise DomainError(_l("Only active judges of this contest can be assigned."))
        if judge_id in existing:
            continue
        assignment = Assignment(round=contest_round, proposal=proposal, judge=judges[judge_id],
                                created_by_id=getattr(actor, "id", None))
        db.session.add(assignment)
        created.append(assignment)
        existing.add(judge_id)
    db.session.flush()
    for assignment in created:
        record(actor, "assignment.created", contest=proposal.contest, target=assignment,
               proposal=proposal.id, judge=assignment.judge_id, round=contest_round.code)
    return created


def _check_score(criterion, value):
    if value < criterion.scale_min or value > criterion.scale_max:
        raise DomainError(_l("Give a score from %(low)s to %(high)s.",
                             low=plain_number(criterion.scale_min), high=plain_number(criterion.scale_max)),
                          field=f"criterion_{criterion.id}")
    if (value - criterion.scale_min) % criterion.scale_step != 0:
        raise DomainError(_l("Scores go in steps of %(step)s.", step=plain_number(criterion.scale_step)),
                          field=f"criterion_{criterion.id}")


def save_review(judge, assignment, values, comment, submit, now=None):
    """Store the judge's scores (criterion id -> value or None) and comment.

    A draft may be incomplete; submitting needs every criterion. Either is allowed until the round
    closes, so a judge may revise a submitted review.
    """
    now = now or utcnow()
    if not assignment.round.is_open:
        raise DomainError(_l("This round is closed: scores can no longer be changed."))
    criteria = assignment.proposal.contest.criteria
    for criterion in criteria:
        value = values.get(criterion.id)
        if value is not None:
            _check_score(criterion, value)
        elif submit:
            raise DomainError(_l("Score every criterion before you submit."),
                              field=f"criterion_{criterion.id}")
    review = assignment.review or Review(assignment=assignment)
    db.session.add(review)
    before = {score.criterion_id: score.value for score in review.scores}
    by_criterion = {score.criterion_id: score for score in review.scores}
    for criterion in criteria:
        value = values.get(criterion.id)
        score = by_criterion.get(criterion.id)
        if value is None and score is not None:
            review.scores.remove(score)
        elif value is not None and score is None:
            review.scores.append(Score(criterion_id=criterion.id, value=value))
        elif value is not None:
            score.value = value
    review.comment = (comment or "").strip() or None
    was_submitted = review.submitted_at is not None
    if submit:
        review.submitted_at = review.submitted_at or now
    db.session.flush()
    after = {score.criterion_id: score.value for score in review.scores}
    if submit or was_submitted:
        action = "review.revised" if was_submitted else "review.submitted"
        record(judge, action, contest=assignment.proposal.contest, target=review,
               proposal=assignment.proposal_id,
               before={str(k): str(v) for k, v in before.items()},
               after={str(k): str(v) for k, v in after.items()})
    return review


def set_round_closed(actor, contest_round, closed, now=None):
    """Close a round (scores freeze) or reopen it."""
    contest_round.closed_at = (now or utcnow()) if closed else None
    db.session.flush()
    record(actor, "round.closed" if closed else "round.reopened", contest=contest_round.contest,
           target=contest_round)
