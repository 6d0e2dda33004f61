"""The plain ranking method, on hand-computed cases; no app needed."""
from decimal import Decimal
from fractions import Fraction

import pytest

from portal.scoring import ReviewInput, rank_by_group, rank_proposals, review_total

EQUAL = {"innovation": 1, "practicality": 1, "operability": 1}


def scores(innovation, practicality, operability):
    return {"innovation": innovation, "practicality": practicality, "operability": operability}


def test_review_total_is_the_weighted_mean():
    # (2*9 + 1*6 + 1*3) / 4 = 27/4
    weights = {"innovation": 2, "practicality": 1, "operability": 1}
    assert review_total(scores(9, 6, 3), weights) == Fraction(27, 4)


def test_review_total_with_decimal_weights_and_scores_is_exact():
    weights = {"innovation": Decimal("0.5"), "practicality": Decimal("0.25"),
               "operability": Decimal("0.25")}
    # 0.5*7.5 + 0.25*8 + 0.25*6 = 3.75 + 2 + 1.5 = 7.25
    assert review_total(scores(Decimal("7.5"), 8, 6), weights) == Fraction(29, 4)


def test_review_total_refuses_a_missing_score():
    with pytest.raises(ValueError, match="operability"):
        review_total({"innovation": 5, "practicality": 5}, EQUAL)


def test_proposal_score_is_the_mean_of_review_totals_and_highest_ranks_first():
    reviews = [
        ReviewInput("A", "j1", scores(8, 8, 8)),   # 8
        ReviewInput("A", "j2", scores(6, 6, 9)),   # 7
        ReviewInput("B", "j1", scores(9, 9, 9)),   # 9
        ReviewInput("C", "j2", scores(1, 2, 3)),   # 2
    ]
    rows = rank_proposals(["A", "B", "C"], reviews, EQUAL)
    assert [(row.proposal_id, row.score, row.rank, row.review_count) for row in rows] == [
        ("B", Fraction(9), 1, 1),
        ("A", Fraction(15, 2), 2, 2),
        ("C", Fraction(2), 3, 1),
    ]


def test_equal_scores_share_a_rank_and_are_flagged():
    reviews = [
        ReviewInput(1, "j1", scores(9, 9, 9)),
        ReviewInput(2, "j1", scores(7, 8, 9)),   # 8
        ReviewInput(3, "j1", scores(9, 8, 7)),   # 8: same total, different criteria
        ReviewInput(4, "j1", scores(5, 5, 5)),
    ]
    rows = rank_proposals([1, 2, 3, 4], reviews, EQUAL)
    assert [(row.proposal_id, row.rank, row.tied) for row in rows] == [
        (1, 1, False), (2, 2, True), (3, 2, True), (4, 4, False)]


def test_thirds_that_are_equal_tie_exactly():
    # 10/3 reached two ways: floats would differ in the last digit, fractions do not.
    reviews = [ReviewInput(1, "j1", scores(1, 4, 5)), ReviewInput(2, "j1", scores(3, 3, 4))]
    rows = rank_proposals([1, 2], reviews, EQUAL)
    assert rows[0].score == rows[1].score == Fraction(10, 3)
    assert rows[0].rank == rows[1].rank == 1


def test_proposals_without_reviews_come_last_without_rank():
    rows = rank_proposals([5, 6], [ReviewInput(6, "j1", scores(4, 4, 4))], EQUAL)
    assert [(row.proposal_id, row.rank, row.score) for row in rows] == [
        (6, 1, Fraction(4)), (5, None, None)]


def test_ranks_within_groups_start_again_at_one():
    reviews = [ReviewInput(p, "j1", scores(s, s, s)) for p, s in
               [(1, 9), (2, 8), (3, 7), (4, 6)]]
    overall = rank_proposals([1, 2, 3, 4], reviews, EQUAL)
    groups = rank_by_group(overall, {1: "elderly", 2: "orphan", 3: "elderly", 4: "orphan"}.get)
    assert [(row.proposal_id, row.rank) for row in groups["elderly"]] == [(1, 1), (3, 2)]
    assert [(row.proposal_id, row.rank) for row in groups["orphan"]] == [(2, 1), (4, 2)]
    assert [row.rank for row in overall] == [1, 2, 3, 4]  # the overall rows are untouched


def test_the_weighted_mean_is_one_formula_for_exact_totals_and_for_the_table():
    from portal.scoring.plain import weighted_mean
    from portal.scoring.table import build_table
    weights = {"innovation": 2, "practicality": 1, "operability": 1}
    reviews = [ReviewInput("p1", "j1", scores(9, 6, 3)), ReviewInput("p1", "j2", scores(7, 8, 10))]
    assert weighted_mean([Fraction(9), Fraction(6), Fraction(3)], [2, 1, 1]) == Fraction(27, 4)
    table = build_table(reviews, weights, ["p1"])
    assert list(table.totals) == [float(review_total(r.scores, weights)) for r in reviews]
    assert table.scale == (1.0, 10.0)   # the criteria's scales, weighted the same way
