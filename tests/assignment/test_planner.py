"""Automatic assignment on hand-built rounds, the impossible ones included; no app needed."""
import pytest

from portal.assignment import Assignment, Conflict, ConflictReason, IssueKind, Judge, Proposal, \
    plan_assignments

AID = "disabled"  # 助残


def judges(*ids, expertise=(AID,), active=True):
    return [Judge(judge_id, expertise=expertise, active=active) for judge_id in ids]


def proposals(*ids, theme=AID, theme_name="助残"):
    return [Proposal(proposal_id, theme, theme_name) for proposal_id in ids]


def organizer_conflicts(*pairs):
    return [Conflict(proposal_id, judge_id, (ConflictReason.ORGANIZER,))
            for proposal_id, judge_id in pairs]


def kinds(plan):
    return [issue.kind for issue in plan.issues]


def test_loads_are_even_and_ties_go_to_the_lowest_id():
    plan = plan_assignments(proposals(1, 2, 3), judges(1, 2, 3, 4), 2)
    assert plan.load_by_judge() == {1: 2, 2: 2, 3: 1, 4: 1}
    assert plan.issues == () and plan.kept == () and plan.invalid == ()


def test_a_pool_of_two_for_k_three_is_explained_when_nobody_else_can_help():
    plan = plan_assignments(proposals(1), judges(1, 2), 3)
    assert plan.judges_for(1) == [1, 2]
    [issue] = plan.issues
    assert (issue.kind, issue.theme, issue.theme_name, issue.proposal_id, issue.needed,
            issue.available) == (IssueKind.SHORTFALL, AID, "助残", 1, 3, 2)
    assert issue.message == "theme 助残: 2 judges for k=3 (proposal 1)"


def test_judges_from_other_themes_fill_a_short_pool_and_it_is_said():
    outsiders = judges(8, 9, expertise=("elderly",))
    plan = plan_assignments(proposals(1, 2), judges(1, 2) + outsiders, 3, cross_theme_seats=0)
    assert plan.judges_for(1) == [1, 2, 8] and plan.judges_for(2) == [1, 2, 9]
    assert kinds(plan) == [IssueKind.OUTSIDE_EXPERTISE] * 2
    assert plan.issues[0].available == 2
    assert plan.issues[0].message.startswith("theme 助残: 2 judges with this expertise for k=3")


def test_pools_only_uses_no_judge_of_another_theme_when_the_pool_suffices():
    plan = plan_assignments(proposals(1, 2, 3), judges(1, 2) + judges(9, expertise=()), 2,
                            cross_theme_seats=0)
    assert plan.load_by_judge() == {1: 3, 2: 3, 9: 0}
    assert plan.component_count == 1


def test_by_default_each_proposal_has_one_judge_of_another_theme_and_it_is_no_issue():
    elderly = [Proposal(4, "elderly"), Proposal(5, "elderly")]
    plan = plan_assignments(proposals(1, 2) + elderly,
                            judges(1, 2) + judges(3, 4, expertise=("elderly",)), 2)
    assert plan.cross_theme_seats == 1 and plan.issues == ()
    for disabled_judge, elderly_judge in plan.judges_by_proposal().values():
        assert disabled_judge in (1, 2) and elderly_judge in (3, 4)


def test_a_plan_the_fill_splits_is_linked_by_exchanging_two_pool_seats():
    # The fill gives 1: [1, 3], 2: [2, 4], 4: [1, 3], 5: [2, 4], two groups {1, 3} and {2, 4}
    # although every proposal has a judge of each theme. Judges 1 and 2 exchange proposals 1
    # and 2: both stay in their pool, every load stays 1 + 1, and 2-3, 1-4, 1-3, 2-4 link all.
    elderly = [Proposal(4, "elderly"), Proposal(5, "elderly")]
    plan = plan_assignments(proposals(1, 2) + elderly,
                            judges(1, 2) + judges(3, 4, expertise=("elderly",)), 2)
    assert [plan.judges_for(p) for p in (1, 2, 4, 5)] == [[2, 3], [1, 4], [1, 3], [2, 4]]
    assert (plan.component_count, plan.connected) == (1, True)
    assert plan.load_by_judge() == {1: 2, 2: 2, 3: 2, 4: 2}


def test_a_round_whose_balance_allows_no_linked_plan_is_reported():
    # Three proposals with two judges each cannot link six judges (nine nodes need eight
    # pairs), and leaving a judge idle would break the balance: it stays three groups.
    plan = plan_assignments(proposals(1, 2, 3), judges(1, 2, 3, 4, 5, 6), 2)
    assert plan.component_count == 3
    assert [issue.kind for issue in plan.issues] == [IssueKind.DISCONNECTED]


