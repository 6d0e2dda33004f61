"""A contest's dashboard figures, in a bounded number of queries."""
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import NamedTuple

from sqlalchemy import String, and_, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from portal.extensions import db
from portal.generations import LatestComputations
from portal.models import Assignment, Proposal, ProposalStatus, Review, Round
from portal.results.generation import current_generation

# China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact for
# every date the portal stores, and the same offset can be written in SQL for any database.
SHANGHAI_OFFSET_HOURS = 8
SHANGHAI = timezone(timedelta(hours=SHANGHAI_OFFSET_HOURS), "Asia/Shanghai")

# The statuses counted in the eligibility table, in the order of the check.
ELIGIBILITY_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.RETURNED,
                        ProposalStatus.ELIGIBLE, ProposalStatus.INELIGIBLE,
                        ProposalStatus.WITHDRAWN, ProposalStatus.ADVANCED, ProposalStatus.AWARDED)


class shanghai_date(FunctionElement):
    """SQL: the Asia/Shanghai calendar day, as 'YYYY-MM-DD', of a stored naive-UTC time."""

    type = String()
    inherit_cache = True


@compiles(shanghai_date, "sqlite")
def _shanghai_date_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+{SHANGHAI_OFFSET_HOURS} hours')"


@compiles(shanghai_date, "postgresql")
def _shanghai_date_postgresql(element, compiler, **kw):
    return (f"to_char({compiler.process(element.clauses, **kw)} "
            f"+ interval '{SHANGHAI_OFFSET_HOURS} hours', 'YYYY-MM-DD')")


def local_date(moment):
    return moment.astimezone(SHANGHAI).date()


class DayCount(NamedTuple):
    day: date
    submitted: int
    cumulative: int
    is_deadline: bool


class RoundProgress(NamedTuple):
    contest_round: object
    assigned: int
    reviewed: int

    @property
    def percent_done(self):
        return round(100 * self.reviewed / self.assigned) if self.assigned else None


@dataclass
class Dashboard:
    """Submitted proposals are every proposal out of draft, withdrawn ones included."""

    total: int
    by_theme: list
    by_entrant_type: list
    by_status: list
    by_day: list
    rounds: list


class _Counts(NamedTuple):
    """What the dashboard counts, as plain data (ids, statuses, days): kept between requests."""

    by_theme: Counter
    by_entrant_type: Counter
    by_status: Counter
    daily: dict
    rounds: dict


# Per process, keyed by database, contest and the generation of the ranking's inputs
# (portal.results.generation), which include every proposal, assignment and review: the counts
# are read again only after one of them changed.
_counted = LatestComputations(size=8)


def dashboard_for(contest, themes=None):
    """The contest's figures: three GROUP BY queries once per change of the proposals,
    assignments or reviews, plus the contest's themes, entrant types and rounds. With
    `themes` (a theme chair's theme ids), every figure counts those themes' proposals only
    and the other themes are not named."""
    generation = current_generation()
    scope = None if themes is None else tuple(sorted(themes))
    key = None if generation is None else (str(db.engine.url), contest.id, generation, scope)
    counts = _counted.get(key) if key else None
    if counts is None:
        counts = _count(contest, scope)
        if key:
            _counted.put(key, counts)
    entrant_types = [(entrant_type, counts.by_entrant_type[entrant_type.id])
                     for entrant_type in contest.entrant_types]
    if counts.by_entrant_type[None]:  # proposals submitted before entrant types were recorded
        entrant_types.append((None, counts.by_entrant_type[None]))
    by_status = counts.by_status
    return Dashboard(
        total=sum(by_status.values()),
        by_theme=[(theme, counts.by_theme[theme.id]) for theme in contest.themes
                  if scope is None or theme.id in scope],
        by_entrant_type=entrant_types,
        # A status added to the portal later still shows, after the known ones.
        by_status=[(status, by_status[status]) for status in
                   [*ELIGIBILITY_STATUSES, *sorted(set(by_status) - set(ELIGIBILITY_STATUSES))]],
        by_day=_submissions_by_day(contest, counts.daily),
        rounds=[RoundProgress(contest_round, *counts.rounds.get(contest_round.id, (0, 0)))
                for contest_round in contest.rounds],
    )


def _in_scope(scope):
    return [] if scope is None else [Proposal.theme_id.in_(scope)]


def _count(contest, scope):
    by_theme, by_entrant_type, by_status = Counter(), Counter(), Counter()
    for theme_id, entrant_type_id, status, number in db.session.execute(
            db.select(Proposal.theme_id, Proposal.entrant_type_id, Proposal.status,
                      func.count(Proposal.id))
            .filter(Proposal.contest_id == contest.id, Proposal.status != ProposalStatus.DRAFT,
                    *_in_scope(scope))
            .group_by(Proposal.theme_id, Proposal.entrant_type_id, Proposal.status)):
        by_theme[theme_id] += number
        by_entrant_type[entrant_type_id] += number
        by_status[status] += number
    day = shanghai_date(Proposal.submitted_at)
    daily = {date.fromisoformat(text): number for text, number in db.session.execute(
        db.select(day, func.count(Proposal.id))
        .filter(Proposal.contest_id == contest.id, Proposal.status != ProposalStatus.DRAFT,
                Proposal.submitted_at.is_not(None), *_in_scope(scope))
        .group_by(day))}
    return _Counts(by_theme, by_entrant_type, by_status, daily,
                   _judging_progress(contest, scope))


def _submissions_by_day(contest, daily):
    """Every day from the opening to the deadline (stretched to cover any submission)."""
    deadline = local_date(contest.submission_deadline)
    first = min([local_date(contest.opens_at), *daily])
    last = max([deadline, *daily])
    series, cumulative = [], 0
    for offset in range((last - first).days + 1):
        current = first + timedelta(days=offset)
        cumulative += daily.get(current, 0)
        series.append(DayCount(current, daily.get(current, 0), cumulative, current == deadline))
    return series


def _judging_progress(contest, scope=None):
    """round id -> (assignments, submitted reviews), on the proposals still in competition
    (and of the themes in `scope` unless None).

    A judge cannot review a withdrawn or ineligible proposal: it would never count as done.
    Read from the rounds' assignments (a round's proposals are its contest's), leaving out
    those of the proposals out of competition (usually few): joining every proposal instead
    read each one's row, most of the page's time at 10,000 proposals.
    """
    out_of_competition = db.select(Proposal.id).filter(
        Proposal.contest_id == contest.id, Proposal.status.not_in(ProposalStatus.IN_COMPETITION))
    return {round_id: (assigned, reviewed) for round_id, assigned, reviewed in db.session.execute(
        db.select(Assignment.round_id, func.count(Assignment.id), func.count(Review.id))
        .outerjoin(Review, and_(Review.assignment_id == Assignment.id,
                                Review.submitted_at.is_not(None)))
        .filter(Assignment.round_id.in_(db.select(Round.id).filter_by(contest_id=contest.id)),
                Assignment.proposal_id.not_in(out_of_competition),
                *([] if scope is None else [Assignment.proposal_id.in_(
                    db.select(Proposal.id).filter(Proposal.contest_id == contest.id,
                                                  *_in_scope(scope)))]))
        .group_by(Assignment.round_id))}
