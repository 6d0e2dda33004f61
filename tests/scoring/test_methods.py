"""The four methods on hand-computed cases; no app needed."""
import math

import pytest

from portal.scoring import FEW_REVIEWS, METHODS, compute_ranking
from portal.scoring.bias_model import PRIOR_REVIEWS, fit_judge_bias
from portal.scoring.table import build_table
from tests.scoring.builders import TOTAL, rank_totals, reviews_of, ridge_by_lstsq, rows_by_id

# Two judges rate the same five proposals; both give z-scores (-4, -2, 0, 2, 4) / sqrt(10).
TWO_JUDGES = {**{(p, "j1"): total for p, total in zip("ABCDE", [2, 4, 6, 8, 10])},
              **{(p, "j2"): total for p, total in zip("ABCDE", [6, 7, 8, 9, 10])}}


def test_plain_is_the_mean_of_review_totals():
    rows = rows_by_id(rank_totals({("A", "j1"): 8, ("A", "j2"): 7, ("B", "j1"): 9,
                                   ("C", "j2"): 2}))
    assert {p: row.scores["plain"] for p, row in rows.items()} == {"A": 7.5, "B": 9, "C": 2}
    assert {p: row.ranks["plain"] for p, row in rows.items()} == {"A": 2, "B": 1, "C": 3}


def test_trimmed_drops_the_highest_and_lowest_from_five_reviews_up():
    five = {("A", judge): total for judge, total in zip("vwxyz", [1, 5, 6, 7, 10])}
    four = {("B", judge): total for judge, total in zip("vwxy", [1, 5, 6, 10])}
    rows = rows_by_id(rank_totals({**five, **four}))
    assert rows["A"].scores["trimmed"] == pytest.approx((5 + 6 + 7) / 3)
    assert rows["B"].scores["trimmed"] == pytest.approx(22 / 4)


def test_trimmed_drops_only_one_of_equal_extremes():
    rows = rows_by_id(rank_totals({("A", judge): total
                                   for judge, total in zip("vwxyz", [9, 9, 5, 3, 3])}))
    assert rows["A"].scores["trimmed"] == pytest.approx((9 + 5 + 3) / 3)


def test_standardized_maps_the_mean_z_score_onto_the_totals_scale_unclipped():
    rows = rows_by_id(rank_totals(TWO_JUDGES))
    overall_sd = math.sqrt(60 / 9)          # totals: mean 7, squared deviations 60
    for proposal, z in zip("ABCDE", [-4, -2, 0, 2, 4]):
        expected = 7 + z / math.sqrt(10) * overall_sd
        assert rows[proposal].scores["standardized"] == pytest.approx(expected)
    # 10.27: above the scale, kept so (only displays clip), so it is not tied with a 10.00
    assert rows["E"].scores["standardized"] == pytest.approx(10.266, abs=1e-3)
    assert all(row.fallback_judges == () for row in rows.values())


def test_standardized_ignores_a_judge_who_is_harsher_by_a_constant():
    harsh = {key: total - 3 if key[1] == "j2" else total for key, total in TWO_JUDGES.items()}
    assert [row.proposal_id for row in rank_totals(harsh, official="standardized").rows] \
        == list("EDCBA")


def test_a_judge_with_a_single_review_falls_back_to_the_plain_total():
    result = rank_totals({**TWO_JUDGES, ("F", "j3"): 9})
    row = rows_by_id(result)["F"]
    assert row.scores["standardized"] == 9
    assert row.fallback_judges == ("j3",)
    judge = {stats.judge_id: stats for stats in result.judges}["j3"]
    assert (judge.review_count, judge.sd, judge.standardized, judge.fallback_reason) \
        == (1, None, False, FEW_REVIEWS)


def test_a_nearly_flat_judge_is_standardized_with_a_floor_on_the_spread():
    # seven 10s and one 9: sd 0.35, taken as 0.5 (half a point on a 1-10 scale)
    flat = {**{(p, "j3"): 10 for p in "ABCDEFG"}, ("H", "j3"): 9}
    result = rank_totals({**TWO_JUDGES, **flat})
    judge = {stats.judge_id: stats for stats in result.judges}["j3"]
    assert (judge.sd, judge.fallback_reason, judge.standardized) \
        == (pytest.approx(math.sqrt(1 / 8)), None, True)
    totals = [total for total in {**TWO_JUDGES, **flat}.values()]
    mean, sd = sum(totals) / len(totals), float(__import__("numpy").std(totals, ddof=1))
    row = rows_by_id(result)["H"]
    assert row.scores["standardized"] == pytest.approx(mean + (9 - 9.875) / 0.5 * sd)
    assert row.fallback_judges == ()


