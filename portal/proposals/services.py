"""Proposal verbs: create a draft, edit, submit, withdraw, delete. Services add and flush only."""
from decimal import Decimal
from functools import partial

from sqlalchemy import func, update
from sqlalchemy.orm import joinedload

from portal import policy
from portal.audit import record
from portal.database import lock_row, run_after_commit
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import join_list, lazy_gettext as _l
from portal.mail import queue_email
from portal.models import BudgetLine, Contest, EntrantType, Permission, Proposal, ProposalEvent, \
    ProposalStatus, Theme, User, utcnow
from portal.proposals import rules
from portal.proposals.storage import delete_stored
from portal.web import external_url

# Must be filled in before a proposal can be submitted (a draft needs only title and theme).
REQUIRED_FOR_SUBMISSION = {
    "summary": _l("Summary"),
    "need": _l("The need it answers"),
    "beneficiaries": _l("Beneficiaries"),
    "beneficiary_count": _l("Number of beneficiaries"),
    "plan": _l("Activities and timeline"),
    "budget_lines": _l("Budget"),
    "outcomes": _l("Expected outcomes"),
    "innovation": _l("What is innovative"),
    "team": _l("Team"),
    "sustainability": _l("Sustainability"),
    "contact_name": _l("Contact person for this proposal"),
    "contact_phone": _l("Contact mobile phone"),
}


def require_editable(proposal, now=None):
    """Refuse, saying why, unless the applicant may change the proposal now (the deadline
    rule of portal.proposals.rules; a return for correction has its own date)."""
    rules.require_action(rules.EDIT, proposal.contest, proposal, now)


def can_change(proposal, now=None):
    """Whether the applicant may edit (and submit) the proposal now."""
    return rules.refusal(rules.EDIT, proposal.contest, proposal, now) is None


def _record(proposal, actor, action, from_status=None, note=None):
    proposal.events.append(ProposalEvent(actor_id=actor.id if actor else None, action=action,
                                         from_status=from_status, to_status=proposal.status,
                                         note=note))


def _check_theme(contest, theme_id):
    theme = db.session.get(Theme, theme_id) if theme_id else None
    if theme is None or theme.contest_id != contest.id:
        raise DomainError(_l("Choose one of this contest's themes."), field="theme_id")
    return theme


def _apply(proposal, data):
    for name, value in data.items():
        if name == "budget_lines":
            _replace_budget_lines(proposal, value)
            continue
        if isinstance(value, str):
            value = value.strip() or None
        setattr(proposal, name, value)


def _replace_budget_lines(proposal, lines):
    proposal.budget_lines = [
        BudgetLine(position=position, item=line["item"], amount=line["amount"], note=line["note"])
        for position, line in enumerate(lines, start=1)]
    proposal.budget_total = sum((line.amount for line in proposal.budget_lines), Decimal(0)) \
        if proposal.budget_lines else None


def applicant_proposals(user):
    """The applicant's proposals, newest first, with their contest and theme in the same
    statement (the home page shows both; lazy loads would cost two statements a proposal
    whose contest is not listed)."""
    return db.session.scalars(
        db.select(Proposal).filter_by(applicant_id=user.id)
        .options(joinedload(Proposal.contest), joinedload(Proposal.theme))
        .order_by(Proposal.created_at.desc())).unique().all()


def active_proposal_count(user, contest):
    return db.session.scalar(
        db.select(func.count(Proposal.id)).filter(
            Proposal.contest_id == contest.id, Proposal.applicant_id == user.id,
            Proposal.status != ProposalStatus.WITHDRAWN))


def proposal_for_token(user, creation_token):
    """The proposal this user already created with this form token, if any."""
    if not creation_token:
        return None
    return db.session.scalar(db.select(Proposal).filter_by(creation_token=creation_token,
                                                             applicant_id=user.id))


