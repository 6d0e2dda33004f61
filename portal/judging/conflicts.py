"""Conflicts of interest: the verbs that declare, add, remove and waive conflicts, each audited.
The rule that says which conflicts stand, and which close a judge's access, is the lookup in
portal.rules.conflicts."""
from sqlalchemy.orm import selectinload

from portal import assignment as rules
from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import Assignment, Conflict, ConflictKind, JudgeMembership, Proposal, \
    ProposalStatus
from portal.rules.conflicts import RECORDED, assess, contest_rows


def review_snapshot(assignment):
    """What a removed assignment's review held, for the audit log (None when never scored)."""
    review = assignment.review
    if review is None:
        return None
    codes = {criterion.id: criterion.code for criterion in assignment.proposal.contest.criteria}
    return {"submitted_at": review.submitted_at.isoformat() if review.submitted_at else None,
            "scores": {codes.get(score.criterion_id, str(score.criterion_id)): str(score.value)
                       for score in review.scores},
            "comment": review.comment, "feedback": review.feedback}


def remove_assignment(actor, assignment, action, **detail):
    """Delete an assignment and its review; the review's scores go into the audit event."""
    proposal = assignment.proposal
    event = record(actor, action, contest=proposal.contest, target=assignment,
                   proposal=proposal.id, judge=assignment.judge_id,
                   round=assignment.round.code, removed_review=review_snapshot(assignment),
                   **detail)
    db.session.delete(assignment)
    db.session.flush()
    return event


def _open_assignments(proposal_id, judge_id):
    return db.session.scalars(db.select(Assignment).join(Assignment.round).filter(
        Assignment.proposal_id == proposal_id, Assignment.judge_id == judge_id,
        Assignment.round.has(closed_at=None))).all()


def recuse(judge, assignment, reason=None):
    """The judge declares a conflict with the assigned proposal: recorded, assignment removed."""
    if not assignment.round.is_open:
        raise DomainError(_l("This round is closed. Ask the organizers to record the "
                             "conflict."))
    proposal = assignment.proposal
    reason = (reason or "").strip() or None
    db.session.add(Conflict(contest_id=proposal.contest_id, judge_id=judge.id,
                            proposal_id=proposal.id, kind=ConflictKind.DECLARED_PROPOSAL,
                            reason=reason, created_by_id=judge.id))
    remove_assignment(judge, assignment, "assignment.recused", reason=reason)


def _normalized(organization):
    return rules.normalize_organization(organization)


def declare_organization(judge, contest, organization, reason=None):
    """The judge declares a conflict with every proposal of an organization."""
    organization = " ".join((organization or "").split())
    if not _normalized(organization):
        raise DomainError(_l("Enter the name of the organization."), field="organization")
    existing = db.session.scalars(db.select(Conflict.organization).filter_by(
        contest_id=contest.id, judge_id=judge.id, kind=ConflictKind.DECLARED_ORGANIZATION))
    if any(_normalized(name) == _normalized(organization) for name in existing):
        raise DomainError(_l("You have already declared this organization."),
                          field="organization")
    conflict = Conflict(contest_id=contest.id, judge_id=judge.id, organization=organization,
                        kind=ConflictKind.DECLARED_ORGANIZATION,
                        reason=(reason or "").strip() or None, created_by_id=judge.id)
    db.session.add(conflict)
    db.session.flush()
    record(judge, "conflict.organization_declared", contest=contest, target=conflict,
           judge=judge.id, organization=organization, reason=conflict.reason)
    return conflict


def withdraw_organization(judge, contest, conflict):
    """The judge takes back an organization they declared."""
    if conflict.judge_id != judge.id or conflict.contest_id != contest.id \
            or conflict.kind != ConflictKind.DECLARED_ORGANIZATION:
        raise DomainError(_l("This is not one of your declarations."))
    record(judge, "conflict.organization_withdrawn", contest=contest, target=conflict,
           judge=judge.id, organization=conflict.organization)
    db.session.delete(conflict)
    db.session.flush()


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason; it is kept in the audit log."), field="reason")
    return reason