def test_a_judge_who_gave_one_total_throughout_adds_the_round_mean_to_each_proposal():
    flat = {(p, "j3"): 7 for p in "ABCDE"}
    result = rank_totals({**TWO_JUDGES, **flat})
    judge = {stats.judge_id: stats for stats in result.judges}["j3"]
    assert (judge.sd, judge.standardized) == (0, True)
    assert [row.proposal_id for row in result.rows] == list("EDCBA")


def test_a_round_of_judges_who_cannot_be_standardized_gives_the_plain_scores():
    rows = rank_totals({("A", "j1"): 8, ("A", "j2"): 7, ("B", "j1"): 9}).rows
    assert all(row.scores["standardized"] == row.scores["plain"] for row in rows)


NOISE_FREE = {("A", "j1"): 7, ("B", "j1"): 9, ("C", "j1"): 5, ("A", "j2"): 5, ("B", "j2"): 7}


def test_least_squares_bias_model_recovers_noise_free_additive_scores():
    # quality A 6, B 8, C 4; judge j1 is 1 point lenient, j2 1 point harsh
    fit = fit_judge_bias(build_table(reviews_of(NOISE_FREE), TOTAL, list("ABC")),
                         prior_reviews=0)
    assert fit.quality.tolist() == pytest.approx([6, 8, 4])
    assert fit.bias.tolist() == pytest.approx([1, -1])


def test_the_official_bias_model_shrinks_biases_as_ridge_least_squares_does():
    result = rank_totals(NOISE_FREE)
    rows = rows_by_id(result)
    qualities, biases = ridge_by_lstsq(NOISE_FREE, PRIOR_REVIEWS)
    assert {p: row.scores["bias_model"] for p, row in rows.items()} == pytest.approx(qualities)
    assert [judge.bias for judge in result.judges] == pytest.approx([biases["j1"], biases["j2"]])
    # shrunk: each judge has three or two reviews, so well under the full point
    assert 0.3 < biases["j1"] < 0.8
    assert rows["C"].scores["bias_model"] == pytest.approx(5 - biases["j1"])
    assert rows["C"].scores["plain"] == 5   # C met only the lenient judge


def test_bias_model_centres_biases_within_each_connected_component():
    result = rank_totals({("A", "j1"): 7, ("B", "j1"): 9, ("A", "j2"): 5, ("B", "j2"): 7,
                          ("C", "j3"): 9, ("D", "j3"): 3})
    assert result.component_count == 2
    judges = {judge.judge_id: judge for judge in result.judges}
    assert judges["j1"].component == judges["j2"].component != judges["j3"].component
    assert judges["j1"].bias + judges["j2"].bias == pytest.approx(0)
    assert judges["j3"].bias == 0
    rows = rows_by_id(result)
    assert (rows["C"].scores["bias_model"], rows["D"].scores["bias_model"]) \
        == pytest.approx((9, 3))


def test_one_review_gives_its_total_to_every_method_but_the_bias_model():
    totals = {("A", "j1"): 6, ("B", "j1"): 8, ("B", "j2"): 4}
    rows = rows_by_id(rank_totals(totals))
    assert {name: rows["A"].scores[name] for name in ("plain", "trimmed", "standardized")} \
        == {"plain": 6, "trimmed": 6, "standardized": 6}
    # j1 gave B 4 points more than j2. Least squares: biases +2 and -2, A = 6 - 2. The ridge
    # with 2 prior reviews: (L + 2I) b = r with L = [[1/2, -1/2], [-1/2, 1/2]], r = (2, -2),
    # so b = (2/3, -2/3) and A = 6 - 2/3.
    assert rows["A"].scores["bias_model"] == pytest.approx(6 - 2 / 3)


def test_equal_scores_share_a_rank_in_every_method():
    result = rank_totals({("A", "j1"): 8, ("B", "j1"): 8, ("C", "j1"): 5})
    for name in METHODS:
        assert [row.ranks[name] for row in result.rows] == [1, 1, 3]
    assert [row.tied for row in result.rows] == [True, True, False]


def test_an_empty_round_lists_every_proposal_without_score_or_rank():
    result = compute_ranking([], TOTAL, ["B", "A"])
    assert [(row.proposal_id, row.score, row.rank, row.review_count, row.theme_rank)
            for row in result.rows] == [("A", None, None, 0, None), ("B", None, None, 0, None)]
    assert all(set(row.scores.values()) == {None} for row in result.rows)
    assert (result.judges, result.outliers, result.component_count) == ([], [], 0)


def test_no_proposals_at_all():
    result = compute_ranking([], TOTAL, [])
    assert (result.rows, result.judges, result.agreement.icc_2_1) == ([], [], None)
