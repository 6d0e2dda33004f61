"""The posterior's intervals, chances inside the boundary and flags; no app needed."""
import numpy as np
import pytest

from portal.scoring import ProposalInput, ReviewInput, flag_uncertain, rank_uncertainty
from portal.scoring.uncertainty import UNCERTAIN_HIGH, UNCERTAIN_LOW, estimate_variances
from portal.scoring.table import build_table
from tests.scoring.builders import TOTAL, reviews_of


def simulated(proposals=60, judges=12, per_proposal=3, seed=0):
    """{(proposal, judge): total} of a round with spread-out qualities."""
    rng = np.random.default_rng(seed)
    quality = np.linspace(2, 9, proposals)
    bias = rng.normal(0, 0.5, judges)
    totals = {}
    for p in range(proposals):
        for j in rng.choice(judges, per_proposal, replace=False).tolist():
            totals[(p, j)] = float(np.clip(np.round(quality[p] + bias[j] + rng.normal(0, 0.7)),
                                           1, 10))
    return totals


def by_id(result):
    return {item.proposal_id: item for item in result.proposals}


def uncertainty(totals, **options):
    proposals = sorted({p for p, _ in totals} | set(options.pop("extra", ())))
    return rank_uncertainty(reviews_of(totals), TOTAL, proposals, **options)


def test_the_chances_inside_add_up_to_the_boundary_and_a_clear_leader_is_certain():
    totals = simulated()
    result = uncertainty(totals, boundary=5, draws=500)
    chances = [item.inside_probability for item in result.proposals]
    assert sum(chances) == pytest.approx(5)
    items = by_id(result)
    assert items[59].inside_probability > UNCERTAIN_HIGH and not items[59].flagged
    assert items[0].inside_probability == 0 and not items[0].flagged
    assert result.flagged_count == sum(item.flagged for item in result.proposals) > 0
    for item in result.proposals:
        assert item.score_low < item.score_high and item.rank_low <= item.rank_high
        assert item.flagged == (UNCERTAIN_LOW <= item.inside_probability <= UNCERTAIN_HIGH)


def test_a_single_review_of_ten_is_never_shown_as_certain():
    totals = {**simulated(), (100, 0): 10.0}
    result = uncertainty(totals, boundary=5, planned={p: 3 for p in range(101)}, draws=500)
    items = by_id(result)
    single, full = items[100], items[59]
    assert single.review_count == 1 and single.under_reviewed and not full.under_reviewed
    assert single.flagged
    assert single.score_high - single.score_low > 1.5 * (full.score_high - full.score_low)
    assert single.rank_high - single.rank_low > 5
    assert single.score_low < 10 - 1


def test_a_single_review_planned_as_such_is_still_never_certain():
    totals = {**simulated(), (100, 0): 10.0}
    result = uncertainty(totals, boundary=5, planned={p: 1 for p in range(101)}, draws=500)
    single = by_id(result)[100]
    assert not single.under_reviewed and single.flagged


def test_a_proposal_with_fewer_reviews_than_planned_is_flagged_unless_clearly_out():
    assert flag_uncertain(0.95, under_reviewed=True)
    assert flag_uncertain(0.25, under_reviewed=True)
    assert not flag_uncertain(0.1, under_reviewed=True)
    assert not flag_uncertain(0.95) and flag_uncertain(0.5) and not flag_uncertain(None)


def test_without_a_boundary_there_are_intervals_and_no_chance():
    result = uncertainty(simulated(proposals=10), draws=50)
    assert all(item.inside_probability is None and not item.flagged
               for item in result.proposals)
    assert all(item.score_low is not None for item in result.proposals)


def test_a_proposal_without_reviews_has_no_figures_and_an_empty_round_is_fine():
    result = uncertainty({("A", "j1"): 7.0, ("B", "j1"): 5.0}, extra=["Z"], boundary=1,
                         draws=50)
    z = by_id(result)["Z"]
    assert (z.review_count, z.score_low, z.inside_probability, z.flagged) == (0, None, None,
                                                                              False)
    empty = rank_uncertainty([], TOTAL, ["A"], boundary=1)
    assert empty.variances is None and empty.proposals[0].inside_probability is None


def test_the_same_inputs_and_seed_give_the_same_figures_in_any_order():
    totals = simulated(proposals=20)
    reviews = reviews_of(totals)
    forward = rank_uncertainty(reviews, TOTAL, list(range(20)), boundary=3, draws=200, seed=4)
    backward = rank_uncertainty(reviews[::-1], TOTAL, list(range(20))[::-1], boundary=3,
                                draws=200, seed=4)
    assert forward == backward


def test_variances_lean_on_their_prior_in_a_tiny_round_and_on_the_data_in_a_large_one():
    tiny = estimate_variances(build_table(reviews_of({("A", "j1"): 9.0}), TOTAL, ["A"]))
    assert tiny.noise == pytest.approx(1) and tiny.quality == pytest.approx(1)
    assert tiny.bias == pytest.approx(tiny.noise / 2)
    large = estimate_variances(build_table(reviews_of(simulated(proposals=300, judges=30)),
                                           TOTAL, list(range(300))))
    # noise sd 0.7 plus rounding (1/12): variance about 0.57
    assert 0.4 < large.noise < 0.8
    assert large.quality > 3   # qualities spread evenly over 2-9: variance about 4.2


def test_the_chances_are_calibrated_on_rounds_drawn_from_the_model():
    """Of the proposals given a chance of 20-80 %, about that share are truly inside."""
    rng = np.random.default_rng(7)
    inside, chances = [], []
    for _ in range(6):
        quality = rng.normal(5.5, 1.5, 150)
        bias = rng.normal(0, 0.7, 15)
        reviews = []
        for p in range(150):
            for j in rng.choice(15, 3, replace=False).tolist():
                reviews.append(ReviewInput(p, j, {"total": float(
                    quality[p] + bias[j] + rng.normal(0, 1))}))
        result = rank_uncertainty(reviews, TOTAL, [ProposalInput(p) for p in range(150)],
                                  boundary=10, draws=400, seed=1)
        top = set(np.argsort(-quality)[:10].tolist())
        for item in result.proposals:
            if item.flagged:
                chances.append(item.inside_probability)
                inside.append(item.proposal_id in top)
    assert len(inside) > 20
    assert abs(np.mean(inside) - np.mean(chances)) < 0.2
