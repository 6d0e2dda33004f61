"""A round's ranked list: reads the reviews, calls `portal.scoring`, stores the uncertainty."""
import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from portal.database import picked, write_beside_request
from portal.extensions import db
from portal.generations import LatestComputations
from portal.models import (
    Assignment,
    AwardScope,
    Proposal,
    LiveSession,
    RankingSnapshot,
    Review,
    User,
    utcnow,
)
from portal.rules.conflicts import assess, contest_rows
from portal.rules.contest import round_statuses
from portal.rules.criteria import kind_of
from portal.rules.scores import with_score_columns
from portal.scoring import (
    SUBMISSION_TIME,
    CriterionInput,
    ProposalInput,
    compute_ranking,
    rank_uncertainty,
)
from portal.results.generation import collection_paused, current_generation, note_long_lived
from portal.scoring.live import RULE_METHODS
from portal.scoring.table import ReviewArrays

DEFAULT_BOUNDARY = 10
# Changes when the stored uncertainty figures change meaning: older snapshots are recomputed.
UNCERTAINTY_VERSION = "posterior-1"
UPSERTS = {"sqlite": sqlite_insert, "postgresql": postgresql_insert}


@dataclass
class RoundRanking:
    """Everything the ranked list shows for one round."""

    contest_round: object
    result: object               # scoring.RankingResult
    proposals: dict              # id -> Proposal
    intervals: dict              # id -> interval dict (uncertainty), possibly empty
    boundary: int
    facts: dict = field(default_factory=dict)   # id -> row: theme, entrant type, reference
    planned: dict = field(default_factory=dict)     # id -> reviews planned (assignments)
    incomplete: dict = field(default_factory=dict)  # id -> reviews left out: a score missing
    # The scores' version (None without reviews), and whether `intervals` are of an older one
    # while a job computes the current ones (portal.results.intervals).
    fingerprint: str | None = None
    recomputing: bool = False

    @property
    def flagged_count(self):
        return sum(1 for interval in self.intervals.values() if interval.get("flagged"))

    @property
    def connected(self):
        """Whether one judge/proposal component holds every review: themes comparable."""
        return self.result.component_count <= 1

    def under_reviewed(self, row):
        """Fewer submitted reviews than planned."""
        return row.review_count < self.planned.get(row.proposal_id, 0)

    def within_themes(self, themes):
        """The ranking restricted to the proposals of these theme ids (a theme chair's), ranks
        unchanged; None keeps everything. Judge statistics and outlier reviews span themes,
        so the restricted ranking holds none."""
        if themes is None:
            return self
        kept = {pid for pid, fact in self.facts.items() if fact.theme_id in themes}
        rows = [row for row in self.result.rows if row.proposal_id in kept]
        return replace(self, result=replace(self.result, rows=rows, judges=[], outliers=[]),
                       intervals={pid: v for pid, v in self.intervals.items() if pid in kept},
                       incomplete={pid: v for pid, v in self.incomplete.items() if pid in kept})


def _round_conditions(contest, contest_round):
    return (Proposal.contest_id == contest.id,
            Proposal.status.in_(round_statuses(contest_round)))


class RoundFact(NamedTuple):
    """What the ranking needs of one proposal of the round: ids, theme, submission time, what
    the conflict rules read of the proposal and its applicant, and what the ranking's downloads
    show (reference, title, entrant type, organization)."""

    id: int
    theme_id: int | None
    entrant_type_id: int | None
    reference: str | None
    title: str
    submitted_at: object          # aware UTC datetime, or None
    organization: str | None
    contact_email: str | None
    applicant_email: str | None
    applicant_organization: str | None


_FACT_COLUMNS = (Proposal.id, Proposal.theme_id, Proposal.entrant_type_id, Proposal.reference,
                 Proposal.title, Proposal.submitted_at, Proposal.organization,
                 Proposal.contact_email, User.email, User.organization)


def _round_facts(contest, contest_round):
    """The round's proposals as RoundFact rows, by id: read as the driver's tuples and made
    named tuples directly (10,000 ORM objects cost several times the rest of the computation,
    and SQLAlchemy's result rows for them as much as the query), the submission time converted
    by its column's own type."""
    connection = db.session.connection()
    result = connection.execute(
        db.select(*_FACT_COLUMNS)
        .outerjoin(User, User.id == Proposal.applicant_id)
        .filter(*_round_conditions(contest, contest_round))
        .order_by(Proposal.id))
    with result:
        rows = result.cursor.fetchall()
    dialect = connection.dialect
    moment = Proposal.submitted_at.type.dialect_impl(dialect).result_processor(dialect, None)
    make = RoundFact._make
    if moment is None:
        return [make(row) for row in rows]
    return [make((*row[:5], moment(row[5]), *row[6:])) for row in rows]


