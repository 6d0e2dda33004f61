"""The contest's deadlines for applicants: which of their actions are open at a given time.

One rule, read by every service that changes a proposal, by the forms that would start such a
change, and by the pages that offer it:

- before the deadline: create, edit (attachments included), submit, delete a draft, withdraw;
- after the deadline, nothing changes, except that the applicant may still view and download
  their proposal, withdraw it (with a reason) until the first round's judging opens and, after
  that, ask the organizers to withdraw it (a request they decide);
- a proposal returned for correction (退回补正) may be edited and submitted again until its own
  correction date, whether the deadline has passed or not.
"""

from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.labels import PROPOSAL_STATUS
from portal.models import Assignment, ProposalStatus, Round, utcnow

VIEW = "view"
DOWNLOAD = "download"
CREATE = "create"
EDIT = "edit"
SUBMIT = "submit"
DELETE_DRAFT = "delete_draft"
WITHDRAW = "withdraw"
REQUEST_WITHDRAWAL = "request_withdrawal"
PROPOSAL_ACTIONS = (VIEW, DOWNLOAD, EDIT, SUBMIT, DELETE_DRAFT, WITHDRAW, REQUEST_WITHDRAWAL)

EDITABLE = (ProposalStatus.DRAFT, ProposalStatus.SUBMITTED, ProposalStatus.WITHDRAWN,
            ProposalStatus.RETURNED)
SUBMITTABLE = (ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN, ProposalStatus.RETURNED)
WITHDRAWABLE = (ProposalStatus.SUBMITTED, ProposalStatus.ELIGIBLE)
# Once judging has opened, a proposal still being judged may be taken out only by the organizers.
WITHDRAWABLE_ON_REQUEST = (ProposalStatus.SUBMITTED, ProposalStatus.ELIGIBLE,
                           ProposalStatus.ADVANCED)
# Proposal events that open and close a withdrawal request.
WITHDRAWAL_REQUESTED = "withdrawal_requested"
WITHDRAWAL_DECISIONS = ("withdrawal_granted", "withdrawal_refused")


def applicant_actions(contest, proposal=None, now=None):
    """The applicant's actions open at `now`: on `proposal` (PROPOSAL_ACTIONS), or, without
    one, whether a new proposal can be started in `contest` ({CREATE} or nothing)."""
    now = now or utcnow()
    actions = (CREATE,) if proposal is None else PROPOSAL_ACTIONS
    return frozenset(action for action in actions
                     if refusal(action, contest, proposal, now) is None)


def require_action(action, contest, proposal=None, now=None):
    """Raise DomainError, saying why, unless the action is open at `now`."""
    reason = refusal(action, contest, proposal, now)
    if reason is not None:
        raise DomainError(reason)


def refusal(action, contest, proposal=None, now=None):
    """Why the applicant may not take the action now (a message), or None when they may."""
    now = now or utcnow()
    if action in (VIEW, DOWNLOAD):
        return None
    if action == CREATE:
        return _window_refusal(contest, now)
    if action in (EDIT, SUBMIT):
        return _change_refusal(action, contest, proposal, now)
    if action == DELETE_DRAFT:
        if proposal.status != ProposalStatus.DRAFT:
            return _l("Only a draft can be deleted; withdraw a submitted proposal instead.")
        return _window_refusal(contest, now)
    if action == WITHDRAW:
        return _withdrawal_refusal(contest, proposal, now)
    if action == REQUEST_WITHDRAWAL:
        return _request_refusal(contest, proposal, now)
    raise ValueError(f"unknown applicant action {action!r}")


def _window_refusal(contest, now):
    if contest.accepts_submissions_at(now):
        return None
    if now < contest.opens_at:
        return _l("This contest is not open for proposals yet.")
    return _l("The submission deadline has passed: proposals can no longer be created, edited "
              "or submitted.")


def _change_refusal(action, contest, proposal, now):
    if action == SUBMIT and proposal.status not in SUBMITTABLE:
        return _l("This proposal has already been submitted.")
    if proposal.status not in EDITABLE:
        return _l("This proposal can no longer be edited: it is %(status)s.",
                  status=PROPOSAL_STATUS[proposal.status])
    if proposal.status == ProposalStatus.RETURNED:
        if proposal.correction_until is None or now < proposal.correction_until:
            return None
        return _l("The date for corrections has passed.")
    return _window_refusal(contest, now)


def _withdrawal_refusal(contest, proposal, now):
    if proposal.status not in WITHDRAWABLE:
        return _l("Only a submitted proposal can be withdrawn.")
    if contest.accepts_submissions_at(now) or not judging_has_opened(contest, now):
        return None
    return _l("Judging has started: only the organizers can withdraw the proposal now. Send "
              "them a request with your reason.")


def _request_refusal(contest, proposal, now):
    if proposal.status not in WITHDRAWABLE_ON_REQUEST:
        return _l("Only a proposal still in the contest can be withdrawn.")
    if contest.accepts_submissions_at(now) or not judging_has_opened(contest, now):
        return _l("You can withdraw this proposal yourself.")
    if withdrawal_pending(proposal):
        return _l("Your request to withdraw this proposal is waiting for the organizers' "
                  "decision.")
    return None


def judging_has_opened(contest, now=None):
    """Whether the first round's judging has opened: its scoring window began, it was closed,
    or judges were given proposals to read."""
    now = now or utcnow()
    first = contest.rounds[0] if contest.rounds else None
    if first is not None and (first.closed_at is not None or
                              (first.opens_at is not None and now >= first.opens_at)):
        return True
    return db.session.scalar(db.select(Assignment.id).join(Round, Round.id == Assignment.round_id)
                             .filter(Round.contest_id == contest.id).limit(1)) is not None


def withdrawal_pending(proposal):
    """Whether the applicant's last withdrawal request awaits the organizers' decision."""
    events = [event for event in proposal.events
              if event.action in (WITHDRAWAL_REQUESTED, *WITHDRAWAL_DECISIONS)]
    return bool(events) and events[-1].action == WITHDRAWAL_REQUESTED \
        and proposal.status in WITHDRAWABLE_ON_REQUEST
