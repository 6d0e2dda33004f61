"""The additive judge-bias model, total = quality + judge bias + noise, fitted by least squares."""
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix, diags
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import spsolve


@dataclass(frozen=True)
class BiasFit:
    quality: np.ndarray             # per proposal; NaN without reviews
    bias: np.ndarray                # per judge; mean zero within each component
    judge_component: np.ndarray     # per judge, numbered from 0
    proposal_component: np.ndarray  # per proposal; -1 without reviews
    component_count: int


def fit_judge_bias(table):
    """Least-squares qualities and judge biases for the reviews of a ReviewTable.

    The normal equations of the model are solved exactly (sparse LU), not iteratively. Eliminating
    the qualities, q_p = mean over p's reviews of (total - bias), leaves a weighted graph Laplacian
    on the judges: L b = r with L = diag(n_j) - N diag(1/n_p) N^T, N the judge × proposal count
    matrix. L is singular once per connected component of the judge/proposal graph (a harsh panel
    and weak proposals cannot be told apart without a judge in common), so each component is
    identified separately: its biases are constrained to a mean of zero.
    """
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
    bias = _solve_grounded(laplacian.tocsr(), right_side, judge_component)
    quality = (proposal_sums - counts.T @ bias) * inverse_count
    quality[reviews_per_proposal == 0] = np.nan
    component_count = int(judge_component.max()) + 1 if judge_count else 0
    return BiasFit(quality, bias, judge_component, proposal_component, component_count)


def _components(table):
    """Connected components of the bipartite judge/proposal graph, numbered over judges."""
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


def _solve_grounded(laplacian, right_side, component):
    """Solve L b = r with one judge per component held at zero, then centre each component."""
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
