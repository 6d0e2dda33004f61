"""Automatic judge assignment for a round: a plan of who reviews what, for the organizer to save."""
from collections import Counter, defaultdict

from portal.assignment import issues
from portal.assignment.balance import make_room, rebalance
from portal.assignment.board import OUTSIDE, POOL, Board
from portal.assignment.conflicts import ordered_reasons
from portal.assignment.connect import connect
from portal.assignment.records import Assignment, IssueKind, JudgeLoad, Plan

# Seats of each proposal that go to a judge from another theme's pool, by default: one links the
# theme pools, so that the ranking can tell a strict pool from a weak theme (docs/ranking.md).
CROSS_THEME_SEATS = 1


def plan_assignments(proposals, judges, k, *, existing=(), conflicts=(), max_load=None,
                     cross_theme_seats=CROSS_THEME_SEATS):
    """Give every proposal k judges; returns a Plan and writes nothing.

    proposals: the round's Proposal records that need judges; judges: the contest's Judge records;
    existing: the round's Assignment records (or (proposal id, judge id) pairs); conflicts:
    Conflict records (see find_conflicts); max_load: the most proposals a judge may have in the
    round, None for no cap. Ids must be unique and sortable (all ints, or all strings); the
    plan does not depend on the order of any input.

    Who may review: a judge is eligible for a proposal when active and not in conflict with it.
    The theme pool of a theme is the set of active judges whose expertise includes that theme.
    A proposal takes k - c judges from its theme's pool, c = min(cross_theme_seats, k - 1), and
    c judges from outside it (the cross-theme seats: outside the judge's expertise by design, and
    not reported); a judge who declared more than one theme is preferred for them among equally
    loaded judges. When one side cannot supply its share (too few eligible judges, or at the
    cap), the other makes up the proposal's k; a pool that falls short of k - c is reported.
    The cross-theme seats connect the pools: the plan's component_count is the number of groups
    of judges linked by shared proposals (1: every two themes can be compared). When the filled
    plan is split, new assignments are moved within their tier, or exchanged, until it is one
    group, each move keeping every rule below (connect.py); a plan with cross-theme seats that
    no such move links is reported.

    Existing assignments: valid ones are kept and count toward k and toward load; one to an
    inactive, conflicted or unknown judge, or to a proposal not in `proposals`, is not kept (it
    counts toward neither) and is reported so that the organizer can reassign it. Nothing is
    removed: a proposal already above k stays so, with an issue.

    Balance: a judge's load is the number of proposals they have in the round once the plan is
    saved (kept and new, every theme), so a judge in several pools is balanced on that one total.
    New assignments go to the least loaded eligible judge (ties: lowest id), proposals with the
    fewest eligible judges first; then new assignments are handed on from busier judges until
    no chain of hand-overs within a tier (pool to pool, outside to outside, each taker eligible
    and not on the proposal yet) runs from a judge to one whose load is two or more below. In
    particular, for every new assignment (p, a) and every judge b of a's tier for p who is
    eligible for p, not on p and below the cap: load(b) >= load(a) - 1. So in a theme pool whose
    judges could each take each of its proposals (no conflicts, no cap, no existing assignments,
    no judge in two pools) max load - min load <= 1. Otherwise a larger spread is one that
    conflicts, the cap, kept assignments (never moved) or other themes' work force: only new
    assignments move, and no judge a new assignment could go to is two or more below its holder.
    """
    _check_numbers(k, max_load)
    if isinstance(cross_theme_seats, bool) or not isinstance(cross_theme_seats, int) \
            or cross_theme_seats < 0:
        raise ValueError(f"cross_theme_seats must be a whole number of at least 0, "
                         f"not {cross_theme_seats!r}")
    cross = min(cross_theme_seats, k - 1)
    proposals = _sorted_by_id(proposals, "proposal")
    judges = _sorted_by_id(judges, "judge")
    reasons_by_pair = _reasons_by_pair(conflicts)
    kept, invalid, existing_issues = _split_existing(existing, proposals, judges, reasons_by_pair)
    board = Board(proposals, judges, reasons_by_pair, kept, max_load)
    _fill_and_balance(board, _scarcest_first(board), k, cross)
    groups = connect(board, k)
    return Plan(
        k=k, max_load=max_load, cross_theme_seats=cross, component_count=groups,
        new=tuple(Assignment(*pair) for pair in board.new_assignments()),
        kept=tuple(kept), invalid=tuple(invalid),
        loads=_loads(board, judges, kept),
        issues=tuple(existing_issues) + _proposal_issues(board, kept, k, cross)
        + _design_issues(groups, cross))


def _check_numbers(k, max_load):
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a whole number of at least 1, not {k!r}")
    if max_load is not None and (isinstance(max_load, bool) or not isinstance(max_load, int)
                                 or max_load < 0):
        raise ValueError(f"max_load must be None or a whole number of at least 0, not {max_load!r}")


def _sorted_by_id(records, what):
    ids = Counter(record.id for record in records)
    repeated = sorted(record_id for record_id, count in ids.items() if count > 1)
    if repeated:
        raise ValueError(f"{what} ids must be unique; repeated: {repeated}")
    return sorted(records, key=lambda record: record.id)


