"""Properties of the ranking engine, tried on generated rounds (hypothesis); no app needed."""
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.scoring import SUBMISSION_TIME, CriterionInput, ProposalInput, ReviewInput, \
    compute_ranking

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


@settings(max_examples=60, deadline=None)
@given(standardizable_rounds(), st.data())
def test_a_judge_harsher_by_a_constant_changes_no_standardized_or_bias_model_rank(totals, data):
    judge = data.draw(st.sampled_from(sorted({j for _, j in totals})))
    shift = data.draw(st.floats(-10, 10, allow_nan=False))
    for method in ("standardized", "bias_model"):
        assert ranks_after_shift(totals, judge, shift, method) \
            == ranks_after_shift(totals, judge, 0, method)
