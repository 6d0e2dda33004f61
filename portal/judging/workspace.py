"""The judge's workspace: their assignments per contest with progress, counts per status,
deadlines, filters, one page of rows and the next proposal to score, in a bounded number of
queries whatever the number of assignments."""
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy.orm import joinedload

from portal.database import picked
from portal.extensions import db
from portal.models import Assignment, Conflict, Contest, JudgeMembership, LiveSession, \
    Proposal, ProposalStatus, Review, utcnow
from portal.pagination import Page, page_of
from portal.rules.conflicts import recorded_pairs
from portal.rules.contest import scoring_refusal

ROWS_PER_PAGE = 25
# A review's status as the judge sees it, in the order the counts are shown.
TODO, DRAFT, SUBMITTED = "todo", "draft", "submitted"
STATUSES = (TODO, DRAFT, SUBMITTED)


@dataclass(slots=True)
class AssignmentRow:
    """What the list shows of one assignment: never the applicant's identity."""

    id: int
    contest_id: int
    reference: str
    title: str
    theme: object
    round: object
    status: str


@dataclass
class ContestWork:
    contest: object
    rows: list = field(default_factory=list)     # the current page's rows of this contest
    matched: int = 0      # assignments that match the filters, on every page
    counts: dict = field(default_factory=dict)   # status -> assignments, after the theme filter
    scored: int = 0       # submitted reviews, before the filters
    total: int = 0        # assignments, before the filters
    next_assignment: object = None
    deadlines: list = field(default_factory=list)  # (round, refusal or None), rounds in use


@dataclass
class Workspace:
    contests: list
    pagination: Page     # the page of rows shown, over every contest


# Built once: SQLAlchemy then skips making the statement and its cache key on every request.
_ASSIGNED = (
    db.select(Proposal.contest_id, Assignment.id.label("assignment_id"), Assignment.round_id,
              Proposal.id.label("proposal_id"), Proposal.theme_id, Proposal.reference,
              Proposal.title,
              db.case((Review.id.is_(None), TODO), (Review.submitted_at.is_(None), DRAFT),
                      else_=SUBMITTED).label("status"))
    .join(Proposal, Proposal.id == Assignment.proposal_id)
    .outerjoin(Review, Review.assignment_id == Assignment.id)
    .filter(Assignment.judge_id == db.bindparam("judge_id"),
            Proposal.contest_id.in_(db.bindparam("contest_ids", expanding=True)),
            Proposal.status.in_(ProposalStatus.IN_COMPETITION))
    .order_by(Assignment.id))


# What _visible_rows reads of each row of _ASSIGNED, in this order.
_ROW_COLUMNS = ("assignment_id", "round_id", "proposal_id", "theme_id", "reference", "title",
                "status")


def _assigned_rows(judge_id, contest_ids):
    """contest id -> the judge's assignments to proposals in competition, as plain tuples
    of _ROW_COLUMNS."""
    rows = db.session.execute(
        _ASSIGNED, {"judge_id": judge_id, "contest_ids": contest_ids}).all()
    by_contest = {}
    for (contest_id,), row in zip(picked(rows, "contest_id"), picked(rows, *_ROW_COLUMNS)):
        by_contest.setdefault(contest_id, []).append(row)
    return by_contest


def _visible_rows(user, contest, rows, conflict_rows):
    """The AssignmentRows of the contest's rows, without those a conflict recorded for the pair
    closes (portal.rules.conflicts.closes_access: the same rule as opening one)."""
    themes = {theme.id: theme for theme in contest.themes}
    rounds = {round_.id: round_ for round_ in contest.rounds}
    closed = recorded_pairs(row for row in conflict_rows if row.contest_id == contest.id)
    return [AssignmentRow(assignment_id, contest.id, reference, title, themes.get(theme_id),
                          rounds[round_id], status)
            for assignment_id, round_id, proposal_id, theme_id, reference, title, status in rows
            if (proposal_id, user.id) not in closed]


def judge_workspace(user, theme_code=None, unscored_only=False, status=None, page=1, now=None):
    """The judge's contests (active memberships) with their assignments, conflicted ones left
    out, and the page `page` of those matching the filters (ROWS_PER_PAGE rows over every
    contest, by assignment); None when the user judges no contest."""
    now = now or utcnow()
    memberships = db.session.scalars(
        db.select(JudgeMembership).filter_by(user_id=user.id, active=True)
        .options(joinedload(JudgeMembership.contest).selectinload(Contest.themes),
                 joinedload(JudgeMembership.contest).selectinload(Contest.rounds))
        .order_by(JudgeMembership.contest_id)).all()
    if not memberships:
        return None
    contest_ids = [membership.contest_id for membership in memberships]
    assigned = _assigned_rows(user.id, contest_ids)
    conflict_rows = db.session.scalars(db.select(Conflict).filter(
        Conflict.judge_id == user.id, Conflict.contest_id.in_(contest_ids))).all()
    contests, matching = [], []
    for membership in memberships:
        contest = membership.contest
        visible = _visible_rows(user, contest, assigned.get(contest.id, []), conflict_rows)
        themed = [row for row in visible if not theme_code
                  or (row.theme is not None and row.theme.code == theme_code)]
        shown = [row for row in themed if not (unscored_only and row.status == SUBMITTED)
                 and (status is None or row.status == status)]
        refusals = {round_.id: scoring_refusal(round_, now)
                    for round_ in {row.round for row in visible}}
        counts = Counter(row.status for row in themed)
        matching.extend(shown)
        contests.append(ContestWork(
            contest=contest, matched=len(shown),
            counts={key: counts[key] for key in STATUSES},
            scored=sum(1 for row in visible if row.status == SUBMITTED), total=len(visible),
            next_assignment=next((row for row in themed if row.status != SUBMITTED
                                  and refusals[row.round.id] is None), None),
            deadlines=[(round_, refusals[round_.id]) for round_ in contest.rounds
                       if round_.id in refusals]))
    pagination = page_of(matching, page, ROWS_PER_PAGE)
    for row in pagination.items:
        next(work for work in contests if work.contest.id == row.contest_id).rows.append(row)
    return Workspace(contests=contests, pagination=pagination)


def next_to_score(user, contest, after_id):
    """The judge's next assignment of `contest` still to submit whose round takes scores: the
    first after assignment `after_id` in the list's order, else the first before it; None when
    every other one is submitted (or its round is closed)."""
    rows = _visible_rows(user, contest, _assigned_rows(user.id, [contest.id]).get(contest.id, []),
                         db.session.scalars(db.select(Conflict).filter_by(
                             judge_id=user.id, contest_id=contest.id)).all())
    now = utcnow()
    open_rounds = {round_.id for round_ in contest.rounds if scoring_refusal(round_, now) is None}
    waiting = [row for row in rows if row.id != after_id and row.status != SUBMITTED
               and row.round.id in open_rounds]
    return next((row for row in waiting if row.id > after_id), waiting[0] if waiting else None)


def live_sessions(contests):
    """Contest id -> the id of its pitch-day session, for the contests given (one query)."""
    ids = [contest.id for contest in contests]
    if not ids:
        return {}
    return dict(db.session.execute(db.select(LiveSession.contest_id, LiveSession.id)
                                   .filter(LiveSession.contest_id.in_(ids))).all())
