"""The review table: plain inputs turned into sorted numpy arrays that every method shares."""
import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Hashable

import numpy as np

from portal.scoring.plain import weighted_mean


@dataclass(frozen=True)
class CriterionInput:
    """A scoring criterion: its weight in a review's total and the scale its scores live on."""

    criterion_id: Hashable
    weight: object = 1
    scale_min: object = 1
    scale_max: object = 10


@dataclass(frozen=True)
class ProposalInput:
    """A proposal in competition: its theme and submission time (for the tie-break)."""

    proposal_id: Hashable
    theme: Hashable = None
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class ReviewArrays:
    """Reviews as arrays, one row per review, as a database query gives them (the alternative
    to a list of plain.ReviewInput, for 50,000 reviews): integer proposal and judge ids, and
    the scores in the order of the criteria given beside them (NaN where a score is missing).
    """

    proposal_ids: np.ndarray
    judge_ids: np.ndarray
    scores: np.ndarray        # reviews × criteria

    @classmethod
    def from_review_rows(cls, rows, criteria):
        """From rows (review id, proposal id, judge id, a score or None per criterion), in any
        order; the reviews are kept in review id order, so that the arrays do not depend on the
        order in which the database returned them."""
        # fromiter over the flattened rows: numpy reads database row objects one at a time.
        table = np.fromiter(itertools.chain.from_iterable(rows), dtype=float) \
            .reshape(-1, 3 + criteria)
        table = table[np.argsort(table[:, 0], kind="stable")]
        return cls(table[:, 1].astype(np.int64), table[:, 2].astype(np.int64),
                   np.ascontiguousarray(table[:, 3:]))

    def without(self, pairs):
        """The reviews except those of these (proposal id, judge id) pairs."""
        if not pairs:
            return self
        kept = np.array([(proposal_id, judge_id) not in pairs for proposal_id, judge_id
                         in zip(self.proposal_ids.tolist(), self.judge_ids.tolist())], dtype=bool)
        return ReviewArrays(self.proposal_ids[kept], self.judge_ids[kept], self.scores[kept])

    def of_proposals(self, proposal_ids):
        """The reviews of these proposals only."""
        kept = np.isin(self.proposal_ids, np.fromiter(proposal_ids, dtype=np.int64))
        return ReviewArrays(self.proposal_ids[kept], self.judge_ids[kept], self.scores[kept])

    def __len__(self):
        return len(self.proposal_ids)


@dataclass(frozen=True)
class ReviewTable:
    """Every review of the round as arrays, sorted by (proposal, judge).

    Proposals and judges are numbered in the order of their sorted ids, so the arrays (and every
    float sum taken over them) do not depend on the order in which the caller listed anything.
    """

    proposals: tuple          # ProposalInput, sorted by id
    judge_ids: tuple          # sorted
    criterion_ids: tuple
    proposal_index: np.ndarray    # per review
    judge_index: np.ndarray       # per review
    criterion_scores: np.ndarray  # reviews × criteria
    totals: np.ndarray            # per review: weighted mean of its criterion scores
    scale: tuple                  # (lowest, highest) possible total
    theme_index: np.ndarray       # per proposal
    themes: tuple

    @property
    def proposal_ids(self):
        return tuple(proposal.proposal_id for proposal in self.proposals)

    @property
    def review_counts(self):
        return np.bincount(self.proposal_index, minlength=len(self.proposals))

    @property
    def group_starts(self):
        """Index of each proposal's first review (reviews are sorted by proposal)."""
        counts = self.review_counts
        return (np.cumsum(counts) - counts).astype(np.intp)


def as_proposal(item):
    return item if isinstance(item, ProposalInput) else ProposalInput(item)


def as_criteria(criteria):
    """Criteria given as CriterionInput items or as a mapping criterion id -> weight."""
    if hasattr(criteria, "items"):
        return [CriterionInput(criterion_id, weight) for criterion_id, weight in criteria.items()]
    return list(criteria)


