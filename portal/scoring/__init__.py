"""Ranking and statistics: plain data in, plain data out. No Flask, no database."""
from portal.scoring.plain import RankedRow, ReviewInput, rank_by_group, rank_proposals, \
    review_total

__all__ = ["RankedRow", "ReviewInput", "rank_by_group", "rank_proposals", "review_total"]
