"""Assignment by hand: one proposal to chosen judges, a selection of proposals to one judge,
and moving an assignment from one judge to another. Each refuses an inactive or conflicted
judge with a message naming them."""
from typing import NamedTuple

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale, lazy_gettext as _l
from portal.judging.conflicts import remove_assignment
from portal.models import Assignment, Conflict, JudgeMembership, Proposal, ProposalStatus
from portal.rules.conflicts import assess, contest_rows, reason_labels
from portal.rules.contest import judge_name, round_statuses


def _memberships(contest, judge_ids):
    return {membership.user_id: membership for membership in db.session.scalars(
        db.select(JudgeMembership).filter(JudgeMembership.contest_id == contest.id,
                                          JudgeMembership.user_id.in_(set(judge_ids)))
        .options(selectinload(JudgeMembership.user)))}


def _check_round(contest_round, contest):
    if contest_round.contest_id != contest.id or not contest_round.is_open:
        raise DomainError(_l("Choose an open round of this contest."))


def _check_proposals(contest_round, proposals):
    statuses = round_statuses(contest_round)
    for proposal in proposals:
        if proposal.contest_id != contest_round.contest_id \
                or proposal.status not in ProposalStatus.IN_COMPETITION:
            raise DomainError(_l("Only submitted proposals can be assigned to judges."))
        if proposal.status not in statuses:
            raise DomainError(_l("%(reference)s is not in %(round)s.",
                                 reference=proposal.reference,
                                 round=contest_round.localized("name", current_locale())))


def _check_judges(contest, judge_ids):
    """The judges' User rows by id; refuses anyone not an active judge of the contest."""
    memberships = _memberships(contest, judge_ids)
    judges = {}
    for judge_id in judge_ids:
        membership = memberships.get(judge_id)
        if membership is None:
            raise DomainError(_l("Only active judges of this contest can be assigned."))
        if not membership.active or not membership.user.active:
            raise DomainError(_l("%(judge)s is not an active judge of this contest.",
                                 judge=judge_name(membership.user)))
        judges[judge_id] = membership.user
    return judges


def check_no_conflicts(contest, proposals, judges):
    """Refuse when any of the judges has a conflict of interest with any of the proposals."""
    rows = db.session.scalars(db.select(Conflict).filter(
        Conflict.contest_id == contest.id,
        Conflict.judge_id.in_([judge.id for judge in judges]))).all()
    found = assess(proposals, judges, rows)
    for proposal in proposals:
        for judge in judges:
            reasons = found.reasons(proposal.id, judge.id)
            if reasons:
                raise DomainError(_l(
                    "%(judge)s has a conflict of interest with %(reference)s (%(reasons)s) and "
                    "cannot be assigned to it.", judge=judge_name(judge),
                    reference=proposal.reference, reasons=reason_labels(reasons)))


def _assign_pairs(actor, contest_round, proposals, judge_ids):
    """Check, then create each missing (proposal, judge) assignment; existing ones are kept."""
    contest = contest_round.contest
    _check_round(contest_round, contest)
    _check_proposals(contest_round, proposals)
    judges = _check_judges(contest, judge_ids)
    check_no_conflicts(contest, proposals, list(judges.values()))
    existing = set(db.session.execute(
        db.select(Assignment.proposal_id, Assignment.judge_id).filter(
            Assignment.round_id == contest_round.id,
            Assignment.proposal_id.in_([proposal.id for proposal in proposals]))).all())
    created = []
    for proposal in proposals:
        for judge_id in judge_ids:
            if (proposal.id, judge_id) in existing:
                continue
            assignment = Assignment(round=contest_round, proposal=proposal,
                                    judge=judges[judge_id],
                                    created_by_id=getattr(actor, "id", None))
            db.session.add(assignment)
            created.append(assignment)
            existing.add((proposal.id, judge_id))
    db.session.flush()
    for assignment in created:
        record(actor, "assignment.created", contest=contest, target=assignment,
               proposal=assignment.proposal_id, judge=assignment.judge_id,
               round=contest_round.code)
    return created


