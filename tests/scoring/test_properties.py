"""Properties of the ranking engine, tried on generated rounds (hypothesis); no app needed."""
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

import numpy as np

from portal.scoring import SUBMISSION_TIME, CriterionInput, ProposalInput, ReviewInput, \
    compute_ranking
from portal.scoring.bias_model import fit_judge_bias
from portal.scoring.table import build_table

CRITERIA = [CriterionInput("innovation", 2), CriterionInput("operability", 1)]
WIDE_SCALE = [CriterionInput("total", 1, 0, 100)]
DAY = datetime(2014, 9, 1)


@st.composite
def rounds(draw):
    """Reviews on two criteria and proposals with themes and submission times."""
    proposal_count = draw(st.integers(0, 8))
    judge_count = draw(st.integers(1, 6))
    pairs = draw(st.sets(st.tuples(st.integers(0, max(proposal_count - 1, 0)),
                                   st.integers(0, judge_count - 1)), max_size=40))
    reviews = [ReviewInput(p, f"j{j}", {"innovation": draw(st.integers(1, 10)),
                                        "operability": draw(st.integers(1, 10))})
               for p, j in sorted(pairs) if p < proposal_count]
    proposals = [ProposalInput(p, theme=draw(st.sampled_from(["elderly", "orphan"])),
                               submitted_at=DAY + timedelta(hours=draw(st.integers(0, 3))))
                 for p in range(proposal_count)]
    return reviews, proposals


@settings(max_examples=60, deadline=None)
@given(rounds(), st.randoms(use_true_random=False))
def test_the_ranking_does_not_depend_on_the_order_of_its_input(round_, random):
    reviews, proposals = round_
    options = {"tie_break": ["innovation", SUBMISSION_TIME]}
    expected = compute_ranking(reviews, CRITERIA, proposals, **options)
    random.shuffle(reviews)
    random.shuffle(proposals)
    assert compute_ranking(reviews, CRITERIA, proposals, **options) == expected


@st.composite
def standardizable_rounds(draw):
    """{(proposal, judge): total}: every judge has five or more reviews, not all equal.

    Two judges' sets of five out of at most eight proposals always meet: the round is connected.
    """
    proposal_count = draw(st.integers(5, 8))
    totals = {}
    for judge in range(draw(st.integers(2, 4))):
        reviewed = draw(st.sets(st.integers(0, proposal_count - 1), min_size=5))
        given_totals = draw(st.lists(st.integers(40, 60), min_size=len(reviewed),
                                     max_size=len(reviewed)).filter(lambda t: len(set(t)) > 1))
        totals.update({(p, judge): total for p, total in zip(sorted(reviewed), given_totals)})
    return totals


def ranks_after_shift(totals, judge, shift, method):
    reviews = [ReviewInput(p, j, {"total": total + (shift if j == judge else 0)})
               for (p, j), total in totals.items()]
    result = compute_ranking(reviews, WIDE_SCALE, sorted({p for p, _ in totals}))
    return {row.proposal_id: row.ranks[method] for row in result.rows}


def least_squares_qualities(totals, judge, shift):
    reviews = [ReviewInput(p, j, {"total": total + (shift if j == judge else 0)})
               for (p, j), total in totals.items()]
    table = build_table(reviews, WIDE_SCALE, sorted({p for p, _ in totals}))
    return fit_judge_bias(table, prior_reviews=0).quality


@settings(max_examples=60, deadline=None)
@given(standardizable_rounds(), st.data())
def test_a_judge_harsher_by_a_constant_changes_no_standardized_or_least_squares_quality(
        totals, data):
    """The official bias model shrinks biases (a harsh judge with few reviews is not fully
    corrected, see the next test); its least-squares limit corrects a constant exactly."""
    judge = data.draw(st.sampled_from(sorted({j for _, j in totals})))
    shift = data.draw(st.floats(-10, 10, allow_nan=False))
    assert ranks_after_shift(totals, judge, shift, "standardized") \
        == ranks_after_shift(totals, judge, 0, "standardized")
    shifted, unshifted = (least_squares_qualities(totals, judge, shift),
                          least_squares_qualities(totals, judge, 0))
    # the same qualities up to a common constant (the biases' mean is zero by convention)
    assert np.allclose(shifted - shifted.mean(), unshifted - unshifted.mean())


@st.composite
def rounds_with_awkward_judges(draw):
    """{(proposal, judge): total} on 1-10, with a judge who gave one total throughout and a judge
    with a single review among ordinary ones."""
    proposal_count = draw(st.integers(2, 7))
    totals = {}
    for judge in range(draw(st.integers(1, 3))):
        reviewed = draw(st.sets(st.integers(0, proposal_count - 1), min_size=1))
        totals.update({(p, f"j{judge}"): draw(st.integers(1, 10)) for p in sorted(reviewed)})
    flat = draw(st.integers(1, 10))
    totals.update({(p, "flat"): flat for p in draw(st.sets(
        st.integers(0, proposal_count - 1), min_size=2))})
    totals[(draw(st.integers(0, proposal_count - 1)), "once")] = draw(st.integers(1, 10))
    return totals


def official_scores(totals):
    result = compute_ranking([ReviewInput(p, j, {"total": t}) for (p, j), t in totals.items()],
                             {"total": 1}, sorted({p for p, _ in totals}))
    return {row.proposal_id: row.score for row in result.rows}


@settings(max_examples=150, deadline=None)
@given(rounds_with_awkward_judges(), st.data())
def test_one_step_on_one_score_moves_no_official_score_by_more_than_one_step(totals, data):
    review = data.draw(st.sampled_from(sorted(totals)))
    step = data.draw(st.sampled_from([-1, 1]).filter(lambda s: 1 <= totals[review] + s <= 10))
    before = official_scores(totals)
    after = official_scores({**totals, review: totals[review] + step})
    assert all(abs(after[p] - before[p]) <= 1 + 1e-9 for p in before)
