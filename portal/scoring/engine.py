"""compute_ranking: every method side by side, the official ranks, judge statistics, agreement."""
import math
from dataclasses import dataclass, field
from typing import Hashable

import numpy as np

from portal.scoring.agreement import Agreement, agreement, outlier_reviews
from portal.scoring.methods import METHODS, fit_adjustments, method_scores
from portal.scoring.ranks import float_levels, ordered_levels, rank_within
from portal.scoring.table import build_table

# The additive judge-bias model: with a connected design (every proposal also has a judge from
# another theme) it matches the oracle in bench/fairness.py, with or without a difference in
# quality between themes (see docs/ranking.md).
DEFAULT_OFFICIAL = "bias_model"
# A tie-break key naming no criterion: the earlier submission wins.
SUBMISSION_TIME = "submitted_at"


@dataclass
class RankingRow:
    """One proposal's place in the official ranking, and every figure that explains it."""

    proposal_id: Hashable
    theme: Hashable
    review_count: int
    score: float | None                  # official method's score; None without reviews
    rank: int | None                     # official, overall; None without reviews
    tied: bool = False                   # shares its rank after every tie-break
    tie_broken_by: Hashable | None = None   # deepest tie-break key its position needed
    tie_break_values: tuple = ()         # per tie-break key: its mean on the criterion, or its
                                         # submission time (what the tie-break compared)
    theme_rank: int | None = None
    theme_percentile: float | None = None   # share of its theme's others it outranks, × 100
    scores: dict = field(default_factory=dict)   # method name -> score or None
    ranks: dict = field(default_factory=dict)    # method name -> overall rank or None
    review_totals: list = field(default_factory=list)   # in judge id order
    fallback_judges: tuple = ()          # judges whose raw totals the standardized score used
    outlier_judges: tuple = ()           # judges whose review of it is an outlier


@dataclass
class JudgeStats:
    judge_id: Hashable
    review_count: int
    mean: float
    sd: float | None             # sample sd; None with fewer than two reviews
    bias: float                  # from the bias model; mean zero within its component
    component: int               # connected component of the judge/proposal graph
    standardized: bool
    fallback_reason: str | None  # methods.FEW_REVIEWS
    outlier_count: int


@dataclass
class RankingResult:
    official: str
    tie_break: tuple
    rows: list                   # RankingRow, official order; proposals without reviews last
    judges: list                 # JudgeStats, by judge id
    agreement: Agreement
    outliers: list               # OutlierReview
    scale: tuple                 # (lowest, highest) possible review total
    overall_mean: float          # of review totals: the standardized scores' centre
    overall_sd: float            # of review totals: the standardized scores' unit
    component_count: int         # of the judge/proposal graph; biases compare within one only

    def by_theme(self):
        """Theme -> its rows in theme-rank order (the overall order, restricted to the theme)."""
        themes = {}
        for row in self.rows:
            themes.setdefault(row.theme, []).append(row)
        return themes


def compute_ranking(reviews, criteria, proposals, official=DEFAULT_OFFICIAL, tie_break=()):
    """Rank `proposals` from their `reviews` by every method; `official` gives rank and theme rank.

    reviews: plain.ReviewInput items; criteria: table.CriterionInput items or {id: weight};
    proposals: table.ProposalInput items or bare ids; tie_break: criterion ids (higher mean
    first) and SUBMISSION_TIME (earlier first), applied in order to equal official scores.
    Deterministic and independent of the order of every input.
    """
    if official not in METHODS:
        raise ValueError(f"unknown ranking method {official!r}")
    table = build_table(reviews, criteria, proposals)
    tie_break = tuple(tie_break)
    adjustments = fit_adjustments(table)
    keys = tie_break_levels(table, tie_break)
    scores = {name: method_scores(method, table, adjustments) for name, method in METHODS.items()}
    rankings = {name: rank_scores(values, keys) for name, values in scores.items()}
    by_theme = rank_scores(scores[official], keys, table.theme_index)
    outliers = outlier_reviews(table)
    return RankingResult(
        official=official, tie_break=tie_break,
        rows=_rows(table, adjustments, scores, rankings, by_theme, official, tie_break, outliers),
        judges=_judge_stats(table, adjustments, outliers), agreement=agreement(table),
        outliers=outliers, scale=table.scale, overall_mean=adjustments.overall_mean,
        overall_sd=adjustments.overall_sd, component_count=adjustments.bias.component_count)


