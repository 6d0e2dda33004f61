"""Pitch day (路演): a pitch's score under the live rule, the running ranking, and the groups in
which the final ranking is revealed. Plain data in, plain data out.

Rules: "mean" is the mean of the judges' totals; "trimmed" drops the highest and the lowest
total (one of each, even when several judges gave it) when at least TRIM_FROM judges scored,
else falls back to the mean and says so. Arithmetic is exact (fractions).
"""
from dataclasses import dataclass
from fractions import Fraction

from portal.scoring.methods import TRIM_FROM

MEAN, TRIMMED, OFFICIAL = "mean", "trimmed", "official"
# The ranking method (portal.scoring.METHODS) a live round is ranked with, per rule; the
# official rule keeps the contest's own method.
RULE_METHODS = {MEAN: "plain", TRIMMED: "trimmed"}


@dataclass(frozen=True)
class PitchScore:
    """score: None without any total; dropped_high/dropped_low: indices into the totals given,
    or None; fell_back: the trimmed rule had too few totals and the mean was used."""

    score: Fraction | None
    dropped_high: int | None = None
    dropped_low: int | None = None
    fell_back: bool = False


def pitch_score(totals, rule):
    """The pitch's score from its judges' totals (numbers) under `rule` (MEAN or TRIMMED).

    With the trimmed rule the dropped highest is the first of the highest totals in the given
    order, the dropped lowest the last of the lowest, so that the two are never the same total.
    """
    values = [Fraction(str(total)) for total in totals]
    if not values:
        return PitchScore(None, fell_back=rule == TRIMMED)
    if rule != TRIMMED:
        return PitchScore(sum(values) / len(values))
    if len(values) < TRIM_FROM:
        return PitchScore(sum(values) / len(values), fell_back=True)
    high = max(range(len(values)), key=lambda index: (values[index], -index))
    low = min(range(len(values)), key=lambda index: (values[index], -index))
    kept = [value for index, value in enumerate(values) if index not in (high, low)]
    return PitchScore(sum(kept) / len(kept), dropped_high=high, dropped_low=low)


def running_ranking(scores):
    """[(key, score)] -> [(rank, key, score)], highest first, competition ranks (1, 2, 2, 4);
    equal scores keep the order given (the running order)."""
    ordered = sorted(enumerate(scores), key=lambda item: -item[1][1])
    ranked, previous = [], None
    for position, (_index, (key, score)) in enumerate(ordered, start=1):
        rank = previous[0] if previous is not None and previous[1] == score else position
        ranked.append((rank, key, score))
        previous = (rank, score)
    return ranked


def reveal_groups(ranked_keys, tier_counts):
    """The final ranking (keys, best first) cut into the groups revealed one at a time, bottom
    group first: those without an award, then each award tier from the lowest up.

    tier_counts: how many each tier gives, best tier first. Returns [(tier index or None, keys)],
    the keys of a group best first; empty groups are left out.
    """
    groups, start = [], 0
    for tier, count in enumerate(tier_counts):
        members = list(ranked_keys[start:start + max(count, 0)])
        start += len(members)
        if members:
            groups.append((tier, members))
    if ranked_keys[start:]:
        groups.append((None, list(ranked_keys[start:])))
    return groups[::-1]
