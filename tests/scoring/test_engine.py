"""compute_ranking as the web layer calls it: inputs, validation, result fields, speed."""
import re
import runpy
from pathlib import Path

import numpy as np
import pytest

from portal.scoring import DEFAULT_OFFICIAL, METHODS, CriterionInput, ProposalInput, \
    ReviewInput, compute_ranking
from portal.scoring.bias_model import PRIOR_REVIEWS
from tests.scoring.builders import TOTAL, rank_totals, reviews_of, ridge_by_lstsq


def test_the_registry_holds_the_four_methods_and_the_default_is_one_of_them():
    assert list(METHODS) == ["plain", "trimmed", "standardized", "bias_model"]
    assert rank_totals({("A", "j1"): 5}).official == DEFAULT_OFFICIAL == "bias_model"


def test_a_review_total_is_the_weighted_mean_and_the_scale_is_weighted_too():
    criteria = [CriterionInput("innovation", 2, 0, 10), CriterionInput("practicality", 1, 1, 5),
                CriterionInput("operability", 1, 1, 5)]
    review = ReviewInput("A", "j1", {"innovation": 9, "practicality": 5, "operability": 3})
    result = compute_ranking([review], criteria, ["A"])
    assert result.rows[0].review_totals == [pytest.approx(26 / 4)]
    assert result.scale == (pytest.approx(2 / 4), pytest.approx(30 / 4))


def test_criteria_may_be_a_mapping_of_weights():
    review = ReviewInput("A", "j1", {"a": 9, "b": 6})
    assert compute_ranking([review], {"a": 2, "b": 1}, ["A"]).rows[0].score == pytest.approx(8)


@pytest.mark.parametrize("scores, message", [({"total": None}, "empty score"),
                                             ({"other": 5}, "total")])
def test_a_missing_score_is_refused(scores, message):
    with pytest.raises(ValueError, match=message):
        compute_ranking([ReviewInput("A", "j1", scores)], TOTAL, ["A"])


def test_a_judge_reviewing_a_proposal_twice_is_refused():
    reviews = [ReviewInput("A", "j1", {"total": 5}), ReviewInput("A", "j1", {"total": 6})]
    with pytest.raises(ValueError, match="twice"):
        compute_ranking(reviews, TOTAL, ["A"])


def test_a_proposal_listed_twice_or_weights_that_add_to_nothing_are_refused():
    with pytest.raises(ValueError, match="twice"):
        compute_ranking([], TOTAL, ["A", ProposalInput("A")])
    with pytest.raises(ValueError, match="weights"):
        compute_ranking([], {"total": 0}, ["A"])


def test_reviews_of_proposals_out_of_competition_are_left_out():
    result = compute_ranking(reviews_of({("A", "j1"): 5, ("W", "j1"): 9}), TOTAL, ["A"])
    assert [(row.proposal_id, row.rank) for row in result.rows] == [("A", 1)]
    assert result.judges[0].review_count == 1


def test_judge_statistics():
    totals = {("A", "j1"): 7, ("B", "j1"): 9, ("C", "j1"): 5, ("A", "j2"): 5, ("B", "j2"): 7}
    result = rank_totals(totals)
    j1, j2 = result.judges
    assert (j1.judge_id, j1.review_count, j1.mean, j1.sd) == ("j1", 3, 7, 2)
    assert (j2.review_count, j2.mean, j2.sd**2) == (2, 6, pytest.approx(2))
    # a 2-point gap on shared proposals, shrunk toward 0 as the judges have few reviews
    _, biases = ridge_by_lstsq(totals, PRIOR_REVIEWS)
    assert (j1.bias, j2.bias) == (pytest.approx(biases["j1"]), pytest.approx(biases["j2"]))
    assert 0 < j1.bias < 1 and j2.bias == pytest.approx(-j1.bias)
    assert (result.overall_mean, result.component_count) == (6.6, 1)


def large_round(proposals=10_000, reviews_each=5, judges=400, seed=0):
    rng = np.random.default_rng(seed)
    scores = rng.integers(1, 11, (proposals, reviews_each, 3)).tolist()
    panels = [rng.choice(40, reviews_each, replace=False) + 40 * (p % 10) for p in range(proposals)]
    reviews = [ReviewInput(p, int(judge), dict(zip("abc", scores[p][seat])))
               for p in range(proposals) for seat, judge in enumerate(panels[p].tolist())]
    return reviews, [ProposalInput(p, theme=p % 10) for p in range(proposals)]


def test_a_national_size_round_ranks_every_proposal():
    # Its speed is measured by the benchmark (bench/), never asserted in a test.
    reviews, proposals = large_round()
    result = compute_ranking(reviews, {"a": 1, "b": 1, "c": 1}, proposals, tie_break=["a"])
    assert len(result.rows) == 10_000 and result.component_count == 10
    assert sorted(row.rank for row in result.rows)[0] == 1


def test_the_fairness_bench_prints_a_line_per_scenario_and_its_verdict_line(capsys):
    bench = runpy.run_path(str(Path(__file__).resolve().parents[2] / "bench" / "fairness.py"))
    bench["main"](["--min-repetitions", "2", "--max-repetitions", "2", "--seed", "1"])
    lines = capsys.readouterr().out.splitlines()
    scenarios = [line for line in lines if line.startswith("scenario ")]
    number = r"\d\.\d{3}"
    for line, sd in zip(scenarios, ("0", "0.3", "0.6"), strict=True):
        assert re.fullmatch(
            rf"scenario theme_sd={sd} official=bias_model tau={number} plain_tau={number} "
            rf"oracle_tau={number} top20={number} flagged=\d+\.\d se={number} "
            rf"flag_in={number} unflagged_in={number}", line), line
    assert re.fullmatch(rf"official=bias_model tau={number} oracle_tau={number} "
                        rf"top20={number}", lines[-1])
    # the verdict repeats the scenario without a theme effect
    first = dict(field.split("=") for field in scenarios[0].split()[1:])
    assert lines[-1] == (f"official={first['official']} tau={first['tau']} "
                         f"oracle_tau={first['oracle_tau']} top20={first['top20']}")


def test_the_bench_reads_the_default_method_of_a_new_contest():
    bench = runpy.run_path(str(Path(__file__).resolve().parents[2] / "bench" / "fairness.py"))
    assert bench["default_method"]() == DEFAULT_OFFICIAL
