"""Agreement between judges and outlier reviews; no app needed."""
import pytest

from portal.scoring import icc, kendall_w
from portal.scoring.agreement import NO_COMPLETE_BLOCK, NO_VARIANCE
from tests.scoring.builders import rank_totals

# Shrout & Fleiss (1979), table 2: six targets (rows) rated by four judges (columns).
SHROUT_FLEISS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9],
                 [6, 2, 4, 7]]


def as_totals(matrix, judges="abcd"):
    return {(target, judge): rating for target, ratings in enumerate(matrix)
            for judge, rating in zip(judges, ratings)}


def test_icc_matches_shrout_and_fleiss():
    icc_2_1, icc_3_1 = icc(SHROUT_FLEISS)
    assert (round(icc_2_1, 2), round(icc_3_1, 2)) == (0.29, 0.71)


def test_the_round_agreement_of_a_complete_design_is_that_of_its_matrix():
    result = rank_totals(as_totals(SHROUT_FLEISS))
    agreement = result.agreement
    assert (round(agreement.icc_2_1, 2), round(agreement.icc_3_1, 2)) == (0.29, 0.71)
    assert (agreement.proposal_count, agreement.judge_ids, agreement.reason) \
        == (6, ("a", "b", "c", "d"), None)
    assert agreement.kendall_w == pytest.approx(kendall_w(SHROUT_FLEISS))


def test_kendall_w_by_hand():
    # rank sums 4, 5, 9 around 6: S = 14; W = 12 × 14 / (3² × (3³ - 3)) = 7/9
    assert kendall_w([[1, 1, 2], [2, 2, 1], [3, 3, 3]]) == pytest.approx(7 / 9)
    assert kendall_w([[1, 3], [2, 2], [3, 1]]) == pytest.approx(0)
    assert kendall_w([[1, 5], [2, 6], [3, 7]]) == pytest.approx(1)


def test_kendall_w_corrects_for_ties():
    # both judges tie the first two: rank sums 3, 3, 6; S = 6; W = 72 / (4 × 24 - 2 × 12) = 1
    assert kendall_w([[1, 1], [1, 1], [2, 2]]) == pytest.approx(1)
    # one judge ties: rank sums 2.5, 3.5, 6; S = 6.5; W = 78 / (4 × 24 - 2 × 6)
    assert kendall_w([[1, 1], [1, 2], [2, 3]]) == pytest.approx(78 / 84)


def test_an_incomplete_design_uses_its_largest_complete_block():
    block = as_totals([[9, 2, 5], [6, 1, 3], [8, 4, 6]], judges="abc")
    elsewhere = {(10, "a"): 5, (10, "d"): 6, (11, "b"): 7, (11, "d"): 3}
    agreement = rank_totals({**block, **elsewhere}).agreement
    assert (agreement.proposal_count, agreement.judge_ids) == (3, ("a", "b", "c"))
    assert agreement.icc_3_1 == pytest.approx(icc([[9, 2, 5], [6, 1, 3], [8, 4, 6]])[1])


def test_without_a_complete_block_agreement_is_none_with_the_reason():
    agreement = rank_totals({(1, "a"): 5, (1, "b"): 6, (2, "a"): 7, (2, "c"): 3}).agreement
    assert (agreement.icc_2_1, agreement.icc_3_1, agreement.kendall_w, agreement.reason) \
        == (None, None, None, NO_COMPLETE_BLOCK)


def test_without_any_variance_agreement_is_none_with_the_reason():
    agreement = rank_totals(as_totals([[5, 5], [5, 5], [5, 5]], judges="ab")).agreement
    assert (agreement.icc_2_1, agreement.kendall_w, agreement.reason) == (None, None, NO_VARIANCE)


def panels(scores):
    return {(proposal, judge): total for proposal, totals in scores.items()
            for judge, total in zip("wxyz", totals)}


def test_a_review_far_from_the_others_is_an_outlier():
    result = rank_totals(panels({"A": [6, 7, 7, 8], "B": [7, 7, 8, 8], "C": [5, 6, 6, 7],
                                 "D": [7, 8, 8, 9], "E": [6, 6, 7, 8], "F": [8, 8, 8, 2]}))
    [outlier] = result.outliers
    assert (outlier.proposal_id, outlier.judge_id, outlier.others_mean, outlier.gap) \
        == ("F", "z", 8, -6)
    assert outlier.robust_z < -3.5
    assert [row.outlier_judges for row in result.rows if row.proposal_id == "F"] == [("z",)]
    assert {judge.judge_id: judge.outlier_count for judge in result.judges} \
        == {"w": 0, "x": 0, "y": 0, "z": 1}


def test_a_large_gap_is_no_outlier_where_every_proposal_divides_the_judges():
    result = rank_totals(panels({"A": [2, 9, 5, 8], "B": [9, 2, 6, 3], "C": [1, 7, 9, 4],
                                 "F": [8, 8, 8, 2]}))
    assert result.outliers == []


def test_with_two_reviews_neither_is_the_odd_one_out():
    result = rank_totals(panels({"A": [7, 7], "B": [7, 7], "C": [7, 7], "D": [1, 10]}))
    assert result.outliers == []
