"""Invariants of automatic assignment on random small rounds (hypothesis); no app needed."""
from collections import Counter
from dataclasses import dataclass

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portal.assignment import Assignment, Conflict, ConflictReason, IssueKind, Judge, Proposal, \
    plan_assignments

THEMES = ("elderly", "orphans", "disabled")
STRAY_ID = 99  # neither a judge nor a proposal of the round
SETTINGS = settings(max_examples=200, deadline=None)


@dataclass
class Round:
    proposals: list
    judges: list
    k: int
    existing: list
    conflicts: list
    max_load: int | None

    def plan(self):
        return plan_assignments(self.proposals, self.judges, self.k, existing=self.existing,
                                conflicts=self.conflicts, max_load=self.max_load)

    def judge(self, judge_id):
        return next((judge for judge in self.judges if judge.id == judge_id), None)

    def theme_of(self, proposal_id):
        return next(p.theme for p in self.proposals if p.id == proposal_id)

    def eligible(self, proposal_id, judge_id):
        judge = self.judge(judge_id)
        conflicted = {(c.proposal_id, c.judge_id) for c in self.conflicts}
        return judge is not None and judge.active and (proposal_id, judge_id) not in conflicted

    def in_pool(self, proposal_id, judge_id):
        return self.theme_of(proposal_id) in self.judge(judge_id).expertise

    def eligible_judges(self, proposal_id, pool_only=False):
        return [judge.id for judge in self.judges if self.eligible(proposal_id, judge.id)
                and (not pool_only or self.in_pool(proposal_id, judge.id))]


@st.composite
def rounds(draw, clean=False):
    """A random round; clean: one expertise per judge, every judge active, no conflicts, no
    existing assignments, no cap."""
    expertise = st.frozensets(st.sampled_from(THEMES), min_size=1 if clean else 0,
                              max_size=1 if clean else 2)
    active = st.just(True) if clean else st.sampled_from([True] * 5 + [False])
    judges = [Judge(judge_id, draw(expertise), draw(active))
              for judge_id in range(1, draw(st.integers(0, 6)) + 1)]
    proposals = [Proposal(proposal_id, draw(st.sampled_from(THEMES)))
                 for proposal_id in range(1, draw(st.integers(0, 10)) + 1)]
    k, max_load = draw(st.integers(1, 4)), None if clean else draw(st.none() | st.integers(0, 6))
    pairs = [(p.id, j.id) for p in proposals for j in judges]
    if clean or not pairs:
        return Round(proposals, judges, k, [], [], max_load)
    conflicts = [Conflict(*pair, (ConflictReason.ORGANIZER,))
                 for pair in draw(st.lists(st.sampled_from(pairs), max_size=8))]
    existing = draw(st.lists(st.sampled_from(pairs + [(STRAY_ID, 1), (1, STRAY_ID)]),
                             max_size=6))
    return Round(proposals, judges, k, existing, conflicts, max_load)


def everyone_on(plan):
    return plan.new + plan.kept


def could_take(a_round, plan, proposal_id, giver, taker):
    """Whether the taker could have the giver's new assignment instead: same tier, eligible,
    not on the proposal yet. (The cap needs no check: a taker two below a giver has room.)"""
    return (a_round.eligible(proposal_id, taker)
            and a_round.in_pool(proposal_id, taker) == a_round.in_pool(proposal_id, giver)
            and taker not in plan.judges_for(proposal_id))


def reachable_by_hand_overs(a_round, plan, start):
    """Judges that some chain of hand-overs of new assignments leads to from `start`."""
    new_of = {judge.id: [a.proposal_id for a in plan.new if a.judge_id == judge.id]
              for judge in a_round.judges}
    reached = {start}
    while True:
        further = {taker.id for giver in reached for proposal_id in new_of[giver]
                   for taker in a_round.judges
                   if could_take(a_round, plan, proposal_id, giver, taker.id)}
        if further <= reached:
            return reached - {start}
        reached |= further


