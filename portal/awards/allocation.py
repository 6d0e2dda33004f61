"""Award allocation from a ranked list: plain data in, plain data out. No Flask, no database.

Method. Tiers are filled one after the other in the order given (一等奖 first). An overall tier
takes the best-ranked candidates of the whole ranking; a per-theme tier takes, in every theme,
the best-ranked candidates of that theme (its `count` is a quota per theme). A candidate placed
by an earlier tier is passed over by later ones, so nobody gets two awards. Candidates not in
competition (ineligible, withdrawn, returned, draft) and unscored ones (no rank) never get an
award. When a group has fewer candidates than places, the rest stay empty ("unfilled").

Order and ties. The ranking's own order is kept: official rank, then (within a theme) theme rank,
then the order of the input rows, which is the ranking's tie-break order. At the boundary of
each tier in each group the last candidate placed is compared with the first one left out: they
are shown for a decision when they share a rank ("equal_rank"), or when their score intervals
overlap ("statistically_tied"; without intervals, when either was flagged statistically tied).
"""
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Hashable

OVERALL = "overall"
PER_THEME = "per_theme"
EQUAL_RANK = "equal_rank"
STATISTICALLY_TIED = "statistically_tied"


@dataclass(frozen=True)
class TierSpec:
    """An award tier: how many places, overall or per theme, and its grant rule."""

    tier_id: Hashable
    count: int
    scope: str = OVERALL
    grant_amount: Decimal | None = None
    grant_up_to_budget: bool = False


@dataclass(frozen=True)
class Candidate:
    """One row of the ranking, in official order."""

    proposal_id: Hashable
    theme: Hashable
    rank: int | None                   # official overall rank; None when unscored
    theme_rank: int | None = None
    in_competition: bool = True
    budget: Decimal | None = None      # the requested budget total (yuan)
    score_low: float | None = None     # the score interval, when the bootstrap ran
    score_high: float | None = None
    statistically_tied: bool = False


@dataclass(frozen=True)
class Placement:
    """A proposal placed in a tier; `place` counts from 1 within the tier (and theme)."""

    proposal_id: Hashable
    tier_id: Hashable
    theme: Hashable
    place: int
    grant: Decimal | None


@dataclass(frozen=True)
class BoundaryCase:
    """The last candidate placed in a tier and the first one left out, too close to call."""

    tier_id: Hashable
    theme: Hashable | None             # None for an overall tier
    inside: Hashable                   # proposal id
    outside: Hashable                  # proposal id
    reason: str                        # EQUAL_RANK or STATISTICALLY_TIED


@dataclass
class Allocation:
    placements: list = field(default_factory=list)
    boundary_cases: list = field(default_factory=list)
    # (tier id, theme or None) -> places left empty for want of candidates
    unfilled: dict = field(default_factory=dict)

    @property
    def total_grant(self):
        return sum((p.grant for p in self.placements if p.grant is not None), Decimal(0))

    def by_tier(self):
        """tier id -> its placements, in order."""
        grouped = defaultdict(list)
        for placement in self.placements:
            grouped[placement.tier_id].append(placement)
        return dict(grouped)


def grant_for(tier, budget):
    """The grant a tier gives a proposal with this requested budget (None: no grant).

    A fixed grant is `grant_amount`. "Up to the requested budget" gives the budget capped at
    `grant_amount`, or the whole budget when there is no amount; an unknown budget then gives
    the cap (or None without one).
    """
    amount = None if tier.grant_amount is None else Decimal(tier.grant_amount)
    if not tier.grant_up_to_budget:
        return amount
    if budget is None:
        return amount
    budget = Decimal(budget)
    return budget if amount is None else min(budget, amount)


def allocate(tiers, candidates, themes=None):
    """Place candidates (ranking rows, official order) into tiers (in tier order).

    `themes` lists the themes in display order; per-theme tiers report unfilled places for
    every one of them (by default, the themes of the candidates in order of appearance).
    """
    indexed = [(at, c) for at, c in enumerate(candidates)
               if c.in_competition and c.rank is not None]
    overall = [c for _, c in sorted(indexed, key=lambda item: (item[1].rank, item[0]))]
    by_theme = defaultdict(list)
    for at, candidate in sorted(indexed, key=lambda item: (
            item[1].theme_rank is None, item[1].theme_rank or 0, item[1].rank, item[0])):
        by_theme[candidate.theme].append(candidate)
    if themes is None:
        themes = list(dict.fromkeys(c.theme for c in candidates))
    allocation, placed = Allocation(), set()
    for tier in tiers:
        if tier.scope == PER_THEME:
            groups = [(theme, by_theme.get(theme, []), "theme_rank") for theme in themes]
        else:
            groups = [(None, overall, "rank")]
        for theme, ordered, rank_field in groups:
            _fill(allocation, placed, tier, theme, ordered, rank_field)
    return allocation


def _fill(allocation, placed, tier, theme, ordered, rank_field):
    remaining = [c for c in ordered if c.proposal_id not in placed]
    chosen = remaining[:max(tier.count, 0)]
    for place, candidate in enumerate(chosen, start=1):
        placed.add(candidate.proposal_id)
        allocation.placements.append(Placement(candidate.proposal_id, tier.tier_id,
                                               candidate.theme, place,
                                               grant_for(tier, candidate.budget)))
    if len(chosen) < tier.count:
        allocation.unfilled[(tier.tier_id, theme)] = tier.count - len(chosen)
    if chosen and len(remaining) > len(chosen):
        inside, outside = chosen[-1], remaining[len(chosen)]
        reason = _too_close(inside, outside, rank_field)
        if reason:
            allocation.boundary_cases.append(BoundaryCase(tier.tier_id, theme,
                                                          inside.proposal_id,
                                                          outside.proposal_id, reason))


def _too_close(inside, outside, rank_field):
    rank_in, rank_out = getattr(inside, rank_field), getattr(outside, rank_field)
    if rank_in is not None and rank_in == rank_out:
        return EQUAL_RANK
    intervals = (inside.score_low, inside.score_high, outside.score_low, outside.score_high)
    if None not in intervals:
        overlap = inside.score_low <= outside.score_high and outside.score_low <= inside.score_high
        return STATISTICALLY_TIED if overlap else None
    if inside.statistically_tied or outside.statistically_tied:
        return STATISTICALLY_TIED
    return None


def fingerprint(allocation, context=()):
    """A digest of the placements (and of `context`, e.g. the round): what a preview showed."""
    digest = hashlib.sha256(repr(tuple(context)).encode())
    for placement in allocation.placements:
        digest.update(repr((placement.proposal_id, placement.tier_id,
                            str(placement.grant))).encode())
    return digest.hexdigest()[:32]
