"""Reviews given as arrays (as a query returns them) rank exactly as ReviewInput items do."""
import random

import numpy as np
import pytest

from portal.scoring import CriterionInput, ProposalInput, ReviewInput, compute_ranking
from portal.scoring.table import ReviewArrays, build_table

CRITERIA = [CriterionInput(7, 2, 1, 10), CriterionInput(3, 1, 1, 10)]


def test_review_rows_are_kept_in_review_id_order_with_nan_for_a_missing_score():
    rows = [  # (review, proposal, judge, score of criterion 7, of criterion 3)
        (13, 1, 101, 8.0, None),     # review 13 lacks criterion 3
        (11, 1, 100, 9.0, 5.0), (12, 2, 101, 6.0, 4.0)]
    arrays = ReviewArrays.from_review_rows(rows, 2)
    assert arrays.proposal_ids.tolist() == [1, 2, 1]
    assert arrays.judge_ids.tolist() == [100, 101, 101]
    assert arrays.scores[:2].tolist() == [[9.0, 5.0], [6.0, 4.0]]
    assert arrays.scores[2, 0] == 8.0 and np.isnan(arrays.scores[2, 1])
    assert arrays.scores.flags.c_contiguous   # hashed as bytes by the ranking's fingerprint
    assert len(ReviewArrays.from_review_rows([], 2)) == 0
    assert ReviewArrays.from_review_rows([], 2).scores.shape == (0, 2)


def test_the_arrays_do_not_depend_on_the_order_of_the_rows():
    rows = [(review, review % 7, 100 + review % 3, float(review % 10), None if review == 5
             else 1.0) for review in range(1, 30)]
    first = ReviewArrays.from_review_rows(rows, 2)
    again = ReviewArrays.from_review_rows(random.Random(4).sample(rows, len(rows)), 2)
    for name in ("proposal_ids", "judge_ids", "scores"):
        assert getattr(first, name).tobytes() == getattr(again, name).tobytes(), name


def test_a_missing_score_is_refused_as_with_review_inputs():
    arrays = ReviewArrays.from_review_rows([(1, 1, 100, 8.0, None)], 2)
    with pytest.raises(ValueError):
        build_table(arrays, CRITERIA, [1])
    with pytest.raises(ValueError):
        build_table([ReviewInput(1, 100, {7: 8})], CRITERIA, [1])


def test_without_leaves_out_the_given_pairs():
    arrays = ReviewArrays.from_review_rows(
        [(1, 1, 100, 8.0), (2, 1, 101, 6.0), (3, 2, 100, 5.0)], 1)
    kept = arrays.without({(1, 101), (9, 9)})
    assert list(zip(kept.proposal_ids.tolist(), kept.judge_ids.tolist())) == [(1, 100), (2, 100)]
    assert arrays.without(set()) is arrays


def _random_contest(seed):
    rng = random.Random(seed)
    reviews, rows, review_id = [], [], 0
    for proposal in range(1, 40):
        for judge in rng.sample(range(500, 512), rng.randint(0, 4)):
            review_id += 1
            scores = {7: rng.randint(1, 10), 3: rng.randint(1, 10)}
            reviews.append(ReviewInput(proposal, judge, scores))
            rows.append((review_id, proposal, judge, float(scores[7]), float(scores[3])))
    rng.shuffle(rows)
    # Proposal 40 has no review; proposal 1's reviews are left out by not listing it.
    proposals = [ProposalInput(p, theme=p % 3) for p in range(2, 41)]
    return reviews, ReviewArrays.from_review_rows(rows, 2), proposals


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_both_inputs_give_the_same_table_and_ranking(seed):
    reviews, arrays, proposals = _random_contest(seed)
    from_inputs, from_arrays = (build_table(given, CRITERIA, proposals)
                                for given in (reviews, arrays))
    assert from_arrays.judge_ids == from_inputs.judge_ids
    for name in ("proposal_index", "judge_index", "criterion_scores", "totals"):
        assert np.array_equal(getattr(from_arrays, name), getattr(from_inputs, name)), name
    expected, got = (compute_ranking(given, CRITERIA, proposals, official="standardized")
                     for given in (reviews, arrays))
    assert [(row.proposal_id, row.rank, row.scores) for row in got.rows] == \
        [(row.proposal_id, row.rank, row.scores) for row in expected.rows]
