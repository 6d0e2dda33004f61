"""The judge's workspace: their assignments per contest with progress, filters and the next
proposal to score, in a bounded number of queries whatever the number of assignments."""
from dataclasses import dataclass, field

from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.judging.conflicts import assess
from portal.judging.services import scoring_refusal
from portal.models import Assignment, Conflict, JudgeMembership, Proposal, ProposalStatus, utcnow


@dataclass
class ContestWork:
    contest: object
    assignments: list = field(default_factory=list)  # shown, after the filters
    scored: int = 0   # submitted reviews, before the filters
    total: int = 0    # assignments, before the filters
    next_assignment: object = None


def is_scored(assignment):
    return assignment.review is not None and assignment.review.submitted_at is not None


def judge_workspace(user, theme_code=None, unscored_only=False, now=None):
    """The judge's contests (active memberships) with their assignments, conflicted ones left
    out; None when the user judges no contest."""
    now = now or utcnow()
    memberships = db.session.scalars(
        db.select(JudgeMembership).filter_by(user_id=user.id, active=True)
        .options(selectinload(JudgeMembership.contest))
        .order_by(JudgeMembership.contest_id)).all()
    if not memberships:
        return None
    contest_ids = [membership.contest_id for membership in memberships]
    assignments = db.session.scalars(
        db.select(Assignment).join(Proposal)
        .filter(Assignment.judge_id == user.id, Proposal.contest_id.in_(contest_ids),
                Proposal.status.in_(ProposalStatus.IN_COMPETITION))
        .options(selectinload(Assignment.proposal).selectinload(Proposal.theme),
                 selectinload(Assignment.proposal).selectinload(Proposal.applicant),
                 selectinload(Assignment.review), selectinload(Assignment.round))
        .order_by(Assignment.id)).all()
    rows = db.session.scalars(db.select(Conflict).filter(
        Conflict.judge_id == user.id, Conflict.contest_id.in_(contest_ids))).all()
    work = []
    for membership in memberships:
        mine = [a for a in assignments if a.proposal.contest_id == membership.contest_id]
        conflicts = assess([a.proposal for a in mine], [user],
                           [row for row in rows if row.contest_id == membership.contest_id])
        visible = [a for a in mine if not conflicts.conflicted(a.proposal_id, user.id)]
        shown = [a for a in visible
                 if (not theme_code or a.proposal.theme.code == theme_code)
                 and not (unscored_only and is_scored(a))]
        work.append(ContestWork(
            contest=membership.contest, assignments=shown,
            scored=sum(1 for a in visible if is_scored(a)), total=len(visible),
            next_assignment=next((a for a in shown if not is_scored(a)
                                  and scoring_refusal(a.round, now) is None), None)))
    return work
