"""Competition ranks (1, 2, 2, 4) within groups, with tie-break keys, and percentiles."""
from dataclasses import dataclass

import numpy as np

# Scores live on scales such as 1-10, where 1e-9 is far below any real difference and far above
# the rounding noise of float sums (about 1e-15).
SCORE_TOLERANCE = 1e-9


def float_levels(values, higher_first=True, tolerance=SCORE_TOLERANCE):
    """Integer levels of `values`, 0 for the best; values within `tolerance` share a level.

    Scores and tie-break keys are compared through levels, so that floating noise never splits
    or creates a tie. Closeness chains: a, a + 0.6e-9 and a + 1.2e-9 share a level. NaN comes
    last.
    """
    values = np.asarray(values, dtype=float)
    keys = -values if higher_first else values
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    steps = np.concatenate(([False], np.diff(ordered) > tolerance))
    steps |= np.concatenate(([False], np.isnan(ordered[1:]) & ~np.isnan(ordered[:-1])))
    levels = np.empty(len(values), dtype=np.intp)
    levels[order] = np.cumsum(steps)
    return levels


def ordered_levels(values):
    """Integer levels of comparable Python values (e.g. datetimes), smallest first, None last."""
    distinct = sorted({value for value in values if value is not None})
    level_of = {value: level for level, value in enumerate(distinct)}
    return np.array([level_of.get(value, len(distinct)) for value in values], dtype=np.intp)


def competition_ranks_by_row(scores):
    """Competition ranks (highest first) within each row of a 2-D array, compared exactly."""
    order = np.argsort(-scores, axis=1, kind="stable")
    ordered = np.take_along_axis(scores, order, axis=1)
    new_value = np.ones(ordered.shape, dtype=bool)
    new_value[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    first_place = np.maximum.accumulate(
        np.where(new_value, np.arange(1, scores.shape[1] + 1), 0), axis=1)
    ranks = np.empty(scores.shape, dtype=np.intp)
    np.put_along_axis(ranks, order, first_place, axis=1)
    return ranks


@dataclass(frozen=True)
class Ranking:
    """Ranks of n items, each in its group; `order` lists the items group by group, best first."""

    order: np.ndarray       # ranked items first in each group, then the unscored, by index
    rank: np.ndarray        # 0 for an unscored item
    tied: np.ndarray        # shares its rank with another item of its group
    broken_by: np.ndarray   # deepest tie-break key its position needed; -1 for none
    percentile: np.ndarray  # share of the group's other ranked items it outranks, × 100; NaN


def rank_within(score_levels, scored, key_levels=(), groups=None):
    """Competition ranks by score level, then by each tie-break key's level, within groups.

    Items with equal score levels are ordered by the first key on which they differ; items equal
    on the score and every key share a rank and are tied (listed by index, which means nothing).
    """
    count = len(score_levels)
    if not count:
        empty = np.zeros(0, dtype=np.intp)
        return Ranking(empty, empty, empty.astype(bool), empty, np.zeros(0))
    groups = np.zeros(count, dtype=np.intp) if groups is None else np.asarray(groups)
    keys = np.array(key_levels, dtype=np.intp).reshape(len(key_levels), count)
    index = np.arange(count)
    order = np.lexsort((index, *keys[::-1], score_levels, ~scored, groups))
    same_score = _same_score_as_previous(order, score_levels, scored, groups)
    first_difference = _first_difference(keys[:, order])
    same_rank = same_score & (first_difference == len(keys))
    separated = np.where(same_score & ~same_rank, first_difference, -1)

    rank = np.zeros(count, dtype=np.intp)
    tied = np.zeros(count, dtype=bool)
    broken_by = np.full(count, -1, dtype=np.intp)
    group_start = _run_starts(np.concatenate(([True], groups[order][1:] != groups[order][:-1])))
    class_start = _run_starts(np.concatenate(([True], ~same_rank)))
    rank[order] = np.where(scored[order], class_start - group_start + 1, 0)
    tied[order] = np.concatenate(([False], same_rank)) | np.concatenate((same_rank, [False]))
    broken_by[order] = np.maximum(np.concatenate(([-1], separated)),
                                  np.concatenate((separated, [-1])))
    return Ranking(order, rank, tied, broken_by, _percentiles(rank, groups, scored))


def _same_score_as_previous(order, score_levels, scored, groups):
    both_scored = scored[order][1:] & scored[order][:-1]
    return both_scored & (groups[order][1:] == groups[order][:-1]) \
        & (score_levels[order][1:] == score_levels[order][:-1])


def _first_difference(ordered_keys):
    """For each neighbouring pair: index of the first key that differs; number of keys if none."""
    differs = ordered_keys[:, 1:] != ordered_keys[:, :-1]
    if not len(differs):
        return np.zeros(differs.shape[1], dtype=np.intp)
    return np.where(differs.any(axis=0), differs.argmax(axis=0), len(ordered_keys))


def _run_starts(starts_run):
    """For each position, the position where its run began."""
    positions = np.where(starts_run, np.arange(len(starts_run)), 0)
    return np.maximum.accumulate(positions)


def _percentiles(rank, groups, scored):
    """100 × (ranked items of the group strictly below it) / (other ranked items of the group)."""
    group, place = groups[scored], rank[scored]
    _, class_of, class_sizes = np.unique(group * (len(rank) + 1) + place,
                                         return_inverse=True, return_counts=True)
    group_size = np.bincount(group)[group] if len(group) else group
    below = group_size - place + 1 - class_sizes[class_of]
    percentile = np.full(len(rank), np.nan)
    percentile[scored] = np.where(group_size > 1, 100.0 * below / np.maximum(group_size - 1, 1),
                                  100.0)
    return percentile
