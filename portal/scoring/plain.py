"""The plain method: a proposal's score is the mean of its review totals.

A review's total is the weighted mean of its criterion scores, sum(weight × score) / sum(weight).
Arithmetic is exact (fractions), so that two proposals with the same scores always tie.

Ranks are "competition" ranks (1, 2, 2, 4): proposals with equal scores share a rank and are
flagged as tied; within a tie, rows are listed by proposal id so that the order is deterministic
but carries no meaning. Proposals without any review are listed last, with no score and no rank.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Hashable, Mapping


@dataclass(frozen=True)
class ReviewInput:
    """One judge's submitted scores on one proposal: criterion -> score."""

    proposal_id: Hashable
    judge_id: Hashable
    scores: Mapping[Hashable, object]


@dataclass
class RankedRow:
    proposal_id: Hashable
    review_count: int
    score: Fraction | None
    review_totals: list = field(default_factory=list)
    rank: int | None = None
    tied: bool = False


def weighted_mean(values, weights):
    """sum(weight × value) / sum(weight), the one formula of a review's total: over plain
    numbers (Fractions keep it exact), or over a NumPy matrix with a column per weight (one
    mean per row, as portal.scoring.table computes every review's total at once)."""
    if hasattr(values, "ndim"):
        return values @ weights / weights.sum()
    return sum(weight * value for weight, value in zip(weights, values)) / sum(weights)


def review_total(scores, weights):
    """Weighted mean of a review's scores over every weighted criterion.

    Raises ValueError when a criterion has no score or the weights are not positive.
    """
    exact_weights = [Fraction(str(weight)) for weight in weights.values()]
    if sum(exact_weights) <= 0:
        raise ValueError("the weights must add up to a positive number")
    for criterion in weights:
        if criterion not in scores or scores[criterion] is None:
            raise ValueError(f"criterion {criterion!r} has no score")
    return weighted_mean([Fraction(str(scores[criterion])) for criterion in weights],
                         exact_weights)


def _assign_ranks(rows):
    """Sort rows by score (highest first) and give competition ranks; mutates and returns rows."""
    scored = sorted((row for row in rows if row.score is not None),
                    key=lambda row: (-row.score, row.proposal_id))
    unscored = sorted((row for row in rows if row.score is None),
                      key=lambda row: row.proposal_id)
    counts = defaultdict(int)
    for row in scored:
        counts[row.score] += 1
    previous_score, previous_rank = None, 0
    for position, row in enumerate(scored, start=1):
        row.rank = previous_rank if row.score == previous_score else position
        row.tied = counts[row.score] > 1
        previous_score, previous_rank = row.score, row.rank
    for row in unscored:
        row.rank, row.tied = None, False
    return scored + unscored


def rank_proposals(proposal_ids, reviews, weights):
    """Rank every proposal in `proposal_ids` from its `reviews` (ReviewInput), highest first."""
    totals = defaultdict(list)
    for review in reviews:
        totals[review.proposal_id].append(review_total(review.scores, weights))
    rows = []
    for proposal_id in proposal_ids:
        review_totals = totals.get(proposal_id, [])
        score = sum(review_totals, Fraction(0)) / len(review_totals) if review_totals else None
        rows.append(RankedRow(proposal_id, len(review_totals), score, review_totals))
    return _assign_ranks(rows)


def rank_by_group(rows, group_of):
    """Ranks within groups (e.g. themes): group key -> freshly ranked copies of the rows."""
    groups = defaultdict(list)
    for row in rows:
        groups[group_of(row.proposal_id)].append(
            RankedRow(row.proposal_id, row.review_count, row.score, list(row.review_totals)))
    return {key: _assign_ranks(members) for key, members in groups.items()}
