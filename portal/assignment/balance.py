"""Even out loads, and make room under the cap, by handing new assignments on along chains."""
from collections import deque


def search(board, sources, is_target):
    """Breadth-first search for the nearest judge other than `sources` for whom `is_target` holds.

    A step of a chain hands a new assignment from a giver to a taker who is eligible for the
    proposal, in the giver's tier and not on it yet; in a whole chain only the first giver loses
    a proposal and only the last taker gains one.

    Returns (came_from, target): came_from maps each judge reached to the (proposal id, giver)
    it was reached by (None for a source); target is None when no judge reached is a target,
    and then came_from holds every judge a chain reaches.
    """
    came_from = {source: None for source in sources}
    # A proposal's takers in one tier are the same whoever gives: look at them once per search.
    seen_places = set()
    queue = deque(sources)
    while queue:
        giver = queue.popleft()
        for proposal_id in sorted(board.new_of[giver]):
            place = (proposal_id, board.tier_of(proposal_id, giver))
            if place in seen_places:
                continue
            seen_places.add(place)
            for taker in board.takers(proposal_id, giver):
                if taker in came_from:
                    continue
                came_from[taker] = (proposal_id, giver)
                if is_target(taker):
                    return came_from, taker
                queue.append(taker)
    return came_from, None


def _trace(came_from, judge_id):
    chain = []
    while came_from[judge_id] is not None:
        proposal_id, giver = came_from[judge_id]
        chain.append((proposal_id, giver, judge_id))
        judge_id = giver
    return chain[::-1]


def rebalance(board):
    """Move load from a judge to one at least two below, while any chain allows it.

    Each move lowers the sum of squared loads, so this ends; it ends with the loads as even as
    the tiers allow (no chain runs from a judge to one two or more below).
    """
    while (chain := uneven_chain(board)) is not None:
        board.hand_over(chain)


def uneven_chain(board):
    """A chain of hand-overs from a judge to one two or more below, busiest judge first; None
    when the loads are as even as the tiers allow."""
    givers = [judge_id for judge_id, proposal_ids in board.new_of.items() if proposal_ids]
    busiest_first = sorted(givers, key=lambda judge_id: (-board.load[judge_id], judge_id))
    # Whom a failed search from a busier judge reached needs no search of its own: its chains
    # reach no further, and none of those judges is two below it.
    reached = set()
    for source in busiest_first:
        if source in reached:
            continue
        ceiling = board.load[source] - 2
        came_from, target = search(board, [source],
                                   lambda judge_id: board.load[judge_id] <= ceiling)
        if target is not None:
            return _trace(came_from, target)
        reached.update(came_from)
    return None


def make_room(board, proposal_id, full_judges):
    """Add one of `full_judges` (at the cap) to the proposal by handing one of their other new
    assignments on, along a chain, to a judge below the cap. False when no chain does it."""
    sources = [judge_id for judge_id in full_judges if board.new_of[judge_id]]
    came_from, target = search(board, sources, board.has_room)
    if target is None:
        return False
    chain = _trace(came_from, target)
    board.hand_over(chain)
    board.add(proposal_id, chain[0][1])
    return True