def create_draft(user, contest, data, now=None, creation_token=None):
    """A new draft for the contest, within the applicant's limit.

    The form's one-time token makes this idempotent: a double-clicked or retried form creates
    one proposal, and the retry gets that one back.
    """
    now = now or utcnow()
    # The same form sent twice at once, or several forms at once: they take turns, so that the
    # token and the limit are checked against what the others committed.
    lock_row(User, user.id)
    existing = proposal_for_token(user, creation_token)
    if existing is not None:
        return existing
    rules.require_action(rules.CREATE, contest, now=now)
    if not policy.may_apply_to(user, contest):
        raise DomainError(_l("Judges and organizers of this contest cannot submit proposals to it."))
    if active_proposal_count(user, contest) >= contest.proposal_limit:
        raise DomainError(_l(
            "You already have %(limit)d proposals in this contest, the most it allows. "
            "Delete a draft or withdraw a proposal to start another.",
            limit=contest.proposal_limit))
    _check_theme(contest, data.get("theme_id"))
    proposal = Proposal(contest=contest, applicant=user, status=ProposalStatus.DRAFT,
                        creation_token=creation_token)
    _apply(proposal, data)
    db.session.add(proposal)
    _record(proposal, user, "created")
    db.session.flush()
    return proposal


def update_proposal(user, proposal, data, expected_version, now=None):
    """Save an edit, refusing one made from an older version of the proposal."""
    now = now or utcnow()
    require_editable(proposal, now)
    if str(expected_version) != str(proposal.version):
        raise DomainError(_l(
            "This proposal was changed in another window or tab after you opened it. "
            "Your changes were not saved: reload the page to see the latest version."))
    if "theme_id" in data:
        _check_theme(proposal.contest, data["theme_id"])
    _apply(proposal, data)
    if proposal.status != ProposalStatus.DRAFT:
        _record(proposal, user, "edited", from_status=proposal.status)
        _notify(user, proposal, _l("Your proposal %(reference)s was changed",
                                   reference=proposal.reference), "proposal_edited")
    db.session.flush()
    return proposal


def _notify(user, proposal, subject, template, **context):
    queue_email(user, subject, template, user=user, proposal=proposal,
                contest_name=proposal.contest.localized("name", user.locale or "zh_CN"),
                proposal_url=external_url("proposals.show", proposal_id=proposal.id),
                now=utcnow(), **context)


def missing_for_submission(proposal):
    """The labels of the fields still empty."""
    return [label for name, label in REQUIRED_FOR_SUBMISSION.items()
            if getattr(proposal, name) in (None, "", [])]


def _profile_entrant_type(user, contest):
    entrant_type = db.session.scalar(
        db.select(EntrantType).filter_by(contest_id=contest.id, code=user.entrant_type_code))
    if entrant_type is None or not user.contact_name or not user.phone:
        raise DomainError(_l("Complete your profile (entrant type, contact person and mobile "
                             "phone) before you submit."))
    if entrant_type.requires_organization and not user.organization:
        raise DomainError(_l("Your entrant type needs an organization: add it to your profile "
                             "before you submit."))
    return entrant_type


def _next_reference(contest):
    """The next reference number, e.g. ZZCF-2014-0007, from a counter bumped in the database."""
    number = db.session.execute(
        update(Contest).where(Contest.id == contest.id)
        .values(reference_counter=Contest.reference_counter + 1)
        .returning(Contest.reference_counter)).scalar_one()
    return f"{contest.reference_prefix}-{number:04d}"


def submit_proposal(user, proposal, now=None):
    """Submit a draft (or resubmit a withdrawn proposal) before the deadline."""
    now = now or utcnow()
    contest = proposal.contest
    rules.require_action(rules.SUBMIT, contest, proposal, now)
    if not policy.may_apply_to(user, contest):
        raise DomainError(_l("Judges and organizers of this contest cannot submit proposals to it."))
    if not user.email_confirmed:
        raise DomainError(_l("Confirm your email address before you submit: follow the link in "
                             "the email we sent you, or ask for a new one."))
    missing = missing_for_submission(proposal)
    if missing:
        raise DomainError(_l("Fill in these fields before you submit: %(fields)s.",
                             fields=join_list(missing)))
    if proposal.status == ProposalStatus.WITHDRAWN:
        lock_row(User, user.id)  # as in create_draft: count what the other requests committed
        if active_proposal_count(user, contest) >= contest.proposal_limit:
            raise DomainError(_l("You already have %(limit)d proposals in this contest, the "
                                 "most it allows.", limit=contest.proposal_limit))
    entrant_type = _profile_entrant_type(user, contest)
    previous = proposal.status
    proposal.entrant_type = entrant_type
    proposal.organization = user.organization
    proposal.status = ProposalStatus.SUBMITTED
    proposal.status_note = proposal.correction_until = None
    proposal.submitted_at = now
    if proposal.reference is None:
        proposal.reference = _next_reference(contest)
    _record(proposal, user, "submitted", from_status=previous)
    db.session.flush()
    _notify(user, proposal, _l("Receipt: proposal %(reference)s submitted",
                               reference=proposal.reference), "proposal_submitted")
    return proposal


