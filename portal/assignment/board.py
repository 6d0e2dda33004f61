"""The planner's working state: who is on each proposal, which judges could be, and every load."""
POOL, OUTSIDE = 0, 1  # tiers: judges with the proposal's theme as expertise, then the others


class Board:
    """Mutable while planning. Built from judges sorted by id, so every list in it is sorted too.

    A judge is eligible for a proposal when active and not in conflict with it. Eligible judges
    are split into the proposal's two tiers; a judge is "on" a proposal when kept or newly
    assigned to it. Load counts kept and new assignments over every theme of the round.
    """

    def __init__(self, proposals, judges, conflicted_pairs, kept, max_load):
        self.max_load = max_load
        # Judges who declared more than one theme: the first choice for a cross-theme seat.
        self.broad = frozenset(judge.id for judge in judges if len(judge.expertise) > 1)
        self.proposals = {proposal.id: proposal for proposal in proposals}
        self.tiers = {proposal.id: _tiers(proposal, judges, conflicted_pairs)
                      for proposal in proposals}
        self.pool_members = {proposal_id: frozenset(pool)
                             for proposal_id, (pool, _) in self.tiers.items()}
        self.on = {proposal.id: set() for proposal in proposals}
        self.new_of = {judge.id: set() for judge in judges}
        self.load = {judge.id: 0 for judge in judges}
        for assignment in kept:
            self.on[assignment.proposal_id].add(assignment.judge_id)
            self.load[assignment.judge_id] += 1

    def eligible(self, proposal_id):
        pool, outside = self.tiers[proposal_id]
        return pool + outside

    def tier_of(self, proposal_id, judge_id):
        return POOL if judge_id in self.pool_members[proposal_id] else OUTSIDE

    def open_judges(self, proposal_id, tier):
        """Judges of the tier who could still be added to the proposal, cap aside."""
        return [judge_id for judge_id in self.tiers[proposal_id][tier]
                if judge_id not in self.on[proposal_id]]

    def takers(self, proposal_id, giver):
        """Who could take over the giver's place on the proposal without leaving its tier."""
        return self.open_judges(proposal_id, self.tier_of(proposal_id, giver))

    def has_room(self, judge_id):
        return self.max_load is None or self.load[judge_id] < self.max_load

    def add(self, proposal_id, judge_id):
        self.on[proposal_id].add(judge_id)
        self.new_of[judge_id].add(proposal_id)
        self.load[judge_id] += 1

    def remove(self, proposal_id, judge_id):
        self.on[proposal_id].discard(judge_id)
        self.new_of[judge_id].discard(proposal_id)
        self.load[judge_id] -= 1

    def hand_over(self, chain):
        """Apply a chain of (proposal id, giver, taker) moves of new assignments."""
        for proposal_id, giver, taker in chain:
            self.remove(proposal_id, giver)
            self.add(proposal_id, taker)

    def pairs(self):
        """Every (proposal id, judge id) on the board, kept and new."""
        return [(proposal_id, judge_id) for proposal_id, on in self.on.items() for judge_id in on]

    def new_assignments(self):
        return sorted((proposal_id, judge_id) for judge_id, proposal_ids in self.new_of.items()
                      for proposal_id in proposal_ids)


def _tiers(proposal, judges, conflicted_pairs):
    """(pool, outside): the eligible judges with and without the proposal's theme as expertise."""
    eligible = [judge for judge in judges
                if judge.active and (proposal.id, judge.id) not in conflicted_pairs]
    pool = [judge.id for judge in eligible if proposal.theme in judge.expertise]
    outside = [judge.id for judge in eligible if proposal.theme not in judge.expertise]
    return pool, outside
