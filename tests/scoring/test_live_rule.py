"""The live round's rules (portal.scoring.live): hand-computed cases and properties."""
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.scoring.live import MEAN, TRIMMED, pitch_score, reveal_groups, running_ranking
from portal.scoring.methods import TRIM_FROM


def test_the_trimmed_mean_drops_one_highest_and_one_lowest():
    # 9.5 and 6 dropped: (8 + 8.5 + 7) / 3 = 23.5 / 3
    result = pitch_score([8, 9.5, 6, 8.5, 7], TRIMMED)
    assert result.score == Fraction(47, 6)
    assert (result.dropped_high, result.dropped_low) == (1, 2)
    assert not result.fell_back


def test_equal_extremes_drop_one_each_and_never_the_same_judge():
    result = pitch_score([7, 9, 9, 7, 8], TRIMMED)
    assert (result.dropped_high, result.dropped_low) == (1, 3)
    assert result.score == Fraction(24, 3)
    same = pitch_score([8, 8, 8, 8, 8], TRIMMED)
    assert same.dropped_high != same.dropped_low and same.score == 8


def test_with_fewer_than_five_scores_the_trimmed_rule_falls_back_to_the_mean():
    result = pitch_score([6, 9, 7, 10], TRIMMED)
    assert result.score == Fraction(32, 4) and result.fell_back
    assert result.dropped_high is None and result.dropped_low is None


def test_the_mean_rule_keeps_every_score_exactly():
    assert pitch_score(["7.5", "8", "9.25"], MEAN).score == Fraction(2475, 300)
    assert not pitch_score([1, 2, 3, 4, 5, 6], MEAN).fell_back


def test_no_score_gives_no_score():
    assert pitch_score([], MEAN).score is None
    assert pitch_score([], TRIMMED).score is None


def test_the_running_ranking_shares_ranks_and_keeps_the_running_order_in_a_tie():
    assert running_ranking([("a", 7), ("b", 9), ("c", 7), ("d", 6)]) == [
        (1, "b", 9), (2, "a", 7), (2, "c", 7), (4, "d", 6)]


def test_the_final_ranking_is_revealed_bottom_group_first():
    ranked = ["p1", "p2", "p3", "p4", "p5", "p6", "p7"]
    assert reveal_groups(ranked, [1, 2, 3]) == [
        (None, ["p7"]), (2, ["p4", "p5", "p6"]), (1, ["p2", "p3"]), (0, ["p1"])]
    # More prizes than finalists: the lower tiers stay empty and are left out.
    assert reveal_groups(["p1", "p2"], [1, 3, 5]) == [(1, ["p2"]), (0, ["p1"])]


scores = st.lists(st.integers(min_value=0, max_value=100).map(lambda n: Fraction(n, 10)),
                  min_size=1, max_size=12)


@settings(deadline=None)   # a shared, busy machine: time is not what is tested
@given(scores)
def test_the_trimmed_mean_lies_between_the_lowest_and_the_highest(values):
    result = pitch_score(values, TRIMMED)
    assert min(values) <= result.score <= max(values)
    assert result.fell_back == (len(values) < TRIM_FROM)


@settings(deadline=None)   # a shared, busy machine: time is not what is tested
@given(scores)
def test_the_trimmed_mean_is_the_mean_of_the_scores_kept(values):
    result = pitch_score(values, TRIMMED)
    if result.fell_back:
        assert result.score == sum(values) / len(values)
    else:
        kept = [v for i, v in enumerate(values) if i not in (result.dropped_high,
                                                              result.dropped_low)]
        assert len(kept) == len(values) - 2
        assert values[result.dropped_high] == max(values)
        assert values[result.dropped_low] == min(values)
        assert result.score == sum(kept) / len(kept)


@settings(deadline=None)   # a shared, busy machine: time is not what is tested
@given(scores, st.randoms())
def test_the_score_does_not_depend_on_the_order_of_the_judges(values, rng):
    shuffled = list(values)
    rng.shuffle(shuffled)
    for rule in (MEAN, TRIMMED):
        assert pitch_score(values, rule).score == pitch_score(shuffled, rule).score


@settings(deadline=None)   # a shared, busy machine: time is not what is tested
@given(scores)
def test_one_outlier_cannot_move_the_trimmed_mean_beyond_the_others(values):
    if len(values) >= TRIM_FROM:
        others = pitch_score(values, TRIMMED).score
        extreme = pitch_score(values + [Fraction(1000)], TRIMMED).score
        assert extreme <= max(values)
        assert others <= max(values)
