"""The ranking's settings: the official method, the tie-break order and the boundary."""
from portal.audit import record


def save_ranking_settings(actor, contest, method, tie_break, boundary):
    """Set the contest's official method, tie-break criteria codes (in order; none for the
    default) and boundary, and audit the change. The request commits."""
    contest.ranking_method = method
    contest.tie_break = list(tie_break) or None
    contest.ranking_boundary = boundary
    record(actor, "ranking.settings_changed", contest=contest, target=contest,
           method=contest.ranking_method, tie_break=contest.tie_break,
           boundary=contest.ranking_boundary)