@SETTINGS
@given(rounds())
def test_each_proposal_gets_k_judges_or_every_eligible_one(a_round):
    plan = a_round.plan()
    kept = Counter(assignment.proposal_id for assignment in plan.kept)
    loads = plan.load_by_judge()
    for proposal in a_round.proposals:
        eligible = a_round.eligible_judges(proposal.id)
        on = plan.judges_for(proposal.id)
        if plan.max_load is None:
            assert len(on) == max(kept[proposal.id], min(a_round.k, len(eligible)))
        elif len(on) < a_round.k:
            # Short under a cap only when every other eligible judge is full.
            assert all(loads[judge_id] >= plan.max_load
                       for judge_id in set(eligible) - set(on))


@SETTINGS
@given(rounds())
def test_no_conflicted_or_inactive_judge_is_ever_assigned(a_round):
    plan = a_round.plan()
    for assignment in everyone_on(plan):
        assert a_round.eligible(assignment.proposal_id, assignment.judge_id)
    existing = {Assignment(*pair) for pair in a_round.existing}
    assert set(plan.kept) | set(plan.invalid) == existing
    reported = {(issue.proposal_id, issue.judge_id) for issue in plan.issues
                if issue.kind in IssueKind.INVALID_ASSIGNMENT}
    assert reported == {(a.proposal_id, a.judge_id) for a in plan.invalid}


@SETTINGS
@given(rounds())
def test_new_assignments_respect_the_cap_and_loads_add_up(a_round):
    plan = a_round.plan()
    counted = Counter(assignment.judge_id for assignment in everyone_on(plan))
    assert plan.load_by_judge() == {judge.id: counted[judge.id] for judge in a_round.judges}
    for load in plan.loads:
        if load.new and plan.max_load is not None:
            assert load.total <= plan.max_load


@SETTINGS
@given(rounds())
def test_judges_outside_the_pool_beyond_the_cross_seats_only_when_the_pool_runs_out(a_round):
    a_round.max_load = None  # under a cap, full pool judges are a reason of their own
    plan = a_round.plan()
    for assignment in plan.new:
        if a_round.in_pool(assignment.proposal_id, assignment.judge_id):
            continue
        on = plan.judges_for(assignment.proposal_id)
        outside = [judge for judge in on if not a_round.in_pool(assignment.proposal_id, judge)]
        if len(outside) > plan.cross_theme_seats:
            pool = a_round.eligible_judges(assignment.proposal_id, pool_only=True)
            assert set(pool) <= set(on)


@SETTINGS
@given(rounds())
def test_each_proposal_gets_its_cross_theme_seat_when_a_judge_of_another_theme_can_take_it(
        a_round):
    """With conflicts and uneven pools (no cap, nothing kept)."""
    a_round.max_load, a_round.existing = None, []
    plan = a_round.plan()
    assert plan.cross_theme_seats == min(1, a_round.k - 1)
    for proposal in a_round.proposals:
        outside = [judge for judge in plan.judges_for(proposal.id)
                   if not a_round.in_pool(proposal.id, judge)]
        eligible_outside = [judge for judge in a_round.eligible_judges(proposal.id)
                            if not a_round.in_pool(proposal.id, judge)]
        assert len(outside) >= min(plan.cross_theme_seats, len(eligible_outside))
        if len(outside) <= plan.cross_theme_seats:
            assert not [issue for issue in plan.issues if issue.proposal_id == proposal.id
                        and issue.kind == IssueKind.OUTSIDE_EXPERTISE]


@SETTINGS
@given(rounds())
def test_the_plan_counts_the_components_of_its_judges(a_round):
    """Judges linked by shared proposals, found here by merging groups one proposal at a time."""
    plan = a_round.plan()
    groups = []
    for judges_on in plan.judges_by_proposal().values():
        touching = [group for group in groups if group & set(judges_on)]
        merged = set(judges_on).union(*touching)
        groups = [group for group in groups if group not in touching] + [merged]
    assert plan.component_count == len(groups)
    assert plan.connected == (len(groups) <= 1)


