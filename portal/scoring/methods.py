"""The four ranking methods, each a value per review and a summary of each proposal's values."""
from dataclasses import dataclass
from typing import Callable

import numpy as np

from portal.scoring.bias_model import BiasFit, fit_judge_bias

# A proposal with at least this many reviews loses its highest and its lowest one.
TRIM_FROM = 5
# A judge with fewer reviews than this is not standardized: too few to estimate a mean and spread.
MIN_REVIEWS_TO_STANDARDIZE = 5
# A judge's spread is never taken below half a point on a 1-10 scale (in proportion on other
# scales): a judge who gave (nearly) the same total every time would otherwise turn a one-point
# difference into several.
SPREAD_FLOOR_PER_NINE_POINTS = 0.5

FEW_REVIEWS = "few_reviews"


@dataclass(frozen=True)
class JudgeSpread:
    """Per judge: review count, mean and sample sd of totals, why not standardized (or None)."""

    count: np.ndarray
    mean: np.ndarray
    sd: np.ndarray            # NaN with fewer than two reviews
    fallback_reason: tuple    # None, FEW_REVIEWS or NO_SPREAD

    @property
    def standardized(self):
        return np.array([reason is None for reason in self.fallback_reason], dtype=bool)


@dataclass(frozen=True)
class Adjustments:
    """What the methods need from the whole round, fitted once."""

    spread: JudgeSpread
    bias: BiasFit
    overall_mean: float   # of all review totals
    overall_sd: float     # sample sd of all review totals; 0 with fewer than two


def fit_adjustments(table):
    totals = table.totals
    overall_sd = float(totals.std(ddof=1)) if len(totals) > 1 else 0.0
    overall_mean = float(totals.mean()) if len(totals) else 0.0
    return Adjustments(judge_spread(table), fit_judge_bias(table), overall_mean, overall_sd)


def judge_spread(table):
    judges, totals = table.judge_index, table.totals
    count = np.bincount(judges, minlength=len(table.judge_ids))
    mean = np.bincount(judges, totals, minlength=len(count)) / np.maximum(count, 1)
    squares = np.bincount(judges, (totals - mean[judges]) ** 2, minlength=len(count))
    sd = np.sqrt(np.divide(squares, count - 1, out=np.full(len(count), np.nan),
                           where=count > 1))
    reasons = tuple(FEW_REVIEWS if n < MIN_REVIEWS_TO_STANDARDIZE else None
                    for n in count.tolist())
    return JudgeSpread(count, mean, sd, reasons)


def raw_totals(table, adjustments):
    return table.totals


def standardized_values(table, adjustments):
    """A review's z-score within its judge, mapped back onto the totals' scale.

    The value is overall mean + z × overall sd, the judge's sd taken no lower than
    SPREAD_FLOOR_PER_NINE_POINTS (scaled to the totals' span). A judge with too few reviews keeps
    the raw total, so that a round of such judges gives the plain scores. The score is not clipped
    to the scale: only its display is.
    """
    spread = adjustments.spread
    judges = table.judge_index
    standardized = spread.standardized[judges]
    low, high = table.scale
    floor = SPREAD_FLOOR_PER_NINE_POINTS * (high - low) / 9
    sd = np.where(standardized, np.maximum(np.nan_to_num(spread.sd[judges]), floor), 1.0)
    sd = np.where(sd > 0, sd, 1.0)
    z_scores = (table.totals - spread.mean[judges]) / sd
    return np.where(standardized,
                    adjustments.overall_mean + z_scores * adjustments.overall_sd, table.totals)


def bias_adjusted_values(table, adjustments):
    # The mean of these per proposal is exactly the model's least-squares quality.
    return table.totals - adjustments.bias.bias[table.judge_index]


def reviewed_groups(table):
    """Proposals with reviews: their indices, the index of their first review and their counts."""
    counts = table.review_counts
    reviewed = np.flatnonzero(counts)
    return reviewed, table.group_starts[reviewed], counts[reviewed]


def mean_summary(values, table):
    """Each reviewed proposal's mean value, for every row of `values` (replicates × reviews)."""
    _, starts, counts = reviewed_groups(table)
    if not len(starts):
        return np.zeros((len(values), 0))
    return np.add.reduceat(values, starts, axis=1) / counts


def trimmed_summary(values, table):
    """The mean without the highest and the lowest value, for proposals with TRIM_FROM or more."""
    _, starts, counts = reviewed_groups(table)
    if not len(starts):
        return np.zeros((len(values), 0))
    sums = np.add.reduceat(values, starts, axis=1)
    trimmed = counts >= TRIM_FROM
    extremes = np.minimum.reduceat(values, starts, axis=1) \
        + np.maximum.reduceat(values, starts, axis=1)
    return np.where(trimmed, (sums - extremes) / np.where(trimmed, counts - 2, 1),
                    sums / counts)


@dataclass(frozen=True)
class Method:
    """A ranking method: a value per review, then a summary of each proposal's values.

    Writing every method this way lets the bootstrap resample any of them the same way: resample
    a proposal's review values, summarize again. What a method needs from the whole round (a
    judge's mean and spread, a judge's bias) is fitted once, in `Adjustments`, and held fixed.
    """

    name: str
    review_values: Callable    # (table, adjustments) -> value per review
    summarize: Callable        # (replicates × reviews, table) -> replicates × reviewed proposals


METHODS = {method.name: method for method in (
    Method("plain", raw_totals, mean_summary),
    Method("trimmed", raw_totals, trimmed_summary),
    Method("standardized", standardized_values, mean_summary),
    Method("bias_model", bias_adjusted_values, mean_summary),
)}


def method_scores(method, table, adjustments):
    """The method's score for every proposal of the table; NaN for a proposal without reviews."""
    values = method.review_values(table, adjustments)[np.newaxis, :]
    reviewed, _, _ = reviewed_groups(table)
    scores = np.full(len(table.proposals), np.nan)
    scores[reviewed] = method.summarize(values, table)[0]
    return scores
