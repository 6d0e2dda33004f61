"""Bootstrap intervals for the official score and rank; "statistically tied" across a boundary."""
from dataclasses import dataclass
from typing import Hashable

import numpy as np

from portal.scoring.engine import DEFAULT_OFFICIAL, rank_scores, tie_break_levels
from portal.scoring.methods import METHODS, fit_adjustments, method_scores, reviewed_groups
from portal.scoring.ranks import competition_ranks_by_row
from portal.scoring.table import build_table

DEFAULT_REPLICATES = 1000
# Replicates are drawn in chunks of about this many resampled reviews, to bound memory.
CHUNK_DRAWS = 2_000_000
# Replicate scores are compared after rounding, so that float noise makes no rank difference.
RANK_DECIMALS = 9


@dataclass(frozen=True)
class ProposalInterval:
    proposal_id: Hashable
    review_count: int
    score: float | None          # official score
    rank: int | None             # official overall rank
    score_low: float | None
    score_high: float | None
    rank_low: int | None         # best rank within the interval
    rank_high: int | None        # worst rank within the interval
    statistically_tied: bool     # its interval overlaps one on the other side of the boundary


@dataclass(frozen=True)
class BootstrapResult:
    method: str
    replicates: int
    seed: int
    level: float
    boundary: int | None         # e.g. 10 for "the top 10"
    intervals: list              # ProposalInterval, official order; proposals without reviews last


def bootstrap_ranking(reviews, criteria, proposals, official=DEFAULT_OFFICIAL, tie_break=(),
                      boundary=None, replicates=DEFAULT_REPLICATES, seed=0, level=0.95):
    """Percentile intervals (at `level`) of each proposal's official score and rank.

    Same inputs as engine.compute_ranking; run it once per change of scores. Each replicate
    resamples every proposal's reviews with replacement (as many as it has) and summarizes them
    with the official method. What the method fitted on the whole round (judges' means and
    spreads, judges' biases) is held fixed: the interval speaks of the proposal's own reviews.
    One review, or equal totals, give an interval of width zero: the bootstrap cannot see
    uncertainty that the reviews do not show. With `boundary` = k, a proposal ranked in the top
    k whose score interval overlaps that of a proposal ranked below k (or the other way round)
    is statistically tied. The same inputs and seed give the same result, in any order.
    """
    table = build_table(reviews, criteria, proposals)
    adjustments = fit_adjustments(table)
    method = METHODS[official]
    scores = method_scores(method, table, adjustments)
    ranking = rank_scores(scores, tie_break_levels(table, tie_break))
    reviewed, _, counts = reviewed_groups(table)
    samples = _replicate_scores(method, table, adjustments, replicates, seed)
    tail = (1 - level) / 2
    if len(reviewed):
        ranks = competition_ranks_by_row(np.round(samples, RANK_DECIMALS))
        score_low, score_high = np.quantile(samples, [tail, 1 - tail], axis=0)
        rank_low = np.quantile(ranks, tail, axis=0, method="lower")
        rank_high = np.quantile(ranks, 1 - tail, axis=0, method="higher")
    else:
        score_low = score_high = rank_low = rank_high = np.zeros(0)
    tied = _statistically_tied(ranking.rank[reviewed], score_low, score_high, boundary)
    position = {proposal: at for at, proposal in enumerate(reviewed.tolist())}
    intervals = []
    for proposal in ranking.order.tolist():
        proposal_id, at = table.proposals[proposal].proposal_id, position.get(proposal)
        if at is None:
            intervals.append(ProposalInterval(proposal_id, 0, *(None,) * 6, False))
            continue
        intervals.append(ProposalInterval(
            proposal_id, int(counts[at]), float(scores[proposal]), int(ranking.rank[proposal]),
            float(score_low[at]), float(score_high[at]), int(rank_low[at]), int(rank_high[at]),
            bool(tied[at])))
    return BootstrapResult(official, replicates, seed, level, boundary, intervals)


def _replicate_scores(method, table, adjustments, replicates, seed):
    """replicates × reviewed proposals: the method's score on resampled reviews."""
    rng = np.random.default_rng(seed)
    values = method.review_values(table, adjustments)
    _, starts, counts = reviewed_groups(table)
    first, size = np.repeat(starts, counts), np.repeat(counts, counts)
    samples = np.empty((replicates, len(starts)))
    chunk = max(1, CHUNK_DRAWS // max(len(values), 1))
    for begin in range(0, replicates, chunk):
        end = min(begin + chunk, replicates)
        draws = first + (rng.random((end - begin, len(values))) * size).astype(np.intp)
        samples[begin:end] = method.summarize(values[draws], table)
    return samples


def _statistically_tied(rank, low, high, boundary):
    """Ranked proposals whose interval overlaps one on the other side of rank `boundary`."""
    tied = np.zeros(len(rank), dtype=bool)
    if boundary is None:
        return tied
    inside = rank <= boundary
    tied[inside] = _overlaps_any(low[inside], high[inside], low[~inside], high[~inside])
    tied[~inside] = _overlaps_any(low[~inside], high[~inside], low[inside], high[inside])
    return tied


def _overlaps_any(low, high, other_low, other_high):
    """For each closed interval [low, high]: does it meet any of the other intervals?"""
    if not len(other_low):
        return np.zeros(len(low), dtype=bool)
    order = np.argsort(other_low, kind="stable")
    highest_so_far = np.maximum.accumulate(other_high[order])
    starting_before = np.searchsorted(other_low[order], high, side="right")
    return (starting_before > 0) & (highest_so_far[np.maximum(starting_before - 1, 0)] >= low)