class RoundProposals(Mapping):
    """Proposal id -> Proposal (theme and entrant type loaded) of the round's proposals.

    The objects are read when first asked for, all of them in one query: the pages read the
    ranking's plain rows, so only exports and the award rules need the objects.
    """

    def __init__(self, ids, conditions):
        self._ids, self._id_set, self._conditions = ids, set(ids), conditions
        self._loaded, self._complete = {}, False

    def _read(self):
        for proposal in db.session.scalars(
                db.select(Proposal).filter(*self._conditions)
                .options(selectinload(Proposal.theme), selectinload(Proposal.entrant_type))):
            if proposal.id in self._id_set:
                self._loaded[proposal.id] = proposal

    def __getitem__(self, proposal_id):
        if proposal_id not in self._loaded and proposal_id in self._id_set \
                and not self._complete:
            self._read()
            self._complete = True
        return self._loaded[proposal_id]

    def __iter__(self):
        return iter(self._ids)

    def __len__(self):
        return len(self._ids)

    def __contains__(self, proposal_id):
        return proposal_id in self._id_set


class _ApplicantView(NamedTuple):
    email: str
    organization: str | None


class _ProposalView(NamedTuple):
    """What rules.conflicts.assess reads of a proposal and its applicant (a named tuple: a
    SimpleNamespace for each of 10,000 proposals took a tenth of the ranking's time)."""

    id: int
    organization: str | None
    contact_email: str | None
    applicant: _ApplicantView | None


def _conflict_views(facts):
    """The _ProposalView of each of _round_facts' rows."""
    return [_ProposalView(proposal_id, organization, contact_email,
                          None if applicant_email is None
                          else _ApplicantView(applicant_email, applicant_organization))
            for proposal_id, organization, contact_email, applicant_email, applicant_organization
            in picked(facts, "id", "organization", "contact_email", "applicant_email",
                      "applicant_organization")]


def _without_conflicted(contest, facts, reviews):
    """Drop the reviews of judges found conflicted after they scored (a review kept in a closed
    round, a conflict declared late): they never count in the ranking."""
    judge_ids = set(reviews.judge_ids.tolist())
    if not judge_ids:
        return reviews
    judges = db.session.scalars(db.select(User).filter(User.id.in_(judge_ids))).all()
    conflict_map = assess(_conflict_views(facts), judges,
                          contest_rows(contest.id))
    return reviews.without(set(conflict_map.standing))


def _planned_reviews(contest_round):
    """Proposal id -> the number of its assignments in the round (the reviews planned)."""
    return dict(db.session.execute(
        db.select(Assignment.proposal_id, db.func.count())
        .filter(Assignment.round_id == contest_round.id)
        .group_by(Assignment.proposal_id)).all())


def _complete_only(reviews):
    """(the reviews with a score on every criterion, proposal id -> reviews left out).

    A criterion added after scoring leaves the earlier reviews without its score: they are left
    out of the ranking until their judges complete them, and the ranking names the proposals."""
    missing = np.isnan(reviews.scores).any(axis=1)
    if not missing.any():
        return reviews, {}
    left_out = dict(Counter(reviews.proposal_ids[missing].tolist()))
    kept = ~missing
    return ReviewArrays(reviews.proposal_ids[kept], reviews.judge_ids[kept],
                        reviews.scores[kept]), left_out


def _submitted_reviews(contest, contest_round):
    """The round's submitted reviews as ReviewArrays (one row per review, the contest's
    criteria as columns). The scores come as floats (the engine computes in floats), one row
    per review (rules.scores), unsorted, as plain rows: ordering 50,000 rows, or making Decimal
    and ORM rows of them, costs several times the rest of the computation."""
    result = db.session.connection().execute(with_score_columns(
        db.select(Review.id, Assignment.proposal_id, Assignment.judge_id)
        .join(Assignment, Review.assignment_id == Assignment.id)
        .filter(Assignment.round_id == contest_round.id, Review.submitted_at.is_not(None)),
        contest.criteria))
    # The driver's own tuples (numbers only, nothing to convert): SQLAlchemy's row objects for
    # 50,000 reviews took as long as the query.
    with result:
        rows = result.cursor.fetchall()
    return ReviewArrays.from_review_rows(rows, len(contest.criteria))