def test_a_conflict_structure_that_allows_no_linked_plan_is_reported():
    # Each proposal's only eligible judge of the other theme is also on no other proposal's
    # list: proposal 1 (disabled) can have judges 1 and 3, proposal 4 (elderly) only 2 and 4.
    elderly = [Proposal(4, "elderly", "为老")]
    plan = plan_assignments(proposals(1) + elderly,
                            judges(1, 2) + judges(3, 4, expertise=("elderly",)), 2,
                            conflicts=organizer_conflicts((1, 2), (1, 4), (4, 1), (4, 3)))
    assert [plan.judges_for(1), plan.judges_for(4)] == [[1, 3], [2, 4]]
    assert (plan.component_count, plan.connected) == (2, False)
    [issue] = plan.issues
    assert (issue.kind, issue.groups) == (IssueKind.DISCONNECTED, 2)
    assert issue.message == "the judges fall into 2 separate groups that share no proposal, " \
                            "and no move within the rules (conflicts, load cap, balance) links them"


def test_separate_pools_by_choice_are_not_reported():
    elderly = [Proposal(4, "elderly")]
    plan = plan_assignments(proposals(1) + elderly,
                            judges(1, 2) + judges(3, 4, expertise=("elderly",)), 2,
                            cross_theme_seats=0)
    assert (plan.component_count, plan.issues) == (2, ())


def test_separate_pools_are_two_components_and_a_cross_seat_links_them():
    elderly = [Proposal(4, "elderly")]
    pools = judges(1) + judges(3, expertise=("elderly",))
    apart = plan_assignments(proposals(1) + elderly, pools, 1)
    assert (apart.cross_theme_seats, apart.component_count, apart.connected) == (0, 2, False)
    linked = plan_assignments(proposals(1) + elderly, pools, 2)
    assert (linked.component_count, linked.connected) == (1, True)


def test_the_cross_theme_seat_goes_first_to_a_judge_who_declared_a_second_theme():
    broad = judges(9, expertise=("elderly", "orphans"))
    plan = plan_assignments(proposals(1), judges(1) + judges(2, expertise=("elderly",)) + broad,
                            2)
    assert plan.judges_for(1) == [1, 9]


def test_a_share_of_cross_theme_seats_is_set_by_the_organizer_and_capped_at_k_minus_one():
    others = judges(5, 6, 7, expertise=("elderly",))
    plan = plan_assignments(proposals(1), judges(1, 2, 3) + others, 3, cross_theme_seats=2)
    assert plan.judges_for(1) == [1, 5, 6]
    assert plan_assignments(proposals(1), judges(1, 2, 3) + others, 3,
                            cross_theme_seats=9).judges_for(1) == [1, 5, 6]
    with pytest.raises(ValueError, match="cross_theme_seats"):
        plan_assignments(proposals(1), judges(1), 1, cross_theme_seats=-1)


def test_every_judge_conflicted_leaves_the_proposal_without_judges():
    plan = plan_assignments(proposals(1, 2), judges(1, 2), 1,
                            conflicts=organizer_conflicts((1, 1), (1, 2)))
    assert plan.judges_for(1) == [] and plan.judges_for(2) == [1]
    [issue] = plan.issues
    assert (issue.kind, issue.proposal_id, issue.available, issue.capped) == (
        IssueKind.SHORTFALL, 1, 0, 0)


def test_k_larger_than_the_number_of_judges_gives_each_proposal_every_judge():
    plan = plan_assignments(proposals(1, 2), judges(1, 2, 3), 5)
    assert plan.judges_for(1) == plan.judges_for(2) == [1, 2, 3]
    assert [(issue.kind, issue.available) for issue in plan.issues] == [
        (IssueKind.SHORTFALL, 3)] * 2


def test_no_proposals_gives_an_empty_plan_and_reports_stray_assignments():
    plan = plan_assignments([], judges(1), 2, existing=[(5, 1)])
    assert plan.new == plan.kept == () and plan.invalid == (Assignment(5, 1),)
    assert kinds(plan) == [IssueKind.UNKNOWN_PROPOSAL]
    assert plan.load_by_judge() == {1: 0}


def test_existing_assignments_count_toward_k_and_toward_load():
    plan = plan_assignments(proposals(1, 2), judges(1, 2, 3), 2, existing=[Assignment(1, 3)])
    assert plan.kept == (Assignment(1, 3),)
    assert plan.judges_for(1) == [1, 3]
    assert plan.judges_for(2) == [1, 2]
    assert plan.load_by_judge() == {1: 2, 2: 1, 3: 1}


def test_existing_assignments_beyond_k_are_kept_and_reported():
    plan = plan_assignments(proposals(1), judges(1, 2, 3), 2,
                            existing=[(1, 1), (1, 2), (1, 3), (1, 3)])
    assert plan.new == () and len(plan.kept) == 3
    [issue] = plan.issues
    assert (issue.kind, issue.needed, issue.available) == (IssueKind.OVER_ASSIGNED, 2, 3)


