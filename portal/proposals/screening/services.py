"""Eligibility screening (形式审查): eligible, ineligible with a reason, or returned for correction."""

from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l, N_
from portal.mail import queue_email
from portal.models import Assignment, ProposalEvent, ProposalStatus, utcnow
from portal.web import external_url

DECISIONS = (ProposalStatus.ELIGIBLE, ProposalStatus.INELIGIBLE, ProposalStatus.RETURNED)
SCREENED = DECISIONS
# Plain msgids, translated lazily so that each applicant reads the subject in their language.
SUBJECTS = {
    ProposalStatus.ELIGIBLE: N_("Your proposal %(reference)s passed the eligibility check"),
    ProposalStatus.INELIGIBLE: N_("Your proposal %(reference)s did not pass the eligibility "
                                  "check"),
    ProposalStatus.RETURNED: N_("Your proposal %(reference)s was returned for correction"),
}


def judging_started(proposal):
    """Screening can be changed until the proposal is assigned to a judge."""
    return db.session.scalar(db.select(Assignment.id).filter_by(proposal_id=proposal.id)
                             .limit(1)) is not None


def decide(actor, proposal, decision, reason=None, correction_until=None, now=None):
    """Record a screening decision, tell the applicant, and audit it."""
    now = now or utcnow()
    reason = (reason or "").strip() or None
    if decision not in DECISIONS:
        raise DomainError(_l("Choose a decision."))
    if proposal.status not in (ProposalStatus.SUBMITTED, *SCREENED):
        raise DomainError(_l("Only submitted proposals can be screened."))
    if judging_started(proposal):
        raise DomainError(_l("Judging of %(reference)s has started: its screening can no longer "
                             "change.", reference=proposal.reference))
    if decision != ProposalStatus.ELIGIBLE and not reason:
        raise DomainError(_l("Give the reason the applicant will read."), field="reason")
    if decision == ProposalStatus.RETURNED and (correction_until is None or
                                                correction_until <= now):
        raise DomainError(_l("Give a future date by which the applicant may resubmit."),
                          field="correction_until")
    previous = proposal.status
    proposal.status = decision
    proposal.status_note = reason
    proposal.correction_until = correction_until if decision == ProposalStatus.RETURNED else None
    proposal.events.append(ProposalEvent(actor_id=actor.id, action="screened",
                                         from_status=previous, to_status=decision, note=reason))
    db.session.flush()
    record(actor, "proposal.screened", contest=proposal.contest, target=proposal,
           proposal=proposal.id, decision=decision, reason=reason, previous=previous)
    if proposal.applicant is not None:
        queue_email(proposal.applicant, _l(SUBJECTS[decision], reference=proposal.reference),
                    "screening_decision", user=proposal.applicant, proposal=proposal,
                    decision=decision, reason=reason,
                    proposal_url=external_url("proposals.show", proposal_id=proposal.id))


def undo(actor, proposal):
    """Put a screened proposal back to 'submitted', until judging starts."""
    if proposal.status not in SCREENED:
        raise DomainError(_l("This proposal has not been screened."))
    if judging_started(proposal):
        raise DomainError(_l("Judging of %(reference)s has started: its screening can no longer "
                             "change.", reference=proposal.reference))
    previous = proposal.status
    proposal.status = ProposalStatus.SUBMITTED
    proposal.status_note = proposal.correction_until = None
    proposal.events.append(ProposalEvent(actor_id=actor.id, action="screening_undone",
                                         from_status=previous, to_status=proposal.status))
    db.session.flush()
    record(actor, "proposal.screening_undone", contest=proposal.contest, target=proposal,
           proposal=proposal.id, previous=previous)


def decide_many(actor, proposals, decision, reason=None, correction_until=None):
    """The same decision for a selection; returns (decided count, refusals as (proposal, msg))."""
    decided, refused = 0, []
    for proposal in proposals:
        try:  # decide() checks everything before it changes anything
            decide(actor, proposal, decision, reason, correction_until)
        except DomainError as error:
            refused.append((proposal, error.message))
        else:
            decided += 1
    return decided, refused
