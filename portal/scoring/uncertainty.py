"""How sure the ranking is: each proposal's chance of being inside the award boundary.

The figures come from a Gaussian posterior of the additive model
    total = overall level + quality + judge bias + noise,
with quality ~ N(0, quality variance), bias ~ N(0, bias variance), noise ~ N(0, noise variance).
Three reviews are too few for a bootstrap to see the spread of a proposal's scores (one review
shows none at all); the model borrows the spread of the whole round instead, so a proposal with
fewer reviews gets a wider interval, and a one-review proposal is never certain. Pure: plain
data in, plain data out, no database, so it can run in a background job.
"""
from dataclasses import dataclass
from typing import Hashable

import numpy as np

# scipy is imported inside the functions that use it, on first use (portal.deferred_imports).

from portal.scoring.bias_model import PRIOR_REVIEWS, fit_judge_bias
from portal.scoring.table import build_table

DEFAULT_DRAWS = 1000
# Flag a proposal whose chance of being inside the boundary lies in this range: "too close to
# call". Outside it, the ranking's side of the boundary is right at least four times in five.
UNCERTAIN_LOW, UNCERTAIN_HIGH = 0.2, 0.8
# The variance estimates lean on prior guesses worth this many observations: a judge's noise and
# the spread of qualities of one point on a 1-10 scale (scaled to other scales). A large round
# overrides them; a round of five reviews is not left with a zero variance.
PRIOR_OBSERVATIONS = 4
POINT_PER_NINE = 9
# Draws are taken in chunks of about this many proposal values, to bound memory.
CHUNK_VALUES = 2_000_000


@dataclass(frozen=True)
class ProposalUncertainty:
    proposal_id: Hashable
    review_count: int
    planned: int | None          # reviews planned (its assignments); None when not known
    score_low: float | None      # credible interval of its quality, on the totals' scale;
    score_high: float | None     # unclipped (displays clip to the scale)
    rank_low: int | None         # best rank within the interval of ranks
    rank_high: int | None        # worst rank within it
    inside_probability: float | None   # chance of being in the top `boundary`; None without
    flagged: bool                # too close to call (see flag_uncertain)

    @property
    def under_reviewed(self):
        return self.planned is not None and self.review_count < self.planned


@dataclass(frozen=True)
class Variances:
    noise: float
    bias: float
    quality: float


@dataclass(frozen=True)
class UncertaintyResult:
    draws: int
    seed: int
    level: float
    boundary: int | None
    variances: Variances | None   # None without reviews
    proposals: list               # ProposalUncertainty, by proposal id

    @property
    def flagged_count(self):
        return sum(item.flagged for item in self.proposals)


def rank_uncertainty(reviews, criteria, proposals, boundary=None, planned=None,
                     draws=DEFAULT_DRAWS, seed=0, level=0.95):
    """Per proposal: a `level` credible interval of its quality and of its rank, and its
    probability of being among the top `boundary` proposals, from `draws` posterior draws.

    Same reviews, criteria and proposals as engine.compute_ranking. planned: proposal id -> the
    number of reviews planned for it; a proposal with fewer, or with a single review, is never
    shown as certain.
    The noise variance comes from the least-squares residuals, the spread of qualities from the
    official bias model's scores less their noise, the bias variance from the official model's
    ridge (noise / PRIOR_REVIEWS), each with PRIOR_OBSERVATIONS prior observations. The same
    inputs and seed give the same result, in any order.
    """
    table = build_table(reviews, criteria, proposals)
    planned = planned or {}
    counts = table.review_counts
    reviewed = np.flatnonzero(counts)
    low = np.full(len(counts), np.nan)
    high, rank_low, rank_high, inside = low.copy(), low.copy(), low.copy(), low.copy()
    variances = None
    if len(reviewed):
        posterior = _Posterior(table, reviewed)
        variances = posterior.variances
        mean, sd = posterior.marginals()
        # The standard normal's quantile (what scipy.stats.norm.ppf computes, without importing
        # scipy.stats: a second and 30 MB more for every process and command at start).
        from scipy.special import ndtri
        half = ndtri(0.5 + level / 2) * sd
        low[reviewed], high[reviewed] = mean - half, mean + half
        rank_low[reviewed], rank_high[reviewed], inside[reviewed] = posterior.rank_figures(
            draws, seed, level, boundary)
    items = []
    for at, proposal in enumerate(table.proposals):
        expected = planned.get(proposal.proposal_id)
        probability = None if np.isnan(inside[at]) else float(inside[at])
        # One review is never certain, even where one was all that was planned.
        short = counts[at] == 1 or (expected is not None and counts[at] < expected)
        items.append(ProposalUncertainty(
            proposal.proposal_id, int(counts[at]), expected, _float(low[at]), _float(high[at]),
            _int(rank_low[at]), _int(rank_high[at]), probability,
            flag_uncertain(probability, short)))
    return UncertaintyResult(draws, seed, level, boundary, variances, items)


