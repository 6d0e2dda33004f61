"""Human names for stored codes, translated when shown."""
from flask_babel import lazy_gettext as _l

from portal.models import ContestStatus, ProposalStatus

PROPOSAL_STATUS = {
    ProposalStatus.DRAFT: _l("Draft"),
    ProposalStatus.SUBMITTED: _l("Submitted"),
    ProposalStatus.WITHDRAWN: _l("Withdrawn"),
    ProposalStatus.ELIGIBLE: _l("Eligible"),
    ProposalStatus.INELIGIBLE: _l("Ineligible"),
    ProposalStatus.ADVANCED: _l("Advanced"),
    ProposalStatus.AWARDED: _l("Awarded"),
    ProposalStatus.RETURNED: _l("Returned for correction"),
}

CONTEST_STATUS = {
    ContestStatus.UPCOMING: _l("Not yet open"),
    ContestStatus.OPEN: _l("Open for proposals"),
    ContestStatus.JUDGING: _l("Judging"),
    ContestStatus.ARCHIVED: _l("Archived"),
}


def proposal_status_label(code):
    return PROPOSAL_STATUS.get(code, code)


def contest_status_label(code):
    return CONTEST_STATUS.get(code, code)

PROPOSAL_EVENT = {
    "created": _l("Draft created"),
    "edited": _l("Edited after submission"),
    "submitted": _l("Submitted"),
    "withdrawn": _l("Withdrawn"),
    "screened": _l("Eligibility decision"),
    "screening_undone": _l("Eligibility decision undone"),
}


def proposal_event_label(action):
    return PROPOSAL_EVENT.get(action, action)


def next_step(proposal):
    """What the applicant should do next with this proposal, in a few words."""
    open_now = proposal.contest.status == ContestStatus.OPEN
    if proposal.status == ProposalStatus.DRAFT:
        return _l("Complete it and submit before the deadline.") if open_now else \
            _l("The deadline has passed; this draft was not submitted.")
    if proposal.status == ProposalStatus.SUBMITTED:
        return _l("Received. You may still edit it until the deadline.") if open_now else \
            _l("Received. The organizers are checking it.")
    if proposal.status == ProposalStatus.WITHDRAWN:
        return _l("Withdrawn. You may submit it again before the deadline.") if open_now else \
            _l("Withdrawn.")
    return {
        ProposalStatus.RETURNED: _l("Correct it and submit it again by the date given."),
        ProposalStatus.ELIGIBLE: _l("Passed the eligibility check; it is being judged."),
        ProposalStatus.INELIGIBLE: _l("Did not pass the eligibility check."),
        ProposalStatus.ADVANCED: _l("Advanced to the next round."),
        ProposalStatus.AWARDED: _l("Awarded. Congratulations!"),
    }.get(proposal.status, "")