def withdraw_proposal(user, proposal, reason=None, now=None):
    """Take a submitted proposal out of the contest: before the deadline it may be submitted
    again; after it, a reason is needed, and only until the first round's judging opens."""
    now = now or utcnow()
    contest = proposal.contest
    rules.require_action(rules.WITHDRAW, contest, proposal, now)
    reason = (reason or "").strip() or None
    if reason is None and not contest.accepts_submissions_at(now):
        raise DomainError(_l("Give the reason for withdrawing; the organizers read it."),
                          field="reason")
    _withdraw(user, proposal, "withdrawn", reason)


def _withdraw(actor, proposal, action, note):
    previous = proposal.status
    proposal.status = ProposalStatus.WITHDRAWN
    _record(proposal, actor, action, from_status=previous, note=note)
    db.session.flush()
    record(actor, f"proposal.{action}", contest=proposal.contest, target=proposal,
           proposal=proposal.id, previous=previous, reason=note)
    if proposal.applicant is not None:
        _notify(proposal.applicant, proposal, _l("Your proposal %(reference)s was withdrawn",
                                                 reference=proposal.reference),
                "proposal_withdrawn",
                can_resubmit=proposal.contest.accepts_submissions_at(utcnow()))


def request_withdrawal(user, proposal, reason, now=None):
    """Once judging has opened, ask the organizers to withdraw the proposal (they decide)."""
    rules.require_action(rules.REQUEST_WITHDRAWAL, proposal.contest, proposal, now)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for withdrawing; the organizers read it."),
                          field="reason")
    _record(proposal, user, rules.WITHDRAWAL_REQUESTED, from_status=proposal.status,
            note=reason)
    db.session.flush()
    record(user, "proposal.withdrawal_requested", contest=proposal.contest, target=proposal,
           proposal=proposal.id, reason=reason)


def decide_withdrawal(actor, proposal, grant, note=None):
    """An organizer grants (the proposal is withdrawn) or refuses a pending request."""
    if not rules.withdrawal_pending(proposal):
        raise DomainError(_l("There is no pending request to withdraw this proposal."))
    note = (note or "").strip() or None
    if grant:
        _withdraw(actor, proposal, "withdrawal_granted", note)
        return
    _record(proposal, actor, "withdrawal_refused", from_status=proposal.status, note=note)
    db.session.flush()
    record(actor, "proposal.withdrawal_refused", contest=proposal.contest, target=proposal,
           proposal=proposal.id, reason=note)


def pending_withdrawals(viewer, contest):
    """The contest's proposals whose withdrawal request awaits a decision, by reference (for
    a theme chair, those of their themes)."""
    # The requests first (an index on the events' action), not every proposal of the contest
    # probed for one: 12 ms at 10,000 proposals on each view of the proposal table.
    requested = db.select(ProposalEvent.proposal_id).filter(
        ProposalEvent.action == rules.WITHDRAWAL_REQUESTED)
    candidates = db.session.scalars(
        db.select(Proposal)
        .filter(Proposal.contest_id == contest.id,
                *policy.theme_filter(viewer, contest, Permission.SCREEN),
                Proposal.status.in_(rules.WITHDRAWABLE_ON_REQUEST),
                Proposal.id.in_(requested))
        .order_by(Proposal.reference)).all()
    return [proposal for proposal in candidates if rules.withdrawal_pending(proposal)]


def delete_draft(user, proposal, now=None):
    rules.require_action(rules.DELETE_DRAFT, proposal.contest, proposal, now)
    delete_proposal(proposal)


def delete_proposal(proposal):
    """Remove the proposal and its files (the files go once the row is flushed away)."""
    for attachment in proposal.attachments:
        run_after_commit(partial(delete_stored, attachment.stored_name))
    db.session.delete(proposal)
    db.session.flush()
