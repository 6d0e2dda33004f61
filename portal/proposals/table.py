"""Queries behind the organizer's proposal pages (the table, one proposal, the counts per
contest), each bounded in the number of SQL statements."""
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from portal import policy
from portal.database import pinyin_ordered
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.judging.services import active_judges
from portal.models import Assignment, Permission, Proposal, ProposalStatus, Review
from portal.pagination import Page, PageBounds
from portal.rules.conflicts import assess, contest_rows, reason_labels
from portal.rules.contest import judge_name


class ContestCounts(NamedTuple):
    in_competition: int = 0     # ProposalStatus.IN_COMPETITION: submitted, still in the running
    drafts: int = 0


def proposal_counts_by_contest():
    """contest id -> ContestCounts, in one query; a contest without proposals counts zeros."""
    by_status = defaultdict(Counter)
    for contest_id, status, number in db.session.execute(
            db.select(Proposal.contest_id, Proposal.status, func.count(Proposal.id))
            .group_by(Proposal.contest_id, Proposal.status)):
        by_status[contest_id][status] = number
    counts = defaultdict(ContestCounts)
    for contest_id, statuses in by_status.items():
        counts[contest_id] = ContestCounts(
            sum(statuses[status] for status in ProposalStatus.IN_COMPETITION),
            statuses[ProposalStatus.DRAFT])
    return counts


SORTABLE = {
    "reference": Proposal.reference, "title": Proposal.title, "theme": Proposal.theme_id,
    "organization": Proposal.organization, "status": Proposal.status,
    "submitted": Proposal.submitted_at, "budget": Proposal.budget_total,
}
SORTED_BY_PINYIN = {"title", "organization"}   # Chinese text, in the order its readers expect
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


class TableRow(NamedTuple):
    """A row of the proposal table: the few columns it shows, and its review progress."""

    id: int
    reference: str | None
    title: str
    theme: object
    organization: str | None
    status: str
    budget_total: object
    assigned: int
    reviewed: int


def _progress_columns():
    """A proposal's assignments and submitted reviews, as correlated counts."""
    assigned = (db.select(func.count(Assignment.id))
                .filter(Assignment.proposal_id == Proposal.id).scalar_subquery())
    reviewed = (db.select(func.count(Review.id)).join(Assignment)
                .filter(Assignment.proposal_id == Proposal.id, Review.submitted_at.is_not(None))
                .scalar_subquery())
    return assigned.label("assigned"), reviewed.label("reviewed")


def proposal_page(viewer, contest, wanted):
    """One page of the filtered, sorted proposal table, and the count per status: two
    statements whatever the page shows. A theme chair sees the proposals of their themes only.

    The page's ids are sorted first (an index or a sort of keys), then only their rows are
    read, with the columns the table shows: sorting whole rows read every proposal's texts.
    """
    conditions = wanted.conditions(contest) + policy.theme_filter(viewer, contest,
                                                                  Permission.SCREEN)
    counts = dict(db.session.execute(
        db.select(Proposal.status, func.count(Proposal.id)).filter(*conditions)
        .group_by(Proposal.status)).all())
    if wanted.status:
        conditions.append(Proposal.status == wanted.status)
    column = SORTABLE.get(wanted.sort, Proposal.reference)
    if wanted.sort in SORTED_BY_PINYIN:
        column = pinyin_ordered(column, db.engine)
    order = (column.desc() if wanted.descending else column.asc(), Proposal.id)
    themes = {theme.id: theme for theme in contest.themes}

    def fetch(offset, limit):
        shown = (db.select(Proposal.id).filter(*conditions).order_by(*order)
                 .limit(limit).offset(offset).subquery())
        rows = db.session.execute(
            db.select(Proposal.id, Proposal.reference, Proposal.title, Proposal.theme_id,
                      Proposal.organization, Proposal.status, Proposal.budget_total,
                      *_progress_columns())
            .join(shown, shown.c.id == Proposal.id).order_by(*order))
        return [TableRow(row.id, row.reference, row.title, themes.get(row.theme_id),
                         row.organization, row.status, row.budget_total, row.assigned,
                         row.reviewed) for row in rows]

    # The total is known from the counts per status: no count query.
    total = counts.get(wanted.status, 0) if wanted.status else sum(counts.values())
    bounds = PageBounds.of(total, wanted.page, PER_PAGE)
    return Page(fetch(bounds.offset, PER_PAGE), bounds.page, bounds.pages, total), counts


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
        name = judge_name(judge)
        reasons = found.reasons(proposal.id, judge.id)
        choices.append((judge.id, _l("%(judge)s — conflict of interest (%(reasons)s)",
                                     judge=name, reasons=reason_labels(reasons))
                        if reasons else name))
    return choices
