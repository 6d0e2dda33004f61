"""The additive judge-bias model, total = quality + judge bias + noise, by ridge least squares.

A judge's bias is shrunk toward zero as if the judge had also given PRIOR_REVIEWS reviews exactly
at the common level: a judge with 40 reviews keeps 95 % of the bias the reviews show, a judge
with one review a third of it. The estimate is linear in the scores, with no threshold: a judge
with few reviews, or who gave the same total every time, moves smoothly toward "no bias".
"""
from dataclasses import dataclass

import numpy as np

# scipy is imported inside the functions that use it, on first use (portal.deferred_imports).

# The ridge penalty, in reviews (the ratio of the noise variance to the judges' bias variance).
PRIOR_REVIEWS = 2.0


@dataclass(frozen=True)
class BiasFit:
    quality: np.ndarray             # per proposal; NaN without reviews
    bias: np.ndarray                # per judge; mean zero within each component
    judge_component: np.ndarray     # per judge, numbered from 0
    proposal_component: np.ndarray  # per proposal; -1 without reviews
    component_count: int


def fit_judge_bias(table, prior_reviews=PRIOR_REVIEWS):
    """Qualities and judge biases minimizing the squared residuals + prior_reviews × sum of b².

    The normal equations are solved exactly (sparse LU), not iteratively. Eliminating the
    qualities, q_p = mean over p's reviews of (total - bias), leaves a weighted graph Laplacian
    on the judges: (L + prior_reviews I) b = r with L = diag(n_j) - N diag(1/n_p) N^T, N the
    judge × proposal count matrix. The biases of each connected component of the judge/proposal
    graph have a mean of zero (the Laplacian's rows sum to zero within a component): a harsh
    panel and weak proposals cannot be told apart without a judge in common, so a design of
    separate theme pools compares themes as if their pools were equally strict. With
    prior_reviews = 0 this is plain least squares, each component centred.
    """
    from scipy.sparse import csr_matrix, diags

    proposal_count, judge_count = len(table.proposals), len(table.judge_ids)
    proposals, judges, totals = table.proposal_index, table.judge_index, table.totals
    reviews_per_proposal = np.bincount(proposals, minlength=proposal_count)
    judge_component, proposal_component = _components(table)
    counts = csr_matrix((np.ones(len(totals)), (judges, proposals)),
                        shape=(judge_count, proposal_count))
    inverse_count = np.divide(1.0, reviews_per_proposal, out=np.zeros(proposal_count),
                              where=reviews_per_proposal > 0)
    proposal_sums = np.bincount(proposals, totals, minlength=proposal_count)
    laplacian = (diags(np.bincount(judges, minlength=judge_count).astype(float))
                 - counts @ diags(inverse_count) @ counts.T)
    right_side = np.bincount(judges, totals, minlength=judge_count) \
        - counts @ (inverse_count * proposal_sums)
    if prior_reviews > 0:
        bias = _solve_ridge(laplacian.tocsc(), right_side, prior_reviews)
    else:
        bias = _solve_grounded(laplacian.tocsr(), right_side, judge_component)
    quality = (proposal_sums - counts.T @ bias) * inverse_count
    quality[reviews_per_proposal == 0] = np.nan
    component_count = int(judge_component.max()) + 1 if judge_count else 0
    return BiasFit(quality, bias, judge_component, proposal_component, component_count)


def _components(table):
    """Connected components of the bipartite judge/proposal graph, numbered over judges."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    proposal_count, judge_count = len(table.proposals), len(table.judge_ids)
    size = proposal_count + judge_count
    graph = csr_matrix((np.ones(len(table.totals)),
                        (table.proposal_index, proposal_count + table.judge_index)),
                       shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    numbers, judge_component = np.unique(labels[proposal_count:], return_inverse=True)
    proposal_component = np.searchsorted(numbers, labels[:proposal_count])
    reviewed = np.bincount(table.proposal_index, minlength=proposal_count) > 0
    proposal_component = np.where(reviewed, proposal_component, -1)
    return judge_component.astype(np.intp), proposal_component.astype(np.intp)


def _solve_ridge(laplacian, right_side, prior_reviews):
    from scipy.sparse import diags
    from scipy.sparse.linalg import spsolve

    if not len(right_side):
        return np.zeros(0)
    shifted = laplacian + diags(np.full(len(right_side), float(prior_reviews)))
    return np.atleast_1d(spsolve(shifted.tocsc(), right_side))


def _solve_grounded(laplacian, right_side, component):
    """Solve L b = r with one judge per component held at zero, then centre each component."""
    from scipy.sparse.linalg import spsolve

    judge_count = len(right_side)
    if not judge_count:
        return np.zeros(0)
    _, grounded = np.unique(component, return_index=True)
    free = np.ones(judge_count, dtype=bool)
    free[grounded] = False
    bias = np.zeros(judge_count)
    if free.any():
        bias[free] = np.atleast_1d(spsolve(laplacian[free][:, free].tocsc(), right_side[free]))
    sizes = np.bincount(component)
    bias -= (np.bincount(component, bias) / sizes)[component]
    return bias