def tie_break_keys(contest):
    """The contest's tie-break order as the engine's keys (criterion ids, SUBMISSION_TIME)."""
    by_code = {criterion.code: criterion.id for criterion in contest.criteria}
    keys = []
    for code in contest.tie_break or []:
        if code == SUBMISSION_TIME:
            keys.append(SUBMISSION_TIME)
        elif code in by_code:
            keys.append(by_code[code])
    return keys


def official_method(contest, contest_round):
    """The method a round is ranked with: a live final's rule when it names one (mean or
    trimmed mean), else the contest's official method."""
    rule = db.session.scalar(db.select(LiveSession.rule).filter_by(round_id=contest_round.id))
    return RULE_METHODS.get(rule, contest.ranking_method)


def ranking_boundary(contest):
    """Where 'statistically tied' is judged: the contest's setting, else its overall awards."""
    if contest.ranking_boundary:
        return contest.ranking_boundary
    overall = sum(tier.count for tier in contest.award_tiers if tier.scope == AwardScope.OVERALL)
    return overall or DEFAULT_BOUNDARY


@collection_paused()
def _inputs(contest, contest_round):
    facts = _round_facts(contest, contest_round)
    proposals = RoundProposals([fact.id for fact in facts],
                               _round_conditions(contest, contest_round))
    reviews, incomplete = _complete_only(
        _without_conflicted(contest, facts, _submitted_reviews(contest, contest_round)))
    criteria = [CriterionInput(c.id, c.weight, *kind_of(c).bounds(c)) for c in contest.criteria]
    proposal_inputs = [ProposalInput(fact.id, theme=fact.theme_id, submitted_at=fact.submitted_at)
                       for fact in facts]
    return proposals, reviews, criteria, proposal_inputs, facts, incomplete


def _fingerprint(contest, reviews, proposal_ids, boundary, planned):
    digest = hashlib.sha256()
    digest.update(json.dumps([UNCERTAINTY_VERSION, contest.tie_break, boundary,
                              [(c.id, str(c.weight)) for c in contest.criteria],
                              sorted(proposal_ids), sorted(planned.items())],
                             default=str).encode())
    for array in (reviews.proposal_ids, reviews.judge_ids, reviews.scores):
        digest.update(array.tobytes())   # rows in review id order
    return digest.hexdigest()


@dataclass(frozen=True)
class _Computed:
    """What a ranking computed for a round, without database objects: kept between requests."""

    result: object
    proposal_ids: list
    facts: dict
    intervals: dict | None    # None: computed without the uncertainty figures
    boundary: int
    planned: dict
    incomplete: dict
    fingerprint: str | None


# Per process, keyed by database, round and generation (portal.results.generation): a few
# rounds' rankings, each a few MB at 10,000 proposals.
_computed = LatestComputations(size=4)


# The stored uncertainty figures, parsed, by database, round and fingerprint: a snapshot's
# payload is 8 ms of JSON at 10,000 proposals, which the ranked list read on every view. For one
# fingerprint (the hash of the inputs and UNCERTAINTY_VERSION; the draws are seeded) the figures
# never change, so once they are parsed only the fingerprint is read.
_parsed_snapshots = LatestComputations(size=8)


def forget_computed_rankings():
    _computed.clear()
    _parsed_snapshots.clear()


def round_ranking(contest, contest_round=None, with_intervals=True):
    """The ranked list of a round (the current one by default); the ranking is computed once
    per change of its inputs, the uncertainty figures once per change of the scores."""
    contest_round = contest_round or contest.current_round
    generation = current_generation()
    key = None if generation is None else (str(db.engine.url), contest_round.id, generation)
    computed = _computed.get(key) if key else None
    if computed is None or (with_intervals and computed.intervals is None):
        computed = _compute(contest, contest_round, with_intervals)
        if key:
            _computed.put(key, computed)
            note_long_lived()
    proposals = RoundProposals(computed.proposal_ids, _round_conditions(contest, contest_round))
    return RoundRanking(contest_round, computed.result, proposals,
                        computed.intervals or {} if with_intervals else {},
                        computed.boundary, computed.facts, computed.planned,
                        computed.incomplete, computed.fingerprint)


