"""Who may do what to which object: the one place every view asks.

Each rule answers only for role and ownership; the contest's own rules (deadlines, limits) are
checked by the services, which explain a refusal instead of hiding the object.
"""
from flask import abort

from portal.extensions import db
from portal.models import Assignment, JudgeMembership, ProposalStatus
from portal.rules.conflicts import closes_access


def _signed_in(user):
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active


def is_organizer(user):
    return _signed_in(user) and user.is_organizer


def is_judge_of(user, contest):
    if not _signed_in(user):
        return False
    return db.session.scalar(
        db.select(JudgeMembership.id).filter_by(contest_id=contest.id, user_id=user.id,
                                                active=True)) is not None


def may_apply_to(user, contest):
    """Applicants: anyone signed in, except staff and the contest's own judges."""
    return _signed_in(user) and not user.is_organizer and not is_judge_of(user, contest)


def owns_proposal(user, proposal):
    return _signed_in(user) and proposal.applicant_id == user.id


def may_view_proposal(user, proposal):
    if owns_proposal(user, proposal) or is_organizer(user):
        return True
    return proposal.status in ProposalStatus.IN_COMPETITION and _is_assigned(user, proposal) \
        and not has_conflict(user, proposal)


def may_edit_proposal(user, proposal):
    return owns_proposal(user, proposal)


def owns_grant(user, grant):
    """The grantee: the applicant of the awarded proposal."""
    return owns_proposal(user, grant.proposal)


def may_view_grant(user, grant):
    """A grantee sees only their own grant; organizers see every grant."""
    return owns_grant(user, grant) or is_organizer(user)


def may_evaluate(user, evaluation):
    """The judge asked to evaluate a grant report, still a judge of the contest, without a
    conflict of interest with the project."""
    proposal = evaluation.report.grant.proposal
    return (_signed_in(user) and evaluation.judge_id == user.id
            and is_judge_of(user, proposal.contest) and not has_conflict(user, proposal))


def may_manage_contests(user):
    return is_organizer(user)


def may_review(user, assignment):
    """The assigned judge, still an active judge of the contest, on a proposal in competition,
    without a conflict of interest."""
    return (
        _signed_in(user)
        and assignment.judge_id == user.id
        and assignment.proposal.status in ProposalStatus.IN_COMPETITION
        and is_judge_of(user, assignment.proposal.contest)
        and not has_conflict(user, assignment.proposal)
    )


def has_conflict(user, proposal):
    """True when the judge may no longer see or score an assigned proposal: a conflict recorded
    for the pair. Automatic conflicts keep proposals from being assigned but never change
    access, so that a judge's own declaration cannot tell them who applied
    (portal.rules.conflicts). One query."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return closes_access(user, proposal)


def _is_assigned(user, proposal):
    if not _signed_in(user) or not is_judge_of(user, proposal.contest):
        return False
    return db.session.scalar(
        db.select(Assignment.id).filter_by(proposal_id=proposal.id, judge_id=user.id)
    ) is not None


def require(allowed, status=403):
    """Stop the request unless allowed: 404 hides an object's existence, 403 refuses a role."""
    if not allowed:
        abort(status)
