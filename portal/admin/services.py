"""Queries behind the organizer pages, each bounded in the number of SQL statements."""
from collections import Counter
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.judging.conflicts import assess, contest_rows, reason_labels
from portal.judging.services import active_judges
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


SORTABLE = {
    "reference": Proposal.reference, "title": Proposal.title, "theme": Proposal.theme_id,
    "organization": Proposal.organization, "status": Proposal.status,
    "submitted": Proposal.submitted_at, "budget": Proposal.budget_total,
}
PER_PAGE = 50


@dataclass
class ProposalFilter:
    """What the organizer asked the proposal table for; unknown values are ignored."""

    status: str | None = None
    theme_id: int | None = None
    entrant_type_id: int | None = None
    round_id: int | None = None
    search: str = ""
    sort: str = "reference"
    descending: bool = False
    page: int = 1

    def conditions(self, contest):
        """Filters except the status (so that counts per status can be shown beside it)."""
        conditions = [Proposal.contest_id == contest.id, Proposal.status != ProposalStatus.DRAFT]
        if self.theme_id:
            conditions.append(Proposal.theme_id == self.theme_id)
        if self.entrant_type_id:
            conditions.append(Proposal.entrant_type_id == self.entrant_type_id)
        if self.round_id:
            conditions.append(Proposal.id.in_(db.select(Assignment.proposal_id).filter_by(
                round_id=self.round_id)))
        if self.search:
            pattern = f"%{self.search.replace('%', '').replace('_', '')}%"
            conditions.append(or_(Proposal.title.ilike(pattern), Proposal.reference.ilike(pattern),
                                  Proposal.organization.ilike(pattern)))
        return conditions


def proposal_page(contest, wanted):
    """One page of the filtered, sorted proposal table, and the count per status."""
    conditions = wanted.conditions(contest)
    counts = dict(db.session.execute(
        db.select(Proposal.status, func.count(Proposal.id)).filter(*conditions)
        .group_by(Proposal.status)).all())
    if wanted.status:
        conditions.append(Proposal.status == wanted.status)
    column = SORTABLE.get(wanted.sort, Proposal.reference)
    order = column.desc() if wanted.descending else column.asc()
    query = (db.select(Proposal).filter(*conditions)
             .options(selectinload(Proposal.theme), selectinload(Proposal.entrant_type))
             .order_by(order, Proposal.id))
    page = db.paginate(query, page=wanted.page, per_page=PER_PAGE, error_out=False)
    return page, counts


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


def judge_choices_for(proposal):
    """(id, label) of the contest's active judges; a conflicted one is marked with the reasons
    (assigning them is refused with a message)."""
    judges = active_judges(proposal.contest)
    found = assess([proposal], judges, contest_rows(proposal.contest_id))
    choices = []
    for judge in judges:
        name = judge.display_name or judge.email
        reasons = found.reasons(proposal.id, judge.id)
        choices.append((judge.id, _l("%(judge)s — conflict of interest (%(reasons)s)",
                                     judge=name, reasons=reason_labels(reasons))
                        if reasons else name))
    return choices