@collection_paused()
def _compute(contest, contest_round, with_intervals):
    by_id, reviews, criteria, proposal_inputs, facts, incomplete = _inputs(contest,
                                                                           contest_round)
    keys = tie_break_keys(contest)
    result = compute_ranking(reviews, criteria, proposal_inputs,
                             official=official_method(contest, contest_round), tie_break=keys)
    boundary = ranking_boundary(contest)
    planned = {proposal_id: count for proposal_id, count in _planned_reviews(contest_round).items()
               if proposal_id in by_id}
    intervals = None
    fingerprint = _fingerprint(contest, reviews, list(by_id), boundary, planned) \
        if len(reviews) else None
    if with_intervals:
        intervals = {}
        if len(reviews):
            intervals = _cached_intervals(contest_round, fingerprint, lambda: rank_uncertainty(
                reviews, criteria, proposal_inputs, boundary=boundary, planned=planned))
    return _Computed(result, list(by_id), {fact.id: fact for fact in facts}, intervals,
                     boundary, planned, incomplete, fingerprint)


def ranking_within_themes(contest, contest_round, themes):
    """The round computed as if it held only the proposals of these theme ids (a theme
    chair's judge statistics): each judge's count, mean, spread and bias, the agreement and
    the outlier reviews come from those themes' reviews alone. Not kept between requests."""
    _proposals, reviews, criteria, proposal_inputs, facts, _incomplete = _inputs(
        contest, contest_round)
    kept = [item for item in proposal_inputs if item.theme in themes]
    result = compute_ranking(reviews.of_proposals(item.proposal_id for item in kept), criteria,
                             kept, official=official_method(contest, contest_round),
                             tie_break=tie_break_keys(contest))
    return RoundRanking(contest_round, result, {}, {}, ranking_boundary(contest),
                        {fact.id: fact for fact in facts if fact.theme_id in themes})


def stored_intervals(round_id, connection=None, wanted=None):
    """The round's last stored uncertainty figures: (fingerprint, {proposal id: interval}), or
    None; with `wanted` (a fingerprint), None unless they are that fingerprint's. The figures
    are shared by the requests of the process (read them, never change them). `connection`:
    read there (what other sessions committed since this one began)."""
    reader = connection or db.session
    fingerprint = reader.execute(db.select(RankingSnapshot.fingerprint)
                                 .filter_by(round_id=round_id)).scalar()
    if fingerprint is None or wanted not in (None, fingerprint):
        return None
    key = _snapshot_key(round_id, fingerprint)
    intervals = _parsed_snapshots.get(key)
    if intervals is None:
        payload = reader.execute(db.select(RankingSnapshot.payload).filter_by(
            round_id=round_id, fingerprint=fingerprint)).scalar()
        if payload is None:   # replaced since the fingerprint was read
            return stored_intervals(round_id, connection, wanted)
        intervals = {int(proposal_id): figures
                     for proposal_id, figures in payload["intervals"].items()}
        _parsed_snapshots.put(key, intervals)
    return fingerprint, intervals


def _snapshot_key(round_id, fingerprint):
    return str(db.engine.url), round_id, fingerprint


def _cached_intervals(contest_round, fingerprint, compute):
    stored = stored_intervals(contest_round.id, wanted=fingerprint)
    if stored is not None:
        return stored[1]
    uncertainty = compute()
    # "statistically_tied" is the flag under the name the awards preview reads.
    intervals = {item.proposal_id: {
        "score_low": item.score_low, "score_high": item.score_high, "rank_low": item.rank_low,
        "rank_high": item.rank_high, "inside_probability": item.inside_probability,
        "flagged": item.flagged, "statistically_tied": item.flagged}
        for item in uncertainty.proposals}
    payload = {"intervals": {str(key): value for key, value in intervals.items()},
               "draws": uncertainty.draws, "level": uncertainty.level}
    write_beside_request(lambda connection: _store_snapshot(
        connection, contest_round.id, fingerprint, payload))
    _parsed_snapshots.put(_snapshot_key(contest_round.id, fingerprint), intervals)
    return intervals


def _store_snapshot(connection, round_id, fingerprint, payload):
    """Insert or replace the round's snapshot in one statement (both engines have upserts)."""
    insert = UPSERTS[connection.dialect.name]
    values = {"fingerprint": fingerprint, "payload": payload, "computed_at": utcnow()}
    statement = insert(RankingSnapshot.__table__).values(round_id=round_id, **values)
    connection.execute(statement.on_conflict_do_update(index_elements=["round_id"],
                                                       set_=values))
