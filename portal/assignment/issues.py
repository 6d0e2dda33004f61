"""The issue records of a plan, each with a message built from its fields."""
from portal.assignment.records import Issue, IssueKind


def _judges(count):
    return f"{count} judge" if count == 1 else f"{count} judges"


def _proposal_issue(kind, proposal, message, **fields):
    return Issue(kind, message, proposal_id=proposal.id, theme=proposal.theme,
                 theme_name=proposal.theme_name, **fields)


def shortfall(proposal, k, available, capped):
    message = f"theme {proposal.theme_label}: {_judges(available)} for k={k} " \
              f"(proposal {proposal.id})"
    if capped:
        message += f"; {capped} other eligible " \
                   f"{'judge is' if capped == 1 else 'judges are'} at the load cap"
    return _proposal_issue(IssueKind.SHORTFALL, proposal, message, needed=k, available=available,
                           capped=capped)


def outside_expertise(proposal, k, available):
    message = f"theme {proposal.theme_label}: {_judges(available)} with this expertise for " \
              f"k={k} (proposal {proposal.id}); judges from other themes fill the rest"
    return _proposal_issue(IssueKind.OUTSIDE_EXPERTISE, proposal, message, needed=k,
                           available=available)


def over_assigned(proposal, k, available):
    message = f"theme {proposal.theme_label}: {_judges(available)} already assigned for " \
              f"k={k} (proposal {proposal.id}); none removed"
    return _proposal_issue(IssueKind.OVER_ASSIGNED, proposal, message, needed=k,
                           available=available)


def disconnected(groups):
    message = f"the judges fall into {groups} separate groups that share no proposal, and no " \
              f"move within the rules (conflicts, load cap, balance) links them"
    return Issue(IssueKind.DISCONNECTED, message, groups=groups)


_WHY_NOT_KEPT = {
    IssueKind.CONFLICTED_JUDGE: "has a conflict of interest",
    IssueKind.INACTIVE_JUDGE: "is no longer an active judge",
    IssueKind.UNKNOWN_JUDGE: "is not a judge of this contest",
    IssueKind.UNKNOWN_PROPOSAL: "is assigned to a proposal that is not in this round",
}


def invalid_assignment(kind, assignment, proposal=None, reasons=()):
    """An existing assignment that is not kept; `proposal` is None when it is not in the round."""
    why = _WHY_NOT_KEPT[kind] + (f" ({', '.join(reasons)})" if reasons else "")
    message = f"proposal {assignment.proposal_id}: judge {assignment.judge_id} {why}; " \
              f"please reassign"
    fields = dict(judge_id=assignment.judge_id, reasons=tuple(reasons))
    if proposal is None:
        return Issue(kind, message, proposal_id=assignment.proposal_id, **fields)
    return _proposal_issue(kind, proposal, message, **fields)