def rank_scores(scores, keys, groups=None):
    """Ranks of per-proposal scores (NaN for none) with tie-break key levels, within groups."""
    return rank_within(float_levels(scores), ~np.isnan(scores), keys, groups)


def tie_break_values(table, tie_break):
    """Per tie-break key, each proposal's value: its mean score on the criterion (higher wins),
    or for SUBMISSION_TIME its submission time (earlier wins)."""
    counts = np.maximum(table.review_counts, 1)
    values = []
    for key in tie_break:
        if key in table.criterion_ids:
            column = table.criterion_scores[:, table.criterion_ids.index(key)]
            values.append(np.bincount(table.proposal_index, column, minlength=len(counts))
                          / counts)
        elif key == SUBMISSION_TIME:
            values.append([proposal.submitted_at for proposal in table.proposals])
        else:
            raise ValueError(f"tie-break key {key!r} names no criterion")
    return values


def tie_break_levels(table, tie_break):
    """One level array per tie-break key; a key naming a criterion wins over SUBMISSION_TIME."""
    return [ordered_levels(values) if key == SUBMISSION_TIME and key not in table.criterion_ids
            else float_levels(values)
            for key, values in zip(tie_break, tie_break_values(table, tie_break))]


def _rows(table, adjustments, scores, rankings, by_theme, official, tie_break, outliers):
    official_ranking = rankings[official]
    key_values = [values.tolist() if isinstance(values, np.ndarray) else values
                  for values in tie_break_values(table, tie_break)]
    totals, judges = table.totals.tolist(), table.judge_index.tolist()
    starts, counts = table.group_starts.tolist(), table.review_counts.tolist()
    fallback = [reason is not None for reason in adjustments.spread.fallback_reason]
    odd_reviews = {(outlier.proposal_id, outlier.judge_id) for outlier in outliers}
    score_of = {name: _floats(values) for name, values in scores.items()}
    rank_of = {name: _ranks(ranking.rank) for name, ranking in rankings.items()}
    theme_rank, percentile = _ranks(by_theme.rank), _floats(by_theme.percentile)
    rows = []
    for at in official_ranking.order.tolist():
        proposal = table.proposals[at]
        reviewer_indices = judges[starts[at]:starts[at] + counts[at]]
        reviewers = [table.judge_ids[judge] for judge in reviewer_indices]
        broken_by = int(official_ranking.broken_by[at])
        rows.append(RankingRow(
            proposal_id=proposal.proposal_id, theme=proposal.theme, review_count=counts[at],
            score=score_of[official][at], rank=rank_of[official][at],
            tied=bool(official_ranking.tied[at]),
            tie_broken_by=tie_break[broken_by] if broken_by >= 0 else None,
            tie_break_values=tuple(values[at] for values in key_values),
            theme_rank=theme_rank[at], theme_percentile=percentile[at],
            scores={name: values[at] for name, values in score_of.items()},
            ranks={name: values[at] for name, values in rank_of.items()},
            review_totals=totals[starts[at]:starts[at] + counts[at]],
            fallback_judges=tuple(table.judge_ids[judge] for judge in reviewer_indices
                                  if fallback[judge]),
            outlier_judges=tuple(judge for judge in reviewers
                                 if (proposal.proposal_id, judge) in odd_reviews)))
    return rows


def _judge_stats(table, adjustments, outliers):
    spread, bias = adjustments.spread, adjustments.bias
    outlier_counts = {}
    for outlier in outliers:
        outlier_counts[outlier.judge_id] = outlier_counts.get(outlier.judge_id, 0) + 1
    sds = _floats(spread.sd)
    return [JudgeStats(judge_id, int(spread.count[at]), float(spread.mean[at]), sds[at],
                       float(bias.bias[at]), int(bias.judge_component[at]),
                       spread.fallback_reason[at] is None, spread.fallback_reason[at],
                       outlier_counts.get(judge_id, 0))
            for at, judge_id in enumerate(table.judge_ids)]


def _floats(values):
    return [None if math.isnan(value) else value for value in np.asarray(values, float).tolist()]


def _ranks(ranks):
    return [rank or None for rank in ranks.tolist()]