@SETTINGS
@given(rounds())
def test_no_hand_over_or_chain_of_them_would_even_out_loads(a_round):
    plan = a_round.plan()
    loads = plan.load_by_judge()
    for assignment in plan.new:
        giver = assignment.judge_id
        for taker in a_round.judges:
            if could_take(a_round, plan, assignment.proposal_id, giver, taker.id):
                assert loads[taker.id] >= loads[giver] - 1
    for giver in {assignment.judge_id for assignment in plan.new}:
        for taker in reachable_by_hand_overs(a_round, plan, giver):
            assert loads[taker] >= loads[giver] - 1


@SETTINGS
@given(rounds(clean=True))
def test_in_a_clean_round_each_theme_pool_is_balanced_within_one(a_round):
    loads = a_round.plan().load_by_judge()
    for theme in THEMES:
        pool = [loads[judge.id] for judge in a_round.judges if theme in judge.expertise]
        if pool:
            assert max(pool) - min(pool) <= 1


@SETTINGS
@given(rounds(), st.data())
def test_the_plan_depends_on_the_input_not_on_its_order(a_round, data):
    plan = a_round.plan()
    assert a_round.plan() == plan
    shuffled = Round(
        data.draw(st.permutations(a_round.proposals)), data.draw(st.permutations(a_round.judges)),
        a_round.k, [Assignment(*pair) for pair in data.draw(st.permutations(a_round.existing))],
        data.draw(st.permutations(a_round.conflicts)), a_round.max_load)
    assert shuffled.plan() == plan


@st.composite
def linkable_rounds(draw):
    """Rounds with conflicts and uneven pools where a linked plan exists by construction: every
    theme has proposals and two judges of its own, and every proposal at least two eligible
    judges of each side (so any judge can be swapped for another), k=2, a cap with slack and
    more proposals than judges (enough pairs to link them all)."""
    themes = THEMES[:draw(st.integers(2, 3))]
    judges = []
    for theme in themes:
        for _ in range(draw(st.integers(2, 3))):
            extra = draw(st.sets(st.sampled_from(themes), max_size=1))
            judges.append(Judge(len(judges) + 1, {theme} | extra))
    proposals = [Proposal(at + 1, theme) for at, theme in enumerate(
        list(themes) + draw(st.lists(st.sampled_from(themes), min_size=len(judges),
                                     max_size=len(judges) + 6)))]
    pairs = [(p.id, j.id) for p in proposals for j in judges]
    conflicts = [Conflict(*pair, (ConflictReason.ORGANIZER,))
                 for pair in draw(st.lists(st.sampled_from(pairs), max_size=len(proposals)))]
    a_round = Round(proposals, judges, 2, [], conflicts, None)
    for proposal in proposals:
        eligible = a_round.eligible_judges(proposal.id)
        in_pool = a_round.eligible_judges(proposal.id, pool_only=True)
        assume(len(in_pool) >= 2 and len(eligible) - len(in_pool) >= 2)
    slack = -(-2 * len(proposals) // len(judges)) + draw(st.integers(2, 4))
    a_round.max_load = draw(st.none() | st.just(slack))
    return a_round


@SETTINGS
@given(linkable_rounds())
def test_with_conflicts_and_uneven_pools_a_linkable_round_is_planned_linked(a_round):
    plan = a_round.plan()
    assert (plan.component_count, plan.connected) == (1, True)
    assert not [issue for issue in plan.issues if issue.kind == IssueKind.DISCONNECTED]
    for proposal in a_round.proposals:
        on = plan.judges_for(proposal.id)
        assert len(on) == 2 and all(a_round.eligible(proposal.id, judge) for judge in on)
        assert sorted(a_round.in_pool(proposal.id, judge) for judge in on) == [False, True]
