"""Award allocation from ranked rows: pure, no app."""
from decimal import Decimal

from portal.awards.allocation import EQUAL_RANK, OVERALL, PER_THEME, STATISTICALLY_TIED, \
    Candidate, TierSpec, allocate, fingerprint, grant_for


def ranked(*specs):
    """Candidates from (id, theme, rank, theme rank) tuples, in the order given."""
    return [Candidate(pid, theme, rank, theme_rank) for pid, theme, rank, theme_rank in specs]


def placed(allocation):
    return [(p.proposal_id, p.tier_id) for p in allocation.placements]


ROWS = ranked(("a", "old", 1, 1), ("b", "edu", 2, 1), ("c", "old", 3, 2), ("d", "edu", 4, 2),
              ("e", "old", 5, 3), ("f", "env", 6, 1))


def test_overall_tiers_fill_from_the_top_in_tier_order():
    tiers = [TierSpec("first", 1), TierSpec("second", 2), TierSpec("third", 2)]
    result = allocate(tiers, ROWS)
    assert placed(result) == [("a", "first"), ("b", "second"), ("c", "second"),
                              ("d", "third"), ("e", "third")]
    assert [p.place for p in result.placements] == [1, 1, 2, 1, 2]
    assert not result.unfilled and not result.boundary_cases


def test_per_theme_quotas_fill_each_theme_from_its_own_ranking():
    tiers = [TierSpec("best", 1, PER_THEME)]
    result = allocate(tiers, ROWS, themes=["old", "edu", "env", "art"])
    assert placed(result) == [("a", "best"), ("b", "best"), ("f", "best")]
    assert result.unfilled == {("best", "art"): 1}


def test_per_theme_tier_after_an_overall_tier_skips_its_winners():
    tiers = [TierSpec("first", 1, OVERALL), TierSpec("theme", 1, PER_THEME)]
    result = allocate(tiers, ROWS, themes=["old", "edu", "env"])
    # a won the overall tier, so old's theme award goes to c, its next best
    assert placed(result) == [("a", "first"), ("c", "theme"), ("b", "theme"), ("f", "theme")]


def test_a_proposal_eligible_for_two_tiers_gets_one_award():
    tiers = [TierSpec("theme", 1, PER_THEME), TierSpec("overall", 2, OVERALL)]
    result = allocate(tiers, ROWS, themes=["old", "edu", "env"])
    ids = [p.proposal_id for p in result.placements]
    assert len(ids) == len(set(ids))
    assert placed(result)[-2:] == [("c", "overall"), ("d", "overall")]


def test_fewer_proposals_than_awards_leaves_places_empty():
    tiers = [TierSpec("first", 2), TierSpec("second", 10)]
    result = allocate(tiers, ROWS[:3])
    assert placed(result) == [("a", "first"), ("b", "first"), ("c", "second")]
    assert result.unfilled == {("second", None): 9}


def test_unscored_and_out_of_competition_proposals_are_skipped():
    rows = [Candidate("x", "old", 1, 1, in_competition=False), Candidate("a", "old", 2, 2),
            Candidate("u", "old", None, None), Candidate("b", "edu", 3, 1)]
    result = allocate([TierSpec("first", 3)], rows)
    assert placed(result) == [("a", "first"), ("b", "first")]
    assert result.unfilled == {("first", None): 1}


def test_equal_ranks_at_a_boundary_are_shown_for_a_decision():
    rows = ranked(("a", "old", 1, 1), ("b", "old", 2, 2), ("c", "edu", 2, 1), ("d", "edu", 4, 2))
    result = allocate([TierSpec("first", 2), TierSpec("second", 1)], rows)
    assert placed(result) == [("a", "first"), ("b", "first"), ("c", "second")]
    (case,) = result.boundary_cases
    assert (case.tier_id, case.theme, case.inside, case.outside, case.reason) == \
        ("first", None, "b", "c", EQUAL_RANK)


def test_overlapping_intervals_at_a_boundary_are_statistically_tied():
    rows = [Candidate("a", "old", 1, 1, score_low=8.0, score_high=9.0),
            Candidate("b", "old", 2, 2, score_low=7.0, score_high=8.2),
            Candidate("c", "old", 3, 3, score_low=5.0, score_high=6.0)]
    result = allocate([TierSpec("first", 1), TierSpec("second", 1)], rows)
    assert [(c.tier_id, c.inside, c.outside, c.reason) for c in result.boundary_cases] == \
        [("first", "a", "b", STATISTICALLY_TIED)]  # b and c do not overlap: no case


def test_without_intervals_the_flag_marks_a_statistical_tie():
    rows = [Candidate("a", "old", 1, 1), Candidate("b", "old", 2, 2, statistically_tied=True),
            Candidate("c", "old", 3, 3)]
    result = allocate([TierSpec("first", 1)], rows)
    assert [(c.inside, c.outside) for c in result.boundary_cases] == [("a", "b")]


def test_a_per_theme_boundary_compares_theme_ranks():
    rows = ranked(("a", "old", 1, 1), ("b", "edu", 2, 1), ("c", "old", 3, 2), ("d", "old", 3, 2))
    result = allocate([TierSpec("theme", 2, PER_THEME)], rows, themes=["old", "edu"])
    assert [(c.theme, c.inside, c.outside, c.reason) for c in result.boundary_cases] == \
        [("old", "c", "d", EQUAL_RANK)]


def test_no_boundary_case_when_nobody_is_left_out():
    rows = ranked(("a", "old", 1, 1), ("b", "old", 1, 2))
    assert allocate([TierSpec("first", 2)], rows).boundary_cases == []


def test_grants_fixed_or_up_to_the_budget():
    fixed = TierSpec("t", 1, grant_amount=Decimal("30000"))
    capped = TierSpec("t", 1, grant_amount=Decimal("30000"), grant_up_to_budget=True)
    whole = TierSpec("t", 1, grant_up_to_budget=True)
    assert grant_for(fixed, Decimal("50000")) == Decimal("30000")
    assert grant_for(capped, Decimal("50000")) == Decimal("30000")
    assert grant_for(capped, Decimal("12000")) == Decimal("12000")
    assert grant_for(whole, Decimal("12000")) == Decimal("12000")
    assert grant_for(whole, None) is None
    assert grant_for(TierSpec("t", 1), Decimal("5")) is None


def test_the_total_grant_and_the_fingerprint():
    rows = [Candidate("a", "old", 1, 1, budget=Decimal("10000")),
            Candidate("b", "old", 2, 2, budget=Decimal("90000"))]
    tiers = [TierSpec("first", 2, grant_amount=Decimal("50000"), grant_up_to_budget=True)]
    result = allocate(tiers, rows)
    assert result.total_grant == Decimal("60000")
    assert fingerprint(result, (1,)) == fingerprint(allocate(tiers, rows), (1,))
    assert fingerprint(result, (1,)) != fingerprint(result, (2,))
    assert fingerprint(result) != fingerprint(allocate(tiers[:0], rows))
