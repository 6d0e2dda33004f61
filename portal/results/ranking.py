"""A round's ranked list: reads the reviews, calls `portal.scoring`, caches the bootstrap."""
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.judging.conflicts import assess, contest_rows
from portal.models import (
    Assignment,
    AwardScope,
    Proposal,
    ProposalStatus,
    RankingSnapshot,
    Review,
    Score,
    User,
    utcnow,
)
from portal.scoring import (
    SUBMISSION_TIME,
    CriterionInput,
    ProposalInput,
    ReviewInput,
    bootstrap_ranking,
    compute_ranking,
)

DEFAULT_BOUNDARY = 10
LATER_ROUND_STATUSES = (ProposalStatus.ADVANCED, ProposalStatus.AWARDED)


@dataclass
class RoundRanking:
    """Everything the ranked list shows for one round."""

    contest_round: object
    result: object               # scoring.RankingResult
    proposals: dict              # id -> Proposal
    intervals: dict              # id -> interval dict (bootstrap), possibly empty
    boundary: int


def _round_proposals(contest, contest_round):
    statuses = ProposalStatus.IN_COMPETITION if contest_round.position == 1 \
        else LATER_ROUND_STATUSES
    return db.session.scalars(
        db.select(Proposal).filter(Proposal.contest_id == contest.id,
                                   Proposal.status.in_(statuses))
        .options(selectinload(Proposal.theme), selectinload(Proposal.entrant_type),
                 selectinload(Proposal.applicant))
        .order_by(Proposal.id)).all()


def _without_conflicted(contest, proposals, score_rows):
    """Drop the reviews of judges found conflicted after they scored (a review kept in a closed
    round, a conflict declared late): they never count in the ranking."""
    judge_ids = {row[2] for row in score_rows}
    if not judge_ids:
        return score_rows
    judges = db.session.scalars(db.select(User).filter(User.id.in_(judge_ids))).all()
    conflict_map = assess(proposals, judges, contest_rows(contest.id))
    return [row for row in score_rows if not conflict_map.conflicted(row[1], row[2])]


def _submitted_scores(contest_round):
    """(review id, proposal id, judge id, criterion id, value) of the round's submitted reviews."""
    return db.session.execute(
        db.select(Review.id, Assignment.proposal_id, Assignment.judge_id, Score.criterion_id,
                  Score.value)
        .join(Assignment, Review.assignment_id == Assignment.id)
        .join(Score, Score.review_id == Review.id)
        .filter(Assignment.round_id == contest_round.id, Review.submitted_at.is_not(None))
        .order_by(Review.id, Score.criterion_id)).all()


def _review_inputs(rows, proposal_ids):
    scores, owners = defaultdict(dict), {}
    for review_id, proposal_id, judge_id, criterion_id, value in rows:
        if proposal_id in proposal_ids:
            scores[review_id][criterion_id] = value
            owners[review_id] = (proposal_id, judge_id)
    return [ReviewInput(*owners[review_id], review_scores)
            for review_id, review_scores in sorted(scores.items())]


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


def ranking_boundary(contest):
    """Where 'statistically tied' is judged: the contest's setting, else its overall awards."""
    if contest.ranking_boundary:
        return contest.ranking_boundary
    overall = sum(tier.count for tier in contest.award_tiers if tier.scope == AwardScope.OVERALL)
    return overall or DEFAULT_BOUNDARY


def _inputs(contest, contest_round):
    proposals = _round_proposals(contest, contest_round)
    by_id = {proposal.id: proposal for proposal in proposals}
    score_rows = _without_conflicted(contest, proposals, _submitted_scores(contest_round))
    reviews = _review_inputs(score_rows, by_id)
    criteria = [CriterionInput(c.id, c.weight, c.scale_min, c.scale_max) for c in contest.criteria]
    proposal_inputs = [ProposalInput(p.id, theme=p.theme_id, submitted_at=p.submitted_at)
                       for p in proposals]
    return by_id, score_rows, reviews, criteria, proposal_inputs


def _fingerprint(contest, score_rows, proposal_ids, boundary):
    digest = hashlib.sha256()
    digest.update(json.dumps([contest.ranking_method, contest.tie_break, boundary,
                              [(c.id, str(c.weight)) for c in contest.criteria],
                              sorted(proposal_ids)], default=str).encode())
    for row in score_rows:
        digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def round_ranking(contest, contest_round=None, with_intervals=True):
    """The ranked list of a round (the current one by default); the bootstrap is cached."""
    contest_round = contest_round or contest.current_round
    by_id, score_rows, reviews, criteria, proposal_inputs = _inputs(contest, contest_round)
    keys = tie_break_keys(contest)
    result = compute_ranking(reviews, criteria, proposal_inputs, official=contest.ranking_method,
                             tie_break=keys)
    boundary = ranking_boundary(contest)
    intervals = {}
    if with_intervals and reviews:
        intervals = _cached_intervals(contest, contest_round, score_rows, by_id, boundary,
                                      lambda: bootstrap_ranking(
                                          reviews, criteria, proposal_inputs,
                                          official=contest.ranking_method, tie_break=keys,
                                          boundary=boundary))
    return RoundRanking(contest_round, result, by_id, intervals, boundary)


def _cached_intervals(contest, contest_round, score_rows, by_id, boundary, compute):
    fingerprint = _fingerprint(contest, score_rows, list(by_id), boundary)
    snapshot = db.session.scalar(db.select(RankingSnapshot).filter_by(round_id=contest_round.id))
    if snapshot is not None and snapshot.fingerprint == fingerprint:
        return {int(key): value for key, value in snapshot.payload["intervals"].items()}
    bootstrap = compute()
    intervals = {item.proposal_id: {
        "score_low": item.score_low, "score_high": item.score_high, "rank_low": item.rank_low,
        "rank_high": item.rank_high, "statistically_tied": item.statistically_tied}
        for item in bootstrap.intervals}
    payload = {"intervals": {str(key): value for key, value in intervals.items()},
               "replicates": bootstrap.replicates, "level": bootstrap.level}
    if snapshot is None:
        snapshot = RankingSnapshot(round_id=contest_round.id)
        db.session.add(snapshot)
    snapshot.fingerprint, snapshot.payload, snapshot.computed_at = fingerprint, payload, utcnow()
    db.session.flush()  # the view commits it: the next view reuses it until a score changes
    return intervals
