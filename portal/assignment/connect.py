"""Link every judge of a plan into one group when the rules allow, by moving new assignments."""
from portal.assignment.balance import uneven_chain
from portal.assignment.design import component_count, judge_groups

# Trial moves per plan at most: each trial counts the groups and checks the balance over the
# whole board, and a round that the rules keep split may offer many moves that all fail.
MAX_TRIALS = 2000


def connect(board, k):
    """Move new assignments until the judges form one group (design.py) or no move links two
    groups; returns the number of groups left. Deterministic: moves are tried in id order.

    A move hands a new assignment (p, a) to a judge b of another group in a's tier for p (the
    pool or the cross-theme seats), b eligible, not on p and below the cap; or exchanges it
    for one of b's new assignments (q, b) that a could take in b's tier for q, which leaves
    every load as it was. A move is kept only when it lowers the number of groups and the plan
    still keeps every rule: no chain of hand-overs runs from a judge to one two or more below,
    and no judge it frees under the cap could join a proposal short of k. Kept assignments never
    move, and no proposal gains or loses a judge of either tier.
    """
    short = [proposal_id for proposal_id, on in sorted(board.on.items()) if len(on) < k]
    trials = 0
    while True:
        groups = judge_groups(board.pairs())
        count = len(set(groups.values()))
        if count <= 1:
            return count
        for move in _moves(board, groups):
            if trials == MAX_TRIALS:
                return count
            trials += 1
            board.hand_over(move)
            if component_count(board.pairs()) < count and _keeps_the_rules(board, move, short):
                break
            board.hand_over([(proposal_id, taker, giver)
                             for proposal_id, giver, taker in reversed(move)])
        else:
            return count


def _moves(board, groups):
    """Candidate moves as chains of (proposal id, giver, taker), each linking two groups."""
    for proposal_id in sorted(board.proposals):
        on = board.on[proposal_id]
        if not on:
            continue
        group = groups[min(on)]
        for giver in sorted(judge_id for judge_id in on if proposal_id in board.new_of[judge_id]):
            for taker in board.takers(proposal_id, giver):
                if groups.get(taker, group) == group:  # an idle taker links nothing
                    continue
                # Exchanges first: they leave the loads the fill chose.
                for other_id in sorted(board.new_of[taker]):
                    if giver not in board.on[other_id] and \
                            giver in board.tiers[other_id][board.tier_of(other_id, taker)]:
                        yield [(proposal_id, giver, taker), (other_id, taker, giver)]
                if board.has_room(taker):
                    yield [(proposal_id, giver, taker)]


def _keeps_the_rules(board, move, short):
    if uneven_chain(board) is not None:
        return False
    if len(move) > 1 or board.max_load is None:
        return True  # an exchange moves no load; without a cap nobody was kept off by one
    freed = move[0][1]
    return not any(freed not in board.on[proposal_id] and freed in board.eligible(proposal_id)
                   for proposal_id in short)