def _reasons_by_pair(conflicts):
    found = defaultdict(set)
    for conflict in conflicts:
        found[conflict.proposal_id, conflict.judge_id].update(conflict.reasons)
    return {pair: ordered_reasons(reasons) for pair, reasons in found.items()}


def _why_not_kept(assignment, proposals_by_id, judges_by_id, reasons_by_pair):
    """The IssueKind that stops an existing assignment from being kept, or None."""
    judge = judges_by_id.get(assignment.judge_id)
    if assignment.proposal_id not in proposals_by_id:
        return IssueKind.UNKNOWN_PROPOSAL
    if judge is None:
        return IssueKind.UNKNOWN_JUDGE
    if not judge.active:
        return IssueKind.INACTIVE_JUDGE
    if (assignment.proposal_id, assignment.judge_id) in reasons_by_pair:
        return IssueKind.CONFLICTED_JUDGE
    return None


def _split_existing(existing, proposals, judges, reasons_by_pair):
    """(kept, invalid, issues about the invalid ones) from the existing assignments."""
    proposals_by_id = {proposal.id: proposal for proposal in proposals}
    judges_by_id = {judge.id: judge for judge in judges}
    kept, invalid, found = [], [], []
    for assignment in sorted({Assignment(*pair) for pair in map(_as_pair, existing)}):
        kind = _why_not_kept(assignment, proposals_by_id, judges_by_id, reasons_by_pair)
        if kind is None:
            kept.append(assignment)
            continue
        invalid.append(assignment)
        reasons = reasons_by_pair.get((assignment.proposal_id, assignment.judge_id), ())
        found.append(issues.invalid_assignment(
            kind, assignment, proposals_by_id.get(assignment.proposal_id),
            reasons if kind == IssueKind.CONFLICTED_JUDGE else ()))
    return kept, invalid, found


def _as_pair(assignment):
    if isinstance(assignment, Assignment):
        return assignment.proposal_id, assignment.judge_id
    return tuple(assignment)


def _scarcest_first(board):
    """Proposal ids, those with the fewest eligible judges (then the fewest in the pool) first."""
    return sorted(board.proposals, key=lambda proposal_id: (
        len(board.eligible(proposal_id)), len(board.tiers[proposal_id][POOL]), proposal_id))


def _fill_and_balance(board, order, k, cross):
    # Rebalancing can free room under the cap for a proposal still short: fill again until
    # a pass adds nothing. Without a cap one pass fills everything that can be filled.
    while True:
        added = _fill(board, order, k, cross)
        rebalance(board)
        if not added or board.max_load is None:
            return


def _fill(board, order, k, cross):
    """The pool's share first, then the cross-theme seats, then either tier up to k."""
    added = False
    for proposal_id in order:
        for tier, enough in ((POOL, lambda on: len(on & board.pool_members[proposal_id])
                              >= k - cross or len(on) >= k),
                             (OUTSIDE, lambda on: len(on) >= k),
                             (POOL, lambda on: len(on) >= k)):
            while not enough(board.on[proposal_id]) and _add_one(board, proposal_id, tier):
                added = True
    return added


def _add_one(board, proposal_id, tier):
    """Add the least loaded open judge of the tier (among equals, one who declared several
    themes, then the lowest id), making room under the cap if need be."""
    open_judges = board.open_judges(proposal_id, tier)
    with_room = [judge_id for judge_id in open_judges if board.has_room(judge_id)]
    if with_room:
        board.add(proposal_id, min(with_room, key=lambda judge_id: (
            board.load[judge_id], judge_id not in board.broad, judge_id)))
        return True
    return make_room(board, proposal_id, open_judges)


def _loads(board, judges, kept):
    kept_by_judge = Counter(assignment.judge_id for assignment in kept)
    return tuple(JudgeLoad(judge.id, kept_by_judge[judge.id], len(board.new_of[judge.id]))
                 for judge in judges)


def _proposal_issues(board, kept, k, cross):
    kept_by_proposal = Counter(assignment.proposal_id for assignment in kept)
    found = []
    for proposal_id, proposal in sorted(board.proposals.items()):
        on = board.on[proposal_id]
        if kept_by_proposal[proposal_id] > k:
            found.append(issues.over_assigned(proposal, k, kept_by_proposal[proposal_id]))
        if len(on) < k:
            capped = [judge_id for judge_id in board.eligible(proposal_id) if judge_id not in on]
            found.append(issues.shortfall(proposal, k, len(on), len(capped)))
        in_pool = len(on & board.pool_members[proposal_id])
        # The cross-theme seats are by design; only a pool short of its share is reported.
        if in_pool < k - cross and len(on) - in_pool > cross and any(
                proposal_id in board.new_of[judge_id]
                for judge_id in board.tiers[proposal_id][OUTSIDE]):
            found.append(issues.outside_expertise(proposal, k, in_pool))
    return tuple(found)


def _design_issues(groups, cross):
    # Without cross-theme seats the organizer chose separate pools: the preview says what that
    # means, and it is no issue.
    return (issues.disconnected(groups),) if cross and groups > 1 else ()
