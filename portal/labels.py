"""Human names for stored codes, translated when shown."""

from portal.i18n import lazy_gettext as _l
from portal.models import ContestStatus, Permission, ProposalStatus

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


PERMISSION = {
    Permission.SCREEN: _l("Screening"),
    Permission.JUDGES: _l("Manage judges"),
    Permission.ASSIGN: _l("Assignment"),
    Permission.RANKING: _l("See the ranking"),
    Permission.AWARDS: _l("Propose or allocate awards"),
    Permission.PUBLISH: _l("Publish the results"),
    Permission.EXPORT: _l("Exports"),
    Permission.SETTINGS: _l("Contest settings"),
}


def permission_label(code):
    return PERMISSION.get(code, code)


def contest_status_label(code):
    return CONTEST_STATUS.get(code, code)

PROPOSAL_EVENT = {
    "created": _l("Draft created"),
    "edited": _l("Edited after submission"),
    "submitted": _l("Submitted"),
    "withdrawn": _l("Withdrawn"),
    "withdrawal_requested": _l("Withdrawal requested"),
    "withdrawal_granted": _l("Withdrawn by the organizers, as requested"),
    "withdrawal_refused": _l("Request to withdraw refused"),
    "screened": _l("Eligibility decision"),
    "screening_undone": _l("Eligibility decision undone"),
    "awarded": _l("Awarded"),
    "award_removed": _l("Award removed"),
    "advanced": _l("Advanced to the next round"),
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


ACTION_LABELS = {
    "contest.created": _l("Contest created"),
    "contest.changed": _l("Contest settings changed"),
    "contest.parts_changed": _l("Themes, entrant types, criteria or rounds changed"),
    "contest.copied": _l("Contest copied"),
    "contest.archived": _l("Contest archived"),
    "contest.unarchived": _l("Contest taken out of the archive"),
    "contest.exported": _l("Data exported"),
    "proposal.screened": _l("Eligibility decision"),
    "proposal.withdrawn": _l("Proposal withdrawn by the applicant"),
    "proposal.withdrawal_requested": _l("Applicant asked to withdraw a proposal"),
    "proposal.withdrawal_granted": _l("Proposal withdrawn at the applicant's request"),
    "proposal.withdrawal_refused": _l("Request to withdraw refused"),
    "proposal.screening_undone": _l("Eligibility decision undone"),
    "judge.invited": _l("Judge invited"),
    "judge.joined": _l("Judge joined"),
    "judge.invitation_revoked": _l("Judge invitation revoked"),
    "judge.activated": _l("Judge activated"),
    "judge.deactivated": _l("Judge deactivated"),
    "judges.reminded": _l("Judges reminded"),
    "organizer.invited": _l("Organizer invited"),
    "organizer.joined": _l("Organizer joined"),
    "organizer.invitation_revoked": _l("Organizer invitation revoked"),
    "organizer.activated": _l("Organizer account activated"),
    "organizer.deactivated": _l("Organizer account deactivated"),
    "assignment.created": _l("Proposal assigned to a judge"),
    "assignments.planned": _l("Automatic assignment saved"),
    "assignment.reassigned": _l("Assignment moved to another judge"),
    "assignment.recused": _l("Judge recused"),
    "assignment.removed_for_conflict": _l("Assignment removed for a conflict of interest"),
    "conflict.added": _l("Conflict of interest added"),
    "conflict.removed": _l("Conflict of interest removed"),
    "conflict.waived": _l("Automatic conflict of interest waived"),
    "conflict.organization_declared": _l("Judge declared a conflict with an organization"),
    "conflict.organization_withdrawn": _l("Judge withdrew a declared conflict"),
    "review.submitted": _l("Review submitted"),
    "review.revised": _l("Submitted review revised"),
    "scores.imported": _l("Paper scores imported"),
    "round.closed": _l("Round closed"),
    "round.reopened": _l("Round reopened"),
    "ranking.settings_changed": _l("Ranking settings changed"),
    "proposals.advanced": _l("Proposals advanced to the next round"),
    "awards.allocated": _l("Awards allocated"),
    "award.moved": _l("Award changed"),
    "award_proposal.saved": _l("Awards proposal saved"),
    "award_proposal.submitted": _l("Awards proposal submitted"),
    "award_proposal.confirmed": _l("Awards proposal confirmed"),
    "award_proposal.returned": _l("Awards proposal returned"),
    "results.published": _l("Provisional results published"),
    "results.finalized": _l("Results finalized"),
    "objection.filed": _l("Objection filed"),
    "objection.answered": _l("Objection answered"),
    "account.erased": _l("Account erased"),
    "two_factor.enabled": _l("Two-step login turned on"),
    "two_factor.disabled": _l("Two-step login turned off"),
    "two_factor.recovery_codes_replaced": _l("Recovery codes replaced"),
    "two_factor.reset": _l("Two-step login reset by an organizer"),
    "announcement.sent": _l("Announcement sent"),
    "site.settings_changed": _l("Site settings changed"),
    "certificates.issued": _l("Certificates issued"),
    "certificate.revoked": _l("Certificate revoked"),
    "certificates.seal_changed": _l("Certificate seal changed"),
    "certificates.seal_removed": _l("Certificate seal removed"),
    "audit.exported": _l("Audit log exported"),
    "mail_template.changed": _l("Email text changed"),
    "mail_template.restored": _l("Email text back to the built-in one"),
    "live.created": _l("Pitch day set up"),
    "live.settings": _l("Pitch-day settings changed"),
    "live.start": _l("Pitch day: next pitch started"),
    "live.qa": _l("Pitch day: questions started"),
    "live.timer": _l("Pitch day: timer paused or resumed"),
    "live.open": _l("Pitch day: scoring opened"),
    "live.close": _l("Pitch day: scoring closed"),
    "live.reveal": _l("Pitch day: scores revealed"),
    "live.ranking": _l("Pitch day: final ranking started"),
    "live.reveal_next": _l("Pitch day: next group of the ranking revealed"),
    "live.up": _l("Pitch day: pitch moved up"),
    "live.down": _l("Pitch day: pitch moved down"),
    "live.no_show": _l("Pitch day: finalist absent"),
    "live.skip": _l("Pitch day: pitch skipped"),
    "live.restore": _l("Pitch day: pitch put back"),
    "live.undone": _l("Pitch day: last step undone"),
    "live.reminded": _l("Pitch day: judge reminded"),
}


def action_label(code):
    """The human name of an audit action, or the code itself for an action not listed."""
    return ACTION_LABELS.get(code, code)
