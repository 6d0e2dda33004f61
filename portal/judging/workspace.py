"""The judge's workspace: their assignments per contest with progress, counts per status,
deadlines, filters, one page of rows and the next proposal to score, in a bounded number of
queries whatever the number of assignments.

The database does the work: the counts come grouped (contest, round, theme, status) with the
first assignment of each group, and only the page's rows are read (LIMIT/OFFSET), so a judge with
hundreds of assignments costs what one with a page of them does."""
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.i18n import current_locale, part_names
from portal.models import Assignment, Contest, JudgeMembership, LiveSession, Proposal, \
    ProposalStatus, Review, utcnow
from portal.pagination import Page, PageBounds
from portal.rules.conflicts import closing_conflict
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
    theme_name: str
    round_name: str
    status: str


@dataclass
class ContestWork:
    contest: object
    rows: list = field(default_factory=list)     # the current page's rows of this contest
    matched: int = 0      # assignments that match the filters, on every page
    counts: dict = field(default_factory=dict)   # status -> assignments, after the theme filter
    scored: int = 0       # submitted reviews, before the filters
    total: int = 0        # assignments, before the filters
    next_assignment_id: int = None   # the first still to submit whose round takes scores
    deadlines: list = field(default_factory=list)  # (round, refusal or None), rounds in use
    live_session_id: int = None   # the contest's pitch-day session, the latest if several


@dataclass
class Workspace:
    contests: list
    pagination: Page     # the page of rows shown, over every contest
    themes: list         # the themes to filter by, one per code over every contest


# The status of an assignment's review. Its values are written into the SQL (not bound), so
# that the GROUP BY repeats the selected expression word for word, as PostgreSQL requires.
_STATUS = db.case((Review.id.is_(None), db.literal_column(f"'{TODO}'")),
                  (Review.submitted_at.is_(None), db.literal_column(f"'{DRAFT}'")),
                  else_=db.literal_column(f"'{SUBMITTED}'"))


def _assigned(*columns):
    """A select of `columns` over the judge's assignments (parameters judge_id, contest_ids) to
    proposals in competition, without those a conflict recorded for the pair closes (the rule
    of portal.rules.conflicts.closes_access)."""
    return (db.select(*columns).select_from(Assignment)
            .join(Proposal, Proposal.id == Assignment.proposal_id)
            .outerjoin(Review, Review.assignment_id == Assignment.id)
            .where(Assignment.judge_id == db.bindparam("judge_id"),
                   Proposal.contest_id.in_(db.bindparam("contest_ids", expanding=True)),
                   Proposal.status.in_(ProposalStatus.IN_COMPETITION),
                   ~closing_conflict(Assignment.judge_id, Proposal.id, Proposal.contest_id)))


# Statements built once: SQLAlchemy then skips making them and their cache keys per request.
_CONTESTS = (
    db.select(Contest, db.select(LiveSession.id).where(LiveSession.contest_id == Contest.id)
              .order_by(LiveSession.id.desc()).limit(1).scalar_subquery()
              .label("live_session_id"))
    .join(JudgeMembership, JudgeMembership.contest_id == Contest.id)
    .where(JudgeMembership.user_id == db.bindparam("user_id"), JudgeMembership.active)
    .options(selectinload(Contest.themes), selectinload(Contest.rounds))
    .order_by(Contest.id))

_GROUPS = (
    _assigned(Proposal.contest_id, Assignment.round_id, Proposal.theme_id,
              _STATUS.label("status"), db.func.count().label("assignments"),
              db.func.min(Assignment.id).label("first_id"))
    .group_by(Proposal.contest_id, Assignment.round_id, Proposal.theme_id, _STATUS))

_ROW_COLUMNS = (Assignment.id, Proposal.contest_id, Proposal.reference, Proposal.title,
                Proposal.theme_id, Assignment.round_id, _STATUS.label("status"))


@cache
def _page_statement(themed, status_given, unscored_only, one_contest):
    """The rows matching the filters in the list's order (contest, then assignment), from row
    `offset`, `limit` of them; parameters theme_ids and status when filtered. Within one
    contest the order is the assignments' own: the database then reads the judge's
    assignments in its index's order and stops at the page's end, instead of reading and
    sorting all of them. One statement per combination, built on first use."""
    statement = _assigned(*_ROW_COLUMNS)
    if themed:
        statement = statement.where(
            Proposal.theme_id.in_(db.bindparam("theme_ids", expanding=True)))
    if status_given:
        statement = statement.where(_STATUS == db.bindparam("status"))
    if unscored_only:
        statement = statement.where(_STATUS != SUBMITTED)
    order = (Assignment.id,) if one_contest else (Proposal.contest_id, Assignment.id)
    return (statement.order_by(*order)
            .limit(db.bindparam("limit")).offset(db.bindparam("offset")))


# The judge's next assignment of one contest still to submit, among rounds that take scores:
# the first after assignment after_id, else the first before it.
_NEXT = (_assigned(*_ROW_COLUMNS)
         .where(_STATUS != SUBMITTED, Assignment.id != db.bindparam("after_id"),
                Assignment.round_id.in_(db.bindparam("round_ids", expanding=True)))
         .order_by(db.case((Assignment.id < db.bindparam("after_id"), 1), else_=0),
                   Assignment.id)
         .limit(1))


