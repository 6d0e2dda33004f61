"""Ranking and statistics: plain data in, plain data out. No Flask, no database."""
from portal.scoring.agreement import Agreement, OutlierReview, icc, kendall_w
from portal.scoring.engine import DEFAULT_OFFICIAL, SUBMISSION_TIME, JudgeStats, RankingResult, \
    RankingRow, compute_ranking
from portal.scoring.methods import FEW_REVIEWS, METHODS
from portal.scoring.plain import RankedRow, ReviewInput, rank_by_group, rank_proposals, \
    review_total
from portal.scoring.table import CriterionInput, ProposalInput
from portal.scoring.uncertainty import ProposalUncertainty, UncertaintyResult, flag_uncertain, \
    rank_uncertainty

__all__ = [
    "Agreement", "CriterionInput", "DEFAULT_OFFICIAL", "FEW_REVIEWS", "JudgeStats", "METHODS",
    "OutlierReview", "ProposalInput", "ProposalUncertainty", "RankedRow", "RankingResult",
    "RankingRow", "ReviewInput", "SUBMISSION_TIME", "UncertaintyResult", "compute_ranking",
    "flag_uncertain", "icc", "kendall_w", "rank_by_group", "rank_proposals", "rank_uncertainty",
    "review_total",
]