def flag_uncertain(probability, under_reviewed=False):
    """Too close to call: a chance of being inside between UNCERTAIN_LOW and UNCERTAIN_HIGH, or
    above UNCERTAIN_LOW for a proposal with fewer reviews than planned or a single review (never
    certain)."""
    if probability is None:
        return False
    if under_reviewed:
        return probability >= UNCERTAIN_LOW
    return UNCERTAIN_LOW <= probability <= UNCERTAIN_HIGH


class _Posterior:
    """The Gaussian posterior of the reviewed proposals' qualities.

    Unknowns: the overall level and the judges' biases (the "judge block", J + 1 of them) and
    the qualities (one per reviewed proposal). The qualities' block of the precision matrix is
    diagonal, so it is eliminated exactly: the judge block's posterior precision is its Schur
    complement, a dense (J + 1)² matrix; given the judge block, qualities are independent.
    """

    def __init__(self, table, reviewed):
        from scipy.linalg import solve_triangular
        from scipy.sparse import csr_matrix

        self.variances = estimate_variances(table)
        noise, bias, quality = (self.variances.noise, self.variances.bias,
                                self.variances.quality)
        judge_count = len(table.judge_ids)
        position = np.full(len(table.proposals), -1)
        position[reviewed] = np.arange(len(reviewed))
        proposals = position[table.proposal_index]
        totals = table.totals
        counts = np.bincount(proposals, minlength=len(reviewed)).astype(float)
        judge_counts = np.bincount(table.judge_index, minlength=judge_count).astype(float)
        # proposals × (level, judges), in units of 1/noise
        everyone = np.arange(len(reviewed))
        self.cross = csr_matrix((np.concatenate((counts, np.ones(len(totals)))) / noise,
                                 (np.concatenate((everyone, proposals)),
                                  np.concatenate((np.zeros(len(reviewed), dtype=np.intp),
                                                  1 + table.judge_index)))),
                                shape=(len(reviewed), judge_count + 1))
        self.diagonal = counts / noise + 1 / quality
        self.quality_side = np.bincount(proposals, totals, minlength=len(reviewed)) / noise
        judge_block = np.zeros((judge_count + 1, judge_count + 1))
        judge_block[0, 0] = len(totals) / noise
        judge_block[0, 1:] = judge_block[1:, 0] = judge_counts / noise
        judge_block[1:, 1:] = np.diag(judge_counts / noise + 1 / bias)
        scaled = self.cross.multiply(1 / self.diagonal[:, np.newaxis]).tocsr()
        schur = judge_block - (self.cross.T @ scaled).toarray()
        judge_side = np.concatenate(([totals.sum()], np.bincount(
            table.judge_index, totals, minlength=judge_count))) / noise
        judge_side = judge_side - scaled.T @ self.quality_side
        self.lower = np.linalg.cholesky(schur)
        self.judge_mean = solve_triangular(
            self.lower, solve_triangular(self.lower, judge_side, lower=True), lower=True,
            trans="T")

    def _qualities(self, judge_values):
        """Each quality's conditional mean given judge-block values (columns), plus the level."""
        given = (self.quality_side[:, np.newaxis] - self.cross @ judge_values) \
            / self.diagonal[:, np.newaxis]
        return given + judge_values[0]

    def marginals(self):
        """Posterior mean and sd of level + quality for each reviewed proposal."""
        from scipy.linalg import solve_triangular

        mean = self._qualities(self.judge_mean[:, np.newaxis])[:, 0]
        loading = (self.cross / self.diagonal[:, np.newaxis]).toarray()
        loading[:, 0] -= 1   # level + quality = level - loading · judge block + ...
        whitened = solve_triangular(self.lower, loading.T, lower=True)
        variance = (whitened ** 2).sum(axis=0) + 1 / self.diagonal
        return mean, np.sqrt(variance)

    def draw(self, rng, count):
        from scipy.linalg import solve_triangular

        noise = rng.standard_normal((len(self.judge_mean), count))
        judge_values = self.judge_mean[:, np.newaxis] + solve_triangular(
            self.lower, noise, lower=True, trans="T")
        own = rng.standard_normal((len(self.diagonal), count)) / np.sqrt(self.diagonal)[
            :, np.newaxis]
        return self._qualities(judge_values) + own

    def rank_figures(self, draws, seed, level, boundary):
        """(best rank, worst rank, probability inside the boundary) per reviewed proposal."""
        rng = np.random.default_rng(seed)
        size = len(self.diagonal)
        ranks = np.empty((draws, size), dtype=np.int32)   # a draw per row: sorts run along rows
        places = np.arange(1, size + 1, dtype=np.int32)
        chunk = max(1, CHUNK_VALUES // max(size, 1))
        for begin in range(0, draws, chunk):
            values = np.ascontiguousarray(self.draw(rng, min(chunk, draws - begin)).T)
            order = np.argsort(-values, axis=1)
            np.put_along_axis(ranks[begin:begin + len(values)], order,
                              np.broadcast_to(places, values.shape), axis=1)
        tail = (1 - level) / 2
        rank_low = np.quantile(ranks, tail, axis=0, method="lower")
        rank_high = np.quantile(ranks, 1 - tail, axis=0, method="higher")
        probability = (ranks <= boundary).mean(axis=0) if boundary is not None \
            else np.full(size, np.nan)
        return rank_low, rank_high, probability


def estimate_variances(table):
    """Noise, judge-bias and quality variances of the round (see rank_uncertainty)."""
    low, high = table.scale
    prior = ((high - low) / POINT_PER_NINE) ** 2 or 1.0
    free = fit_judge_bias(table, prior_reviews=0)
    counts = table.review_counts
    reviewed = counts > 0
    residuals = table.totals - free.quality[table.proposal_index] \
        - free.bias[table.judge_index]
    freedom = max(len(table.totals) - int(reviewed.sum())
                  - (len(table.judge_ids) - free.component_count), 0)
    noise = (float(residuals @ residuals) + PRIOR_OBSERVATIONS * prior) \
        / (freedom + PRIOR_OBSERVATIONS)
    official = fit_judge_bias(table).quality[reviewed]
    others = max(len(official) - 1, 0)
    spread = float(official.var(ddof=1)) - noise * float((1 / counts[reviewed]).mean()) \
        if others else 0.0
    quality = (others * max(spread, 0.0) + PRIOR_OBSERVATIONS * prior) \
        / (others + PRIOR_OBSERVATIONS)
    return Variances(noise, noise / PRIOR_REVIEWS, quality)


def _float(value):
    return None if np.isnan(value) else float(value)


def _int(value):
    return None if np.isnan(value) else int(value)
