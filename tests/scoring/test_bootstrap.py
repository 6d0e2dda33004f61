"""Bootstrap intervals and "statistically tied" flags; no app needed."""
import numpy as np
import pytest

from portal.scoring import METHODS, bootstrap_ranking
from portal.scoring.bootstrap import _overlaps_any
from tests.scoring.builders import TOTAL, reviews_of

CLOSE_PAIR_AND_A_LAGGARD = {
    **{("A", judge): total for judge, total in zip("vwxyz", [9, 8, 9, 8, 9])},
    **{("B", judge): total for judge, total in zip("vwxyz", [8, 9, 8, 9, 8])},
    **{("C", judge): total for judge, total in zip("vwxyz", [2, 3, 2, 3, 2])},
}


def bootstrap(totals, proposals=None, **options):
    proposals = sorted({p for p, _ in totals}) if proposals is None else proposals
    options.setdefault("replicates", 200)
    return bootstrap_ranking(reviews_of(totals), TOTAL, proposals, **options)


def test_the_same_seed_gives_the_same_intervals_whatever_the_input_order():
    first = bootstrap(CLOSE_PAIR_AND_A_LAGGARD, seed=7)
    shuffled = dict(reversed(list(CLOSE_PAIR_AND_A_LAGGARD.items())))
    assert bootstrap(shuffled, proposals=["C", "B", "A"], seed=7) == first
    assert bootstrap(CLOSE_PAIR_AND_A_LAGGARD, seed=8) != first


def test_intervals_hold_the_score_and_the_rank():
    result = bootstrap(CLOSE_PAIR_AND_A_LAGGARD, official="plain")
    for interval in result.intervals:
        assert interval.score_low <= interval.score <= interval.score_high
        assert interval.rank_low <= interval.rank <= interval.rank_high
    laggard = result.intervals[-1]
    assert (laggard.proposal_id, laggard.rank_low, laggard.rank_high) == ("C", 3, 3)
    assert 2 <= laggard.score_low < laggard.score_high <= 3


def test_one_review_or_equal_totals_give_an_interval_of_width_zero():
    result = bootstrap({("A", "j1"): 6, ("B", "j1"): 7, ("B", "j2"): 7}, official="plain")
    assert [(i.proposal_id, i.score_low, i.score_high) for i in result.intervals] \
        == [("B", 7, 7), ("A", 6, 6)]


def test_overlapping_intervals_across_the_boundary_are_statistically_tied():
    top_one = bootstrap(CLOSE_PAIR_AND_A_LAGGARD, boundary=1, official="plain")
    assert [(i.proposal_id, i.statistically_tied) for i in top_one.intervals] \
        == [("A", True), ("B", True), ("C", False)]
    top_two = bootstrap(CLOSE_PAIR_AND_A_LAGGARD, boundary=2, official="plain")
    assert [i.statistically_tied for i in top_two.intervals] == [False, False, False]


def test_proposals_without_reviews_have_no_interval():
    result = bootstrap({("A", "j1"): 6}, proposals=["A", "Z"], boundary=1)
    assert result.intervals[-1].proposal_id == "Z"
    assert (result.intervals[-1].score_low, result.intervals[-1].statistically_tied) \
        == (None, False)


@pytest.mark.parametrize("method", list(METHODS))
def test_every_method_can_be_bootstrapped(method):
    result = bootstrap(CLOSE_PAIR_AND_A_LAGGARD, official=method, replicates=50)
    assert [i.proposal_id for i in result.intervals][-1] == "C"
    assert all(i.score_low <= i.score_high for i in result.intervals)


def test_an_empty_round_has_no_intervals_to_give():
    result = bootstrap_ranking([], TOTAL, ["A"], replicates=10)
    assert [(i.proposal_id, i.score, i.rank_low) for i in result.intervals] == [("A", None, None)]


def test_overlap_search_agrees_with_checking_every_pair():
    rng = np.random.default_rng(3)
    low, other_low = rng.uniform(0, 10, 40), rng.uniform(0, 10, 30)
    high, other_high = low + rng.uniform(0, 1, 40), other_low + rng.uniform(0, 1, 30)
    expected = [any(ol <= h and l <= oh for ol, oh in zip(other_low, other_high))
                for l, h in zip(low, high)]
    assert _overlaps_any(low, high, other_low, other_high).tolist() == expected
