"""Whether an assignment design lets the ranking compare themes: its connected components."""


def component_count(pairs):
    """Groups of judges linked by shared proposals, from (proposal id, judge id) pairs.

    Two judges are linked when they review a common proposal, or are linked to a common judge.
    With one group, every judge's strictness can be measured against every other's, so themes
    whose pools share no judge can still be compared; 0 without any pair.
    """
    return len(set(judge_groups(pairs).values()))


def judge_groups(pairs):
    """Judge id -> the number of its group (see component_count), for every judge in `pairs`."""
    # On first use (portal.deferred_imports).
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    pairs = sorted(set(pairs))
    if not pairs:
        return {}
    proposals = {proposal_id: at for at, proposal_id in enumerate(sorted({p for p, _ in pairs}))}
    judges = {judge_id: at for at, judge_id in enumerate(sorted({j for _, j in pairs}))}
    size = len(proposals) + len(judges)
    graph = coo_matrix(([1] * len(pairs), ([proposals[p] for p, _ in pairs],
                                           [len(proposals) + judges[j] for _, j in pairs])),
                       shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    return {judge_id: int(labels[len(proposals) + at]) for judge_id, at in judges.items()}