def _require_judge_and_proposal(contest, judge, proposal):
    if proposal.contest_id != contest.id or proposal.status == ProposalStatus.DRAFT:
        raise DomainError(_l("This proposal is not in this contest."), field="reference")
    membership = db.session.scalar(db.select(JudgeMembership.id).filter_by(
        contest_id=contest.id, user_id=judge.id))
    if membership is None:
        raise DomainError(_l("This person is not a judge of this contest."), field="judge_id")


def add_conflict(actor, contest, judge, proposal, reason):
    """An organizer records a conflict; the judge's assignments to the proposal in open rounds
    are removed (their scores kept in the audit log). Lifts any waiver of the pair."""
    reason = _require_reason(reason)
    _require_judge_and_proposal(contest, judge, proposal)
    rows = db.session.scalars(db.select(Conflict).filter_by(
        contest_id=contest.id, judge_id=judge.id, proposal_id=proposal.id)).all()
    if any(row.kind == ConflictKind.ORGANIZER for row in rows):
        raise DomainError(_l("This conflict is already recorded."))
    waivers = [row for row in rows if row.kind == ConflictKind.WAIVER]
    for waiver in waivers:
        db.session.delete(waiver)
    conflict = Conflict(contest_id=contest.id, judge_id=judge.id, proposal_id=proposal.id,
                        kind=ConflictKind.ORGANIZER, reason=reason, created_by_id=actor.id)
    db.session.add(conflict)
    db.session.flush()
    record(actor, "conflict.added", contest=contest, target=conflict, judge=judge.id,
           proposal=proposal.id, reason=reason, waivers_lifted=len(waivers))
    removed = _open_assignments(proposal.id, judge.id)
    for assignment in removed:
        remove_assignment(actor, assignment, "assignment.removed_for_conflict", reason=reason)
    return removed


def remove_conflict(actor, contest, judge, proposal, reason):
    """An organizer lifts a conflict: recorded rows are deleted, automatic reasons waived.

    Returns (deleted kinds, waived reasons); refuses when no conflict stands for the pair.
    """
    reason = _require_reason(reason)
    _require_judge_and_proposal(contest, judge, proposal)
    found = assess([proposal], [judge], contest_rows(contest.id, judge.id))
    if not found.conflicted(proposal.id, judge.id):
        raise DomainError(_l("There is no conflict of interest between this judge and this "
                             "proposal."))
    deleted = [row for row in found.rows.get((proposal.id, judge.id), ())
               if row.kind in RECORDED]
    for row in deleted:
        record(actor, "conflict.removed", contest=contest, target=row, judge=judge.id,
               proposal=proposal.id, kind=row.kind, recorded_reason=row.reason, reason=reason)
        db.session.delete(row)
    automatic = found.automatic.get((proposal.id, judge.id), ())
    if automatic and not found.waived(proposal.id, judge.id):
        waiver = Conflict(contest_id=contest.id, judge_id=judge.id, proposal_id=proposal.id,
                          kind=ConflictKind.WAIVER, reason=reason, created_by_id=actor.id)
        db.session.add(waiver)
        db.session.flush()
        record(actor, "conflict.waived", contest=contest, target=waiver, judge=judge.id,
               proposal=proposal.id, reasons=list(automatic), reason=reason)
    else:
        automatic = ()
    db.session.flush()
    return [row.kind for row in deleted], automatic


def standing_in_contest(contest, themes=None):
    """Every standing conflict of the contest's judges with its proposals in competition (of
    these theme ids only, unless None), and the waivers: (ConflictMap, proposals by id, judges
    by id). A bounded number of queries."""
    proposals = db.session.scalars(
        db.select(Proposal).filter(Proposal.contest_id == contest.id,
                                   Proposal.status.in_(ProposalStatus.IN_COMPETITION),
                                   *([] if themes is None
                                     else [Proposal.theme_id.in_(sorted(themes))]))
        .options(selectinload(Proposal.applicant), selectinload(Proposal.theme))
        .order_by(Proposal.id)).all()
    memberships = db.session.scalars(
        db.select(JudgeMembership).filter_by(contest_id=contest.id)
        .options(selectinload(JudgeMembership.user))).all()
    users = [membership.user for membership in memberships]
    found = assess(proposals, users, contest_rows(contest.id))
    return found, {p.id: p for p in proposals}, {u.id: u for u in users}

