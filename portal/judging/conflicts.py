"""Conflicts of interest in the portal: one rule for one pair or a whole contest, and the verbs
that declare, add, remove and waive conflicts, each audited.

The rule: a judge is never assigned a proposal when a conflict is recorded for the pair (the
judge recused, or an organizer added it), or when an automatic one (same organization, same
private email domain, an organization the judge declared; portal.assignment.find_conflicts)
stands and no organizer waived it for the pair.

Access to a proposal already assigned closes only through a conflict recorded for the pair
(`closes_access`). Automatic conflicts depend on what the judge says (a declared organization,
their profile's organization or address): if they closed access at once, a judge could declare
a guess and see from a 404 whether the blind proposal came from that organization. They act
when proposals are assigned and are shown to the organizers, who record the conflict (which
removes the assignment) or waive it; the judge sees the same either way.
"""
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy.orm import selectinload

from portal import assignment as rules
from portal.assignment import ConflictReason
from portal.assignment.conflicts import ordered_reasons
from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.models import Assignment, Conflict, ConflictKind, JudgeMembership, Proposal, \
    ProposalStatus

# Conflict rows about one pair, and the reason each stands for.
RECORDED = {ConflictKind.DECLARED_PROPOSAL: ConflictReason.DECLARED_PROPOSAL,
            ConflictKind.ORGANIZER: ConflictReason.ORGANIZER}

REASON_LABELS = {
    ConflictReason.SAME_ORGANIZATION: _l("same organization"),
    ConflictReason.SAME_EMAIL_DOMAIN: _l("same email domain"),
    ConflictReason.DECLARED_ORGANIZATION: _l("organization declared by the judge"),
    ConflictReason.DECLARED_PROPOSAL: _l("the judge recused"),
    ConflictReason.ORGANIZER: _l("recorded by the organizers"),
}


def reason_labels(reasons):
    return ", ".join(str(REASON_LABELS.get(reason, reason)) for reason in reasons)


def _public_mail_domains():
    """The public mail providers this site adds to the built-in list (configuration)."""
    return tuple(current_app.config.get("PORTAL_PUBLIC_MAIL_DOMAINS") or ())


def _private_email(email, public_domains):
    """The address when its domain can tie people together, else None."""
    domain = rules.email_domain(email)
    if not domain or any(domain == public or domain.endswith("." + public)
                         for public in public_domains):
        return None
    return email


def judge_record(user, declared_organizations=(), expertise=(), active=True,
                 public_domains=None):
    public_domains = _public_mail_domains() if public_domains is None else public_domains
    return rules.Judge(id=user.id, expertise=expertise, active=active,
                       email=_private_email(user.email, public_domains),
                       organization=user.organization,
                       declared_organizations=declared_organizations)


def _conflict_records(proposal, public_domains):
    """The proposal as the conflict rules see it: one record per address of the applicant."""
    applicant = proposal.applicant
    organization = proposal.organization or (applicant.organization if applicant else None)
    emails = sorted({_private_email(email, public_domains) for email in (
        applicant.email if applicant else None, proposal.contact_email)} - {None})
    return [rules.Proposal(id=proposal.id, theme="", applicant_email=email,
                           organization=organization) for email in emails or [None]]


@dataclass
class ConflictMap:
    """The conflicts among some proposals and judges of one contest.

    standing: (proposal id, judge id) -> the reasons that stand (ConflictReason order);
    automatic: pair -> automatic reasons found, waived or not; rows: pair -> its Conflict rows.
    """

    standing: dict = field(default_factory=dict)
    automatic: dict = field(default_factory=dict)
    rows: dict = field(default_factory=dict)

    def reasons(self, proposal_id, judge_id):
        return self.standing.get((proposal_id, judge_id), ())

    def conflicted(self, proposal_id, judge_id):
        return (proposal_id, judge_id) in self.standing

    def waived(self, proposal_id, judge_id):
        return any(row.kind == ConflictKind.WAIVER for row in self.rows.get(
            (proposal_id, judge_id), ()))

    def as_records(self):
        """The standing conflicts as portal.assignment.Conflict records, for the planner."""
        return [rules.Conflict(proposal_id, judge_id, reasons)
                for (proposal_id, judge_id), reasons in sorted(self.standing.items())]


