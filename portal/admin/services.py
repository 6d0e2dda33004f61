"""Queries behind the organizer pages, each bounded in the number of SQL statements."""
from collections import Counter

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import Assignment, Contest, Proposal, ProposalStatus, Review


def status_counts_by_contest():
    """contest id -> Counter of proposal statuses, in one query."""
    counts = {}
    for contest_id, status, number in db.session.execute(
            db.select(Proposal.contest_id, Proposal.status, func.count(Proposal.id))
            .group_by(Proposal.contest_id, Proposal.status)):
        counts.setdefault(contest_id, Counter())[status] = number
    return counts


def all_contests():
    return db.session.scalars(db.select(Contest).order_by(Contest.opens_at.desc())).all()


def proposals_of(contest, status=None, theme_id=None):
    """The contest's proposals, drafts excluded (they are the applicants' private work)."""
    query = (db.select(Proposal).filter(Proposal.contest_id == contest.id,
                                        Proposal.status != ProposalStatus.DRAFT)
             .options(selectinload(Proposal.theme), selectinload(Proposal.entrant_type))
             .order_by(Proposal.reference, Proposal.id))
    if status:
        query = query.filter(Proposal.status == status)
    if theme_id:
        query = query.filter(Proposal.theme_id == theme_id)
    return db.session.scalars(query).all()


def review_progress(proposal_ids):
    """proposal id -> (assignments, submitted reviews), in one query."""
    if not proposal_ids:
        return {}
    rows = db.session.execute(
        db.select(Assignment.proposal_id, func.count(Assignment.id), func.count(Review.submitted_at))
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .filter(Assignment.proposal_id.in_(proposal_ids))
        .group_by(Assignment.proposal_id))
    return {proposal_id: (assigned, reviewed) for proposal_id, assigned, reviewed in rows}


def assignments_of(proposal):
    return db.session.scalars(
        db.select(Assignment).filter_by(proposal_id=proposal.id)
        .options(selectinload(Assignment.judge), selectinload(Assignment.review)
                 .selectinload(Review.scores), selectinload(Assignment.round))
        .order_by(Assignment.round_id, Assignment.id)).all()
