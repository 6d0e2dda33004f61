"""Ranking and statistics: plain data in, plain data out. No Flask, no database."""
from portal.scoring.agreement import Agreement, OutlierReview, icc, kendall_w
from portal.scoring.bootstrap import BootstrapResult, ProposalInterval, bootstrap_ranking
from portal.scoring.engine import DEFAULT_OFFICIAL, SUBMISSION_TIME, JudgeStats, RankingResult, \
    RankingRow, compute_ranking
from portal.scoring.methods import FEW_REVIEWS, METHODS, NO_SPREAD
from portal.scoring.plain import RankedRow, ReviewInput, rank_by_group, rank_proposals, \
    review_total
from portal.scoring.table import CriterionInput, ProposalInput

__all__ = [
    "Agreement", "BootstrapResult", "CriterionInput", "DEFAULT_OFFICIAL", "FEW_REVIEWS",
    "JudgeStats", "METHODS", "NO_SPREAD", "OutlierReview", "ProposalInput", "ProposalInterval",
    "RankedRow", "RankingResult", "RankingRow", "ReviewInput", "SUBMISSION_TIME",
    "bootstrap_ranking", "compute_ranking", "icc", "kendall_w", "rank_by_group",
    "rank_proposals", "review_total",
]
