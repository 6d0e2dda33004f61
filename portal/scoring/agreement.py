"""Agreement between judges (ICC(2,1), ICC(3,1), Kendall's W) and outlier reviews."""
from dataclasses import dataclass
from typing import Hashable

import numpy as np

from portal.scoring.methods import reviewed_groups

NO_COMPLETE_BLOCK = "no_complete_block"
NO_VARIANCE = "no_variance"
# Fewer proposals than this say next to nothing about agreement.
MIN_BLOCK_PROPOSALS = 3

# Outlier rule: far from the other judges' mean in points AND in robust z (Iglewicz & Hoaglin).
OUTLIER_GAP_PER_NINE_POINTS = 2.5   # 2.5 on a 1-10 scale, in proportion on other scales
OUTLIER_ROBUST_Z = 3.5
OUTLIER_MIN_REVIEWS = 3             # with two reviews, neither is "the" odd one out


# Readings of ICC(2,1), after Koo & Li (2016), "A guideline of selecting and reporting intraclass
# correlation coefficients": below 0.5 poor, 0.5-0.75 moderate, 0.75-0.9 good, above excellent.
AGREEMENT_LEVELS = ((0.9, "excellent"), (0.75, "good"), (0.5, "moderate"))


def agreement_level(icc_2_1):
    """"excellent", "good", "moderate" or "poor" for an ICC(2,1); None without one."""
    if icc_2_1 is None:
        return None
    return next((level for floor, level in AGREEMENT_LEVELS if icc_2_1 >= floor), "poor")


@dataclass(frozen=True)
class Agreement:
    icc_2_1: float | None       # two-way random, absolute agreement, single rater
    icc_3_1: float | None       # two-way mixed, consistency, single rater
    kendall_w: float | None     # tie-corrected
    proposal_count: int         # proposals in the block the figures describe
    judge_ids: tuple            # judges of that block
    reason: str | None = None   # NO_COMPLETE_BLOCK or NO_VARIANCE when a figure is None


@dataclass(frozen=True)
class OutlierReview:
    proposal_id: Hashable
    judge_id: Hashable
    total: float
    others_mean: float   # mean total of the proposal's other reviews
    gap: float           # total - others_mean
    robust_z: float      # 0.6745 × (gap - median gap) / MAD of gaps over the round


def icc(ratings):
    """(ICC(2,1), ICC(3,1)) of a complete targets × judges matrix (Shrout & Fleiss 1979).

    Either is None when its denominator is zero (no variance at all).
    """
    ratings = np.asarray(ratings, dtype=float)
    targets, judges = ratings.shape
    grand = ratings.mean()
    between_targets = judges * ((ratings.mean(axis=1) - grand) ** 2).sum() / (targets - 1)
    judge_squares = targets * ((ratings.mean(axis=0) - grand) ** 2).sum()
    residual_squares = ((ratings - grand) ** 2).sum() \
        - between_targets * (targets - 1) - judge_squares
    between_judges = judge_squares / (judges - 1)
    error = residual_squares / ((targets - 1) * (judges - 1))
    consistency = between_targets + (judges - 1) * error
    absolute = consistency + judges * (between_judges - error) / targets
    return (_ratio(between_targets - error, absolute),
            _ratio(between_targets - error, consistency))


def kendall_w(ratings):
    """Kendall's coefficient of concordance, tie-corrected, of a targets × judges matrix."""
    ratings = np.asarray(ratings, dtype=float)
    targets, judges = ratings.shape
    rank_sums, ties = np.zeros(targets), 0.0
    for column in ratings.T:
        ranks, tie_sizes = _average_ranks(column)
        rank_sums += ranks
        ties += float((tie_sizes ** 3 - tie_sizes).sum())
    spread = ((rank_sums - rank_sums.mean()) ** 2).sum()
    return _ratio(12 * spread, judges ** 2 * (targets ** 3 - targets) - judges * ties)