def test_inactive_judges_are_never_assigned_and_their_assignments_are_reported():
    plan = plan_assignments(proposals(1), judges(1) + judges(2, active=False), 1,
                            existing=[(1, 2)])
    assert plan.judges_for(1) == [1] and plan.invalid == (Assignment(1, 2),)
    [issue] = plan.issues
    assert (issue.kind, issue.proposal_id, issue.judge_id) == (IssueKind.INACTIVE_JUDGE, 1, 2)


def test_an_assignment_to_a_now_conflicted_judge_is_reported_with_the_reasons_and_replaced():
    conflict = Conflict(1, 1, (ConflictReason.SAME_ORGANIZATION,))
    plan = plan_assignments(proposals(1), judges(1, 2), 1, existing=[(1, 1)],
                            conflicts=[conflict])
    assert plan.new == (Assignment(1, 2),) and plan.kept == ()
    [issue] = plan.issues
    assert (issue.kind, issue.judge_id, issue.reasons) == (
        IssueKind.CONFLICTED_JUDGE, 1, (ConflictReason.SAME_ORGANIZATION,))
    assert "same_organization" in issue.message


def test_an_assignment_to_an_unknown_judge_is_reported():
    plan = plan_assignments(proposals(1), judges(1), 1, existing=[(1, 42)])
    assert plan.judges_for(1) == [1] and kinds(plan) == [IssueKind.UNKNOWN_JUDGE]


def test_the_scarcest_proposal_is_served_first():
    # Proposal 2 can only have judge 1; with a cap of 1, proposal 1 must make do with judge 2.
    plan = plan_assignments(proposals(1, 2), judges(1, 2), 1, max_load=1,
                            conflicts=organizer_conflicts((2, 2)))
    assert plan.new == (Assignment(1, 2), Assignment(2, 1)) and plan.issues == ()


def test_room_is_made_under_the_cap_by_handing_assignments_on():
    # Equally scarce: greedy gives 1 to judge 1 and 2 to judge 2, leaving proposal 3 (judges 1
    # and 2 only) nobody under the cap; handing 2 on to judge 3 frees judge 2 for it.
    conflicts = organizer_conflicts((1, 3), (2, 1), (3, 3))
    plan = plan_assignments(proposals(1, 2, 3), judges(1, 2, 3), 1, max_load=1,
                            conflicts=conflicts)
    assert plan.new == (Assignment(1, 1), Assignment(2, 3), Assignment(3, 2))
    assert plan.issues == ()


def test_the_cap_limits_loads_and_the_shortfall_says_how_many_judges_are_full():
    plan = plan_assignments(proposals(1, 2, 3), judges(1, 2), 2, max_load=2)
    assert plan.load_by_judge() == {1: 2, 2: 2}
    [issue] = plan.issues
    assert (issue.kind, issue.proposal_id, issue.available, issue.capped) == (
        IssueKind.SHORTFALL, 3, 0, 2)
    assert issue.message.endswith("; 2 other eligible judges are at the load cap")


def test_a_judge_kept_above_the_cap_gets_nothing_new():
    plan = plan_assignments(proposals(1, 2, 3), judges(1, 2), 1, max_load=1,
                            existing=[(1, 1), (2, 1)])
    assert plan.new == (Assignment(3, 2),)


def test_a_judge_in_two_pools_is_balanced_on_total_load():
    both = Judge(1, expertise=(AID, "elderly"))
    plan = plan_assignments(proposals(1, 2) + proposals(3, 4, theme="elderly", theme_name="安老"),
                            [both] + judges(2) + judges(3, expertise=("elderly",)), 1)
    assert plan.load_by_judge() == {1: 2, 2: 1, 3: 1}


def test_a_chain_of_hand_overs_evens_out_what_no_single_one_can():
    # Greedy leaves loads 3, 2, 1; judge 1 can only hand on to judge 2, judge 2 only to judge 3.
    plan = plan_assignments(
        [Proposal(1, "elderly")] + proposals(2, 3),
        judges(1) + judges(2, expertise=()) + judges(3, expertise=("elderly", "orphans")), 2,
        conflicts=organizer_conflicts((2, 3)), cross_theme_seats=0)
    assert plan.load_by_judge() == {1: 2, 2: 2, 3: 2}
    assert plan.issues[0].kind == IssueKind.OUTSIDE_EXPERTISE


@pytest.mark.parametrize("k, max_load", [(0, None), (True, None), (2, -1), (1.5, None)])
def test_bad_numbers_are_refused(k, max_load):
    with pytest.raises(ValueError):
        plan_assignments(proposals(1), judges(1), k, max_load=max_load)


def test_repeated_ids_are_refused():
    with pytest.raises(ValueError, match="judge ids"):
        plan_assignments(proposals(1), judges(1, 1), 1)