def assign_judges(actor, proposal, judge_ids, contest_round):
    """Assign the proposal to each judge in the round; existing assignments are kept."""
    return _assign_pairs(actor, contest_round, [proposal], list(dict.fromkeys(judge_ids)))


def assign_proposals(actor, judge, proposal_ids, contest_round):
    """Assign a selection of the round's proposals to one judge; existing ones are kept."""
    if not proposal_ids:
        raise DomainError(_l("Select at least one proposal."), field="proposal_ids")
    proposals = db.session.scalars(db.select(Proposal).filter(
        Proposal.id.in_(set(proposal_ids))).options(selectinload(Proposal.applicant))
        .order_by(Proposal.id)).all()
    if len(proposals) != len(set(proposal_ids)):
        raise DomainError(_l("Only submitted proposals can be assigned to judges."))
    return _assign_pairs(actor, contest_round, proposals, [judge.id])


def reassign(actor, assignment, new_judge_id, reason):
    """Move an assignment to another judge. The removed review's scores are written into the
    audit event, and so leave the ranking."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason; it is kept in the audit log."), field="reason")
    contest_round, proposal = assignment.round, assignment.proposal
    _check_round(contest_round, proposal.contest)
    if new_judge_id == assignment.judge_id:
        raise DomainError(_l("Choose another judge."), field="judge_id")
    judges = _check_judges(proposal.contest, [new_judge_id])
    check_no_conflicts(proposal.contest, [proposal], list(judges.values()))
    if db.session.scalar(db.select(Assignment.id).filter_by(
            round_id=contest_round.id, proposal_id=proposal.id, judge_id=new_judge_id)):
        raise DomainError(_l("%(judge)s is already assigned to this proposal.",
                             judge=judge_name(judges[new_judge_id])), field="judge_id")
    remove_assignment(actor, assignment, "assignment.reassigned", to_judge=new_judge_id,
                      reason=reason)
    replacement = Assignment(round=contest_round, proposal=proposal,
                             judge=judges[new_judge_id], created_by_id=getattr(actor, "id", None))
    db.session.add(replacement)
    db.session.flush()
    return replacement


class JudgeSelection(NamedTuple):
    """What the page assigning a selection of proposals to one judge shows."""

    proposals: list       # the round's proposals (of one theme), by reference
    assigned: set         # ids of those already assigned to the judge in the round
    judges_count: dict    # proposal id -> its assignments in the round
    conflicts: object     # portal.rules.conflicts.ConflictMap for the judge


def judge_selection(contest, contest_round, judge, theme=None, themes=None):
    """The round's proposals (of `theme`, when given, and of the theme ids `themes`, a
    chair's, unless None) with what the organizer weighs before giving some to `judge`: four
    queries."""
    proposals = db.session.scalars(
        db.select(Proposal).filter(Proposal.contest_id == contest.id,
                                   Proposal.status.in_(round_statuses(contest_round)),
                                   *([Proposal.theme_id == theme.id] if theme else []),
                                   *([] if themes is None
                                     else [Proposal.theme_id.in_(sorted(themes))]))
        .options(selectinload(Proposal.theme), selectinload(Proposal.applicant))
        .order_by(Proposal.reference, Proposal.id)).all()
    assigned = set(db.session.scalars(db.select(Assignment.proposal_id).filter_by(
        round_id=contest_round.id, judge_id=judge.id)))
    judges_count = dict(db.session.execute(
        db.select(Assignment.proposal_id, func.count(Assignment.id))
        .filter_by(round_id=contest_round.id).group_by(Assignment.proposal_id)).all())
    return JudgeSelection(proposals, assigned, judges_count,
                          assess(proposals, [judge], contest_rows(contest.id, judge.id)))
