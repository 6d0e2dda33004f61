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


def ridge_by_lstsq(totals, prior_reviews):
    """{proposal: quality}, {judge: bias} of the ridge bias model, computed independently of the
    engine: least squares on the reviews plus one row sqrt(prior_reviews) × bias = 0 per judge."""
    import numpy as np

    proposals = sorted({p for p, _ in totals})
    judges = sorted({j for _, j in totals})
    rows, values = [], []
    for (p, j), total in totals.items():
        row = np.zeros(len(proposals) + len(judges))
        row[proposals.index(p)] = row[len(proposals) + judges.index(j)] = 1
        rows.append(row)
        values.append(total)
    for at in range(len(judges)):
        row = np.zeros(len(proposals) + len(judges))
        row[len(proposals) + at] = np.sqrt(prior_reviews)
        rows.append(row)
        values.append(0)
    solution = np.linalg.lstsq(np.array(rows), np.array(values, float), rcond=None)[0]
    return (dict(zip(proposals, solution[:len(proposals)])),
            dict(zip(judges, solution[len(proposals):])))
