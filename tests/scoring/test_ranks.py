"""Official ranks: ties, tie-breaks, theme ranks and percentiles; no app needed."""
from datetime import datetime, timedelta

import numpy as np
import pytest

from portal.scoring import SUBMISSION_TIME, CriterionInput, ProposalInput, ReviewInput, \
    compute_ranking
from portal.scoring.ranks import float_levels
from tests.scoring.builders import in_themes, rank_totals, rows_by_id

CRITERIA = [CriterionInput("innovation"), CriterionInput("operability")]
DAY = datetime(2014, 9, 1)


def tied_on_total():
    """Four proposals whose totals are all 8, told apart only by criteria and submission time."""
    scores = {"A": (9, 7), "B": (8, 8), "C": (8, 8), "D": (7, 9)}
    reviews = [ReviewInput(p, "j1", {"innovation": i, "operability": o})
               for p, (i, o) in scores.items()]
    proposals = [ProposalInput(p, submitted_at=DAY + timedelta(days=day))
                 for day, p in enumerate("DBCA")]   # B was submitted before C
    return reviews, proposals


def ranked(tie_break):
    reviews, proposals = tied_on_total()
    result = compute_ranking(reviews, CRITERIA, proposals, official="plain", tie_break=tie_break)
    return [(row.proposal_id, row.rank, row.tied, row.tie_broken_by) for row in result.rows]


def test_without_tie_break_equal_scores_share_the_rank():
    assert ranked([]) == [(p, 1, True, None) for p in "ABCD"]


def test_a_criterion_mean_breaks_the_tie_and_the_row_says_so():
    assert ranked(["innovation"]) == [("A", 1, False, "innovation"), ("B", 2, True, "innovation"),
                                      ("C", 2, True, "innovation"), ("D", 4, False, "innovation")]


def test_the_next_key_breaks_what_the_first_left_tied():
    assert ranked(["innovation", SUBMISSION_TIME]) == [
        ("A", 1, False, "innovation"), ("B", 2, False, SUBMISSION_TIME),
        ("C", 3, False, SUBMISSION_TIME), ("D", 4, False, "innovation")]


def test_a_key_that_separates_nobody_is_not_named():
    assert ranked(["operability", "innovation"]) == [
        ("D", 1, False, "operability"), ("B", 2, True, "operability"),
        ("C", 2, True, "operability"), ("A", 4, False, "operability")]


def test_a_proposal_without_submission_time_loses_that_tie_break():
    reviews, proposals = tied_on_total()
    proposals = [ProposalInput(p.proposal_id) if p.proposal_id == "B" else p for p in proposals]
    rows = compute_ranking(reviews, CRITERIA, proposals, official="plain",
                           tie_break=["innovation", SUBMISSION_TIME]).rows
    assert [row.proposal_id for row in rows] == list("ACBD")


def test_an_unknown_tie_break_key_is_refused():
    reviews, proposals = tied_on_total()
    with pytest.raises(ValueError, match="feasibility"):
        compute_ranking(reviews, CRITERIA, proposals, tie_break=["feasibility"])


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="median"):
        rank_totals({("A", "j1"): 5}, official="median")


def test_float_noise_neither_splits_nor_creates_ties():
    # 0.1 + 0.2 + 0.6 is 0.9000000000000001 in floats; 0.3 + 0.3 + 0.3 is 0.8999999999999999
    criteria = {"a": 1, "b": 1, "c": 1}
    reviews = [ReviewInput("A", "j1", {"a": 0.1, "b": 0.2, "c": 0.6}),
               ReviewInput("B", "j1", {"a": 0.3, "b": 0.3, "c": 0.3}),
               ReviewInput("C", "j1", {"a": 0.3, "b": 0.3, "c": 0.3000001})]
    rows = compute_ranking(reviews, criteria, "ABC", official="plain").rows
    assert [(row.proposal_id, row.rank, row.tied) for row in rows] == [
        ("C", 1, False), ("A", 2, True), ("B", 2, True)]


def test_levels_chain_close_values_and_put_nan_last():
    levels = float_levels(np.array([1.0, 3.0, np.nan, 3.0 + 4e-10, 2.0, 3.0 - 4e-10]))
    assert levels.tolist() == [2, 0, 3, 0, 1, 0]


def test_theme_ranks_restart_at_one_and_percentiles_count_who_is_outranked():
    totals = {("A", "j1"): 9, ("B", "j1"): 8, ("C", "j1"): 8, ("D", "j1"): 5, ("E", "j1"): 7}
    result = rank_totals(totals, in_themes({"A": "x", "B": "x", "C": "x", "D": "x", "E": "y"}),
                         official="plain")
    rows = rows_by_id(result)
    assert {p: (row.rank, row.theme_rank) for p, row in rows.items()} == {
        "A": (1, 1), "B": (2, 2), "C": (2, 2), "D": (5, 4), "E": (4, 1)}
    assert {p: row.theme_percentile for p, row in rows.items()} == pytest.approx(
        {"A": 100, "B": 100 / 3, "C": 100 / 3, "D": 0, "E": 100})
    assert {theme: [row.proposal_id for row in members]
            for theme, members in result.by_theme().items()} == {"x": list("ABCD"), "y": ["E"]}


def test_proposals_without_reviews_come_last_without_rank():
    result = rank_totals({("B", "j1"): 4}, in_themes({"A": "x", "B": "x"}))
    assert [(row.proposal_id, row.rank, row.theme_rank, row.theme_percentile)
            for row in result.rows] == [("B", 1, 1, 100.0), ("A", None, None, None)]


def test_the_official_method_sets_the_order():
    # C met only the lenient judge: plain puts it above A, the bias model below
    totals = {("A", "j1"): 7, ("B", "j1"): 9, ("C", "j1"): 6.4, ("A", "j2"): 5, ("B", "j2"): 7}
    assert [row.proposal_id for row in rank_totals(totals, official="plain").rows] == list("BCA")
    rows = rank_totals(totals, official="bias_model").rows
    assert [(row.proposal_id, row.rank, row.ranks["plain"]) for row in rows] == [
        ("B", 1, 1), ("A", 2, 3), ("C", 3, 2)]
    # The ridge: L = [[1, -1], [-1, 1]], r = (2, -2), (L + 2I) b = r gives b = (0.5, -0.5)
    # (least squares would say 1 and -1), so A = 6 and C = 6.4 - 0.5
    assert (rows[1].score, rows[2].score) == (pytest.approx(6), pytest.approx(5.9))