def build_table(reviews, criteria, proposals):
    """Validate the inputs (reviews are plain.ReviewInput items, or ReviewArrays) and lay them
    out as a ReviewTable.

    Reviews of proposals not in `proposals` are left out, as plain.rank_proposals does.
    Raises ValueError on a missing score, non-positive weights, a duplicate proposal or a
    judge who reviewed the same proposal twice.
    """
    criteria = as_criteria(criteria)
    proposals = sorted((as_proposal(item) for item in proposals),
                       key=lambda proposal: proposal.proposal_id)
    position = {proposal.proposal_id: index for index, proposal in enumerate(proposals)}
    if len(position) != len(proposals):
        raise ValueError("a proposal is listed twice")
    weights = np.array([float(criterion.weight) for criterion in criteria], dtype=float)
    if not len(weights) or weights.sum() <= 0 or (weights < 0).any():
        raise ValueError("the weights must be non-negative and add up to a positive number")
    criterion_ids = [criterion.criterion_id for criterion in criteria]
    if isinstance(reviews, ReviewArrays):
        proposal_index, judge_ids, judge_index, scores = _index_arrays(reviews, proposals,
                                                                       len(criterion_ids))
    else:
        proposal_index, judge_ids, judge_index, scores = _index_reviews(reviews, position,
                                                                        criterion_ids)
    order = np.lexsort((judge_index, proposal_index))
    proposal_index, judge_index, scores = proposal_index[order], judge_index[order], scores[order]
    _refuse_repeated_reviews(proposal_index, judge_index, proposals, judge_ids)
    themes, theme_index = _number_themes(proposals)
    return ReviewTable(
        proposals=tuple(proposals), judge_ids=judge_ids,
        criterion_ids=tuple(criterion_ids),
        proposal_index=proposal_index, judge_index=judge_index, criterion_scores=scores,
        totals=weighted_mean(scores, weights), scale=_total_scale(criteria, weights),
        theme_index=theme_index, themes=themes)


def _index_reviews(reviews, position, criterion_ids):
    kept = [review for review in reviews if review.proposal_id in position]
    judge_ids = tuple(sorted({review.judge_id for review in kept}))
    judge_position = {judge_id: index for index, judge_id in enumerate(judge_ids)}
    scores = _score_matrix(kept, criterion_ids)
    proposal_index = np.array([position[review.proposal_id] for review in kept], dtype=np.intp)
    judge_index = np.array([judge_position[review.judge_id] for review in kept], dtype=np.intp)
    return proposal_index, judge_ids, judge_index, scores


def _index_arrays(reviews, proposals, criterion_count):
    """The same numbering as _index_reviews, for ReviewArrays (integer proposal ids)."""
    if reviews.scores.shape != (len(reviews), criterion_count):
        raise ValueError("the reviews' scores do not match the criteria")
    if np.isnan(reviews.scores).any():
        raise ValueError("a review has no score for a criterion")
    sorted_ids = np.array([proposal.proposal_id for proposal in proposals], dtype=np.int64)
    at = np.minimum(np.searchsorted(sorted_ids, reviews.proposal_ids), max(len(sorted_ids) - 1, 0))
    kept = (sorted_ids[at] == reviews.proposal_ids) if len(sorted_ids) else \
        np.zeros(len(reviews), dtype=bool)
    judge_ids, judge_index = np.unique(reviews.judge_ids[kept], return_inverse=True)
    return (at[kept].astype(np.intp), tuple(judge_ids.tolist()),
            judge_index.astype(np.intp).reshape(-1), reviews.scores[kept])


def _score_matrix(reviews, criterion_ids):
    try:
        rows = [[review.scores[criterion_id] for criterion_id in criterion_ids]
                for review in reviews]
        matrix = np.array(rows, dtype=float).reshape(len(reviews), len(criterion_ids))
    except (KeyError, TypeError) as error:
        raise ValueError(f"a review has no score for criterion {error}") from None
    if np.isnan(matrix).any():
        raise ValueError("a review has an empty score")
    return matrix


def _refuse_repeated_reviews(proposal_index, judge_index, proposals, judge_ids):
    repeated = (np.diff(proposal_index) == 0) & (np.diff(judge_index) == 0)
    if repeated.any():
        at = int(np.flatnonzero(repeated)[0])
        raise ValueError(f"judge {judge_ids[judge_index[at]]!r} reviewed proposal "
                         f"{proposals[proposal_index[at]].proposal_id!r} twice")


def _number_themes(proposals):
    # Themes need not be sortable (None beside ints): number them in proposal order instead.
    numbers = {}
    theme_index = np.array([numbers.setdefault(proposal.theme, len(numbers))
                            for proposal in proposals], dtype=np.intp)
    return tuple(numbers), theme_index


def _total_scale(criteria, weights):
    lows = np.array([float(criterion.scale_min) for criterion in criteria])
    highs = np.array([float(criterion.scale_max) for criterion in criteria])
    return float(weighted_mean(lows, weights)), float(weighted_mean(highs, weights))
