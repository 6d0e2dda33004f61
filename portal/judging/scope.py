"""The judges a theme chair (主题负责人) works with, and what of their work the chair sees.

A chair's judges are the contest's judges with an expertise in one of the chair's themes, an
assignment or a conflict of interest on a proposal of those themes, or who accepted an
invitation the chair sent: they are whom the chair invites, assigns and watches. Their
workload and statistics count the chair's themes only; nothing of another theme shows.
"""
from sqlalchemy import union

from portal.extensions import db
from portal.models import Assignment, Conflict, Invitation, InvitationRole, JudgeMembership, \
    Proposal, Review, judge_expertise


def judges_of_themes(contest, themes, chair=None):
    """The ids of the chair's judges (see the module), in one query; None when `themes` is
    None (staff: every judge of the contest)."""
    if themes is None:
        return None
    themes = sorted(themes)
    in_themes = db.select(Proposal.id).filter(Proposal.contest_id == contest.id,
                                              Proposal.theme_id.in_(themes))
    queries = [
        db.select(JudgeMembership.user_id.label("user_id"))
        .join(judge_expertise, judge_expertise.c.membership_id == JudgeMembership.id)
        .filter(JudgeMembership.contest_id == contest.id,
                judge_expertise.c.theme_id.in_(themes)),
        db.select(Assignment.judge_id).filter(Assignment.proposal_id.in_(in_themes)),
        db.select(Conflict.judge_id).filter(Conflict.contest_id == contest.id,
                                            Conflict.proposal_id.in_(in_themes)),
    ]
    if chair is not None:
        queries.append(db.select(Invitation.accepted_by_id).filter(
            Invitation.contest_id == contest.id, Invitation.role == InvitationRole.JUDGE,
            Invitation.created_by_id == chair.id, Invitation.accepted_by_id.is_not(None)))
    return set(db.session.scalars(db.select(union(*queries).subquery().c.user_id)))


def workload(contest, themes=None):
    """judge id -> (assignments, submitted reviews) in the contest, on the proposals of these
    theme ids only unless None; one query."""
    rows = db.session.execute(
        db.select(Assignment.judge_id, db.func.count(Assignment.id),
                  db.func.count(Review.submitted_at))
        .join(Assignment.round).outerjoin(Review, Review.assignment_id == Assignment.id)
        .filter(Assignment.round.has(contest_id=contest.id),
                *_proposal_in(contest, themes, Assignment.proposal_id))
        .group_by(Assignment.judge_id))
    return {judge_id: (assigned, done) for judge_id, assigned, done in rows}


def _proposal_in(contest, themes, column):
    """Conditions keeping `column` (a proposal id) to proposals of these theme ids; none for
    None."""
    if themes is None:
        return []
    return [column.in_(db.select(Proposal.id).filter(Proposal.contest_id == contest.id,
                                                     Proposal.theme_id.in_(sorted(themes))))]