def _average_ranks(values):
    """Ranks from 1 (lowest), equal values sharing their mean rank; and the sizes of the ties."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    new_value = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    starts = np.flatnonzero(new_value)
    sizes = np.diff(np.append(starts, len(values)))
    ranks = np.empty(len(values))
    ranks[order] = (starts + (sizes + 1) / 2)[np.cumsum(new_value) - 1]
    return ranks, sizes


def _ratio(numerator, denominator):
    return float(numerator / denominator) if abs(denominator) > 1e-12 else None


def agreement(table):
    """ICC(2,1), ICC(3,1) and Kendall's W of the round's largest complete block.

    ICC and W need a complete block: proposals all rated by the same judges. A round where every
    judge rates every proposal is one block. In an incomplete design (each proposal rated by a
    few judges of a pool) the figures describe the largest block, the set of judges whose common
    proposals give the most ratings (proposals × judges); other proposals do not count. Without
    a block of MIN_BLOCK_PROPOSALS proposals and two judges the figures are None, with the reason.
    """
    block = _largest_complete_block(table)
    if block is None:
        return Agreement(None, None, None, 0, (), NO_COMPLETE_BLOCK)
    proposals, judges = block
    first_review = table.group_starts[proposals]
    ratings = table.totals[first_review[:, np.newaxis] + np.arange(len(judges))]
    icc_2_1, icc_3_1 = icc(ratings)
    w = kendall_w(ratings)
    reason = NO_VARIANCE if None in (icc_2_1, icc_3_1, w) else None
    return Agreement(icc_2_1, icc_3_1, w, len(proposals),
                     tuple(table.judge_ids[judge] for judge in judges), reason)


def _largest_complete_block(table):
    """(proposal indices, judge indices) of the judge set with the most ratings, or None."""
    reviewed, starts, counts = reviewed_groups(table)
    judges = table.judge_index.tolist()
    blocks = {}
    for proposal, start, count in zip(reviewed.tolist(), starts.tolist(), counts.tolist()):
        blocks.setdefault(tuple(judges[start:start + count]), []).append(proposal)
    candidates = [(len(members) * len(panel), len(members), panel, members)
                  for panel, members in blocks.items()
                  if len(panel) > 1 and len(members) >= MIN_BLOCK_PROPOSALS]
    if not candidates:
        return None
    # max() keeps the first of equals; blocks are met in proposal order, so this is deterministic
    _, _, panel, members = max(candidates, key=lambda candidate: candidate[:2])
    return np.array(members), np.array(panel)


def outlier_reviews(table):
    """Reviews far from the other judges' reviews of the same proposal.

    A review of a proposal with OUTLIER_MIN_REVIEWS or more reviews is an outlier when
    |total - mean of the others| exceeds OUTLIER_GAP_PER_NINE_POINTS (scaled to the totals'
    span) and its robust z, 0.6745 × (gap - median) / MAD over all such gaps of the round,
    exceeds OUTLIER_ROBUST_Z. With MAD = 0 any gap off the median counts as beyond the z bound.
    """
    counts = table.review_counts[table.proposal_index]
    eligible = np.flatnonzero(counts >= OUTLIER_MIN_REVIEWS)
    if not len(eligible):
        return []
    totals = table.totals[eligible]
    sums = np.bincount(table.proposal_index, table.totals, minlength=len(table.proposals))
    others_mean = (sums[table.proposal_index[eligible]] - totals) / (counts[eligible] - 1)
    gap = totals - others_mean
    deviation = gap - np.median(gap)
    mad = np.median(np.abs(deviation))
    with np.errstate(divide="ignore", invalid="ignore"):
        robust_z = np.where(deviation == 0, 0.0, 0.6745 * deviation / mad)
    low, high = table.scale
    far = (np.abs(gap) > OUTLIER_GAP_PER_NINE_POINTS * (high - low) / 9) \
        & (np.abs(robust_z) > OUTLIER_ROBUST_Z)
    return [OutlierReview(table.proposals[table.proposal_index[review]].proposal_id,
                          table.judge_ids[table.judge_index[review]],
                          float(table.totals[review]), float(others_mean[at]), float(gap[at]),
                          float(robust_z[at]))
            for at, review in zip(np.flatnonzero(far).tolist(), eligible[far].tolist())]
