"""Small builders for the scoring tests: reviews of a single "total" criterion."""
from portal.scoring import ProposalInput, ReviewInput, compute_ranking

TOTAL = {"total": 1}


def reviews_of(totals):
    """{(proposal, judge): total} -> ReviewInput items scored on the one criterion "total"."""
    return [ReviewInput(proposal, judge, {"total": total})
            for (proposal, judge), total in totals.items()]


def rank_totals(totals, proposals=None, **options):
    """compute_ranking over {(proposal, judge): total}; every reviewed proposal by default."""
    if proposals is None:
        proposals = sorted({proposal for proposal, _ in totals})
    return compute_ranking(reviews_of(totals), TOTAL, proposals, **options)


def rows_by_id(result):
    return {row.proposal_id: row for row in result.rows}


def in_themes(themes):
    """{proposal: theme} -> ProposalInput items."""
    return [ProposalInput(proposal, theme=theme) for proposal, theme in themes.items()]