def assess(proposals, users, rows):
    """The ConflictMap of these proposals (applicants loaded) and judges (User rows), given the
    contest's Conflict rows that concern them. No query beyond lazy loads of applicants."""
    declared = {}
    for row in rows:
        if row.kind == ConflictKind.DECLARED_ORGANIZATION and row.organization:
            declared.setdefault(row.judge_id, []).append(row.organization)
    public_domains = _public_mail_domains()   # read once: 10,000 proposals ask for it
    judges = [judge_record(user, declared.get(user.id, ()), public_domains=public_domains)
              for user in users]
    records = [record_ for proposal in proposals
               for record_ in _conflict_records(proposal, public_domains)]
    result = ConflictMap()
    for conflict in rules.find_conflicts(judges, records):
        result.automatic[conflict.proposal_id, conflict.judge_id] = conflict.reasons
    proposal_ids = {proposal.id for proposal in proposals}
    judge_ids = {user.id for user in users}
    for row in rows:
        if row.proposal_id in proposal_ids and row.judge_id in judge_ids:
            result.rows.setdefault((row.proposal_id, row.judge_id), []).append(row)
    for pair in set(result.automatic) | set(result.rows):
        recorded = {RECORDED[row.kind] for row in result.rows.get(pair, ()) if row.kind in RECORDED}
        waived = any(row.kind == ConflictKind.WAIVER for row in result.rows.get(pair, ()))
        reasons = recorded | (set() if waived else set(result.automatic.get(pair, ())))
        if reasons:
            result.standing[pair] = ordered_reasons(reasons)
    return result


def contest_rows(contest_id, judge_id=None):
    query = db.select(Conflict).filter(Conflict.contest_id == contest_id)
    if judge_id is not None:
        query = query.filter(Conflict.judge_id == judge_id)
    return db.session.scalars(query.order_by(Conflict.id)).all()


def closes_access(user, proposal):
    """Whether a conflict recorded for the pair (a recusal, an organizer's) closes the judge's
    access to the proposal. Nothing the judge declares about others does (see the module's
    docstring). One query."""
    return db.session.scalar(db.select(Conflict.id).filter(
        Conflict.contest_id == proposal.contest_id, Conflict.judge_id == user.id,
        Conflict.proposal_id == proposal.id, Conflict.kind.in_(tuple(RECORDED))).limit(1)) \
        is not None


def recorded_pairs(rows):
    """The (proposal id, judge id) pairs of these Conflict rows that close access."""
    return {(row.proposal_id, row.judge_id) for row in rows if row.kind in RECORDED}


def open_assignment_pairs(contest):
    """The (proposal id, judge id) pairs assigned in the contest's open rounds."""
    return set(db.session.execute(
        db.select(Assignment.proposal_id, Assignment.judge_id).join(Assignment.round)
        .filter(Assignment.round.has(contest_id=contest.id, closed_at=None))).tuples())


# --- Verbs ------------------------------------------------------------------------------------

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


def standing_in_contest(contest):
    """Every standing conflict of the contest's judges with its proposals in competition, and
    the waivers: (ConflictMap, proposals by id, judges by id). A bounded number of queries."""
    proposals = db.session.scalars(
        db.select(Proposal).filter(Proposal.contest_id == contest.id,
                                   Proposal.status.in_(ProposalStatus.IN_COMPETITION))
        .options(selectinload(Proposal.applicant), selectinload(Proposal.theme))
        .order_by(Proposal.id)).all()
    memberships = db.session.scalars(
        db.select(JudgeMembership).filter_by(contest_id=contest.id)
        .options(selectinload(JudgeMembership.user))).all()
    users = [membership.user for membership in memberships]
    found = assess(proposals, users, contest_rows(contest.id))
    return found, {p.id: p for p in proposals}, {u.id: u for u in users}