class _Names:
    """The names of a contest's themes and rounds in the reader's language, found once."""

    def __init__(self, contests):
        locale = current_locale()
        self.themes = {}
        self.rounds = {}
        for contest in contests:
            self.themes.update(part_names(contest.themes, locale))
            self.rounds.update(part_names(contest.rounds, locale))

    def row(self, row):
        return AssignmentRow(row.id, row.contest_id, row.reference, row.title,
                             self.themes.get(row.theme_id, ""), self.rounds[row.round_id],
                             row.status)


def _open_round_ids(contest, now):
    """The ids of the contest's rounds that take scores at `now`."""
    return [round_.id for round_ in contest.rounds if scoring_refusal(round_, now) is None]


def _contest_work(contest, groups, theme_ids, status, unscored_only, now):
    """The contest's progress, counts, next to score and deadlines from its groups of
    assignments (theme_ids None: no theme filter)."""
    themed = [group for group in groups if theme_ids is None or group.theme_id in theme_ids]
    counts = dict.fromkeys(STATUSES, 0)
    for group in themed:
        counts[group.status] += group.assignments
    open_round_ids = _open_round_ids(contest, now)
    rounds_in_use = {group.round_id for group in groups}
    return ContestWork(
        contest=contest, counts=counts,
        matched=sum(count for key, count in counts.items()
                    if (status is None or key == status)
                    and not (unscored_only and key == SUBMITTED)),
        scored=sum(group.assignments for group in groups if group.status == SUBMITTED),
        total=sum(group.assignments for group in groups),
        next_assignment_id=min((group.first_id for group in themed
                                if group.status != SUBMITTED
                                and group.round_id in open_round_ids), default=None),
        deadlines=[(round_, scoring_refusal(round_, now)) for round_ in contest.rounds
                   if round_.id in rounds_in_use])


def _filter_themes(contests):
    """One theme per code over every contest, the first contest's first."""
    themes = {}
    for contest in contests:
        for theme in contest.themes:
            themes.setdefault(theme.code, theme)
    return list(themes.values())


def judge_workspace(user, theme_code=None, unscored_only=False, status=None, page=1, now=None):
    """The judge's contests (active memberships) with their assignments, conflicted ones left
    out, and the page `page` of those matching the filters (ROWS_PER_PAGE rows over every
    contest, by contest then assignment); None when the user judges no contest."""
    now = now or utcnow()
    found = db.session.execute(_CONTESTS, {"user_id": user.id}).all()
    if not found:
        return None
    contests = [row.Contest for row in found]
    contest_ids = [contest.id for contest in contests]
    theme_ids = None if not theme_code else {
        theme.id for contest in contests for theme in contest.themes if theme.code == theme_code}
    groups = {}
    for group in db.session.execute(_GROUPS, {"judge_id": user.id, "contest_ids": contest_ids}):
        groups.setdefault(group.contest_id, []).append(group)
    works = [_contest_work(contest, groups.get(contest.id, []), theme_ids, status,
                           unscored_only, now) for contest in contests]
    for work, row in zip(works, found):
        work.live_session_id = row.live_session_id
    matched = sum(work.matched for work in works)
    bounds = PageBounds.of(matched, page, ROWS_PER_PAGE)
    rows = _page_rows(user, works, theme_ids, status, unscored_only, bounds)
    by_contest = {work.contest.id: work for work in works}
    for row in rows:
        by_contest[row.contest_id].rows.append(row)
    return Workspace(contests=works, pagination=Page(rows, bounds.page, bounds.pages, matched),
                     themes=_filter_themes(contests))


def _page_rows(user, works, theme_ids, status, unscored_only, bounds):
    """The AssignmentRows of the page `bounds` of those matching the filters (one statement),
    read from the contests the page falls in only."""
    spanned, before, seen = [], 0, 0   # before: the rows of the contests before the page's
    for work in works:
        if work.matched and seen < bounds.offset + bounds.per_page \
                and seen + work.matched > bounds.offset:
            before = before if spanned else seen
            spanned.append(work)
        seen += work.matched
    spanned = spanned or works    # nothing matches: the same statement finds nothing
    parameters = {"judge_id": user.id, "contest_ids": [work.contest.id for work in spanned],
                  "limit": bounds.per_page, "offset": bounds.offset - before}
    if theme_ids is not None:
        parameters["theme_ids"] = list(theme_ids)
    if status is not None:
        parameters["status"] = status
    names = _Names([work.contest for work in spanned])
    statement = _page_statement(theme_ids is not None, status is not None, unscored_only,
                                len(spanned) == 1)
    return [names.row(row) for row in db.session.execute(statement, parameters)]


def next_to_score(user, contest, after_id):
    """The judge's next assignment of `contest` still to submit whose round takes scores: the
    first after assignment `after_id` in the list's order, else the first before it; None when
    every other one is submitted (or its round is closed)."""
    round_ids = _open_round_ids(contest, utcnow())
    if not round_ids:
        return None
    row = db.session.execute(_NEXT, {"judge_id": user.id, "contest_ids": [contest.id],
                                     "after_id": after_id, "round_ids": round_ids}).first()
    return None if row is None else _Names([contest]).row(row)
