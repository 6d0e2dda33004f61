"""Judging verbs: invite judges, review within the round's window, close and reopen a round.

Assignment lives in portal.judging.assigning (assign_judges is re-exported here), automatic
assignment in assignment_plans, conflicts of interest in conflicts, reminders in reminders.
"""
from sqlalchemy.orm import selectinload

from portal.accounts import invitations
from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.judging.assigning import assign_judges  # noqa: F401  (re-exported)
from portal.models import Assignment, InvitationRole, JudgeMembership, Publication, \
    PublicationStage, Review, Score, User, utcnow
from portal.rules.contest import ScoreRefused, by_judge_name, check_score, scoring_refusal


def invite_judge(actor, contest, email, **details):
    """Invite `email` to judge `contest` (see portal.accounts.invitations)."""
    return invitations.invite(actor, InvitationRole.JUDGE, email, contest=contest, **details)


def active_judges(contest):
    """The contest's active judges, by name in pinyin order."""
    return sorted(db.session.scalars(
        db.select(User).join(JudgeMembership, JudgeMembership.user_id == User.id)
        .filter(JudgeMembership.contest_id == contest.id, JudgeMembership.active.is_(True),
                User.active.is_(True))), key=by_judge_name)


def save_review(judge, assignment, values, comment, submit, now=None, feedback=None):
    """Store the judge's scores (criterion id -> value or None), comment to the organizers and,
    unless `feedback` is None, the feedback for the applicant.

    A draft may be incomplete; submitting needs every criterion. Either is allowed within the
    round's judging window until the round closes, so a judge may revise a submitted review.
    """
    now = now or utcnow()
    refusal = scoring_refusal(assignment.round, now)
    if refusal is not None:
        raise DomainError(refusal)
    criteria = assignment.proposal.contest.criteria
    for criterion in criteria:
        value = values.get(criterion.id)
        if value is not None:
            check_score(criterion, value)
        elif submit:
            raise ScoreRefused(_l("Score every criterion before you submit."), criterion.id)
    review = assignment.review or Review(assignment=assignment)
    db.session.add(review)
    before = {score.criterion_id: score.value for score in review.scores}
    by_criterion = {score.criterion_id: score for score in review.scores}
    for criterion in criteria:
        value = values.get(criterion.id)
        score = by_criterion.get(criterion.id)
        if value is None and score is not None:
            review.scores.remove(score)
        elif value is not None and score is None:
            review.scores.append(Score(criterion_id=criterion.id, value=value))
        elif value is not None:
            score.value = value
    review.comment = (comment or "").strip() or None
    if feedback is not None:
        review.feedback = feedback.strip() or None
    was_submitted = review.submitted_at is not None
    if submit:
        review.submitted_at = review.submitted_at or now
    db.session.flush()
    after = {score.criterion_id: score.value for score in review.scores}
    if submit or was_submitted:
        action = "review.revised" if was_submitted else "review.submitted"
        record(judge, action, contest=assignment.proposal.contest, target=review,
               proposal=assignment.proposal_id,
               before={str(k): str(v) for k, v in before.items()},
               after={str(k): str(v) for k, v in after.items()})
    return review


def set_round_closed(actor, contest_round, closed, now=None, reason=None):
    """Close a round (its scores are locked) or reopen it, which needs a reason."""
    reason = (reason or "").strip() or None
    if closed and contest_round.closed_at is not None:
        return
    if not closed:
        if contest_round.closed_at is None:
            raise DomainError(_l("This round is open already."))
        if reason is None:
            raise DomainError(_l("Give the reason for reopening the round; it is kept in the "
                                 "audit log."), field="reason")
        if _results_final(contest_round.contest):
            raise DomainError(_l("The results are final: the scores stay locked."))
    contest_round.closed_at = (now or utcnow()) if closed else None
    db.session.flush()
    record(actor, "round.closed" if closed else "round.reopened", contest=contest_round.contest,
           target=contest_round, round=contest_round.code, reason=reason)


def _results_final(contest):
    return db.session.scalar(db.select(Publication.id).filter_by(
        contest_id=contest.id, stage=PublicationStage.FINAL)) is not None


def set_judge_active(actor, membership, active):
    """Deactivate a judge (their submitted reviews stay; open assignments return to the pool)
    or reactivate them.

    A released assignment takes its draft review with it, so the draft's scores and texts are
    copied into the audit event first: what a judge typed is never lost without a trace.
    """
    membership.active = active
    released, discarded_drafts = [], []
    if not active:
        open_assignments = db.session.scalars(
            db.select(Assignment).join(Assignment.round).outerjoin(Assignment.review)
            .filter(Assignment.judge_id == membership.user_id,
                    Assignment.round.has(contest_id=membership.contest_id),
                    Review.submitted_at.is_(None))
            .options(selectinload(Assignment.review).selectinload(Review.scores))).all()
        for assignment in open_assignments:
            released.append(assignment.proposal_id)
            if assignment.review is not None:
                discarded_drafts.append(_draft_record(assignment))
            db.session.delete(assignment)
    db.session.flush()
    detail = {"discarded_drafts": discarded_drafts} if discarded_drafts else {}
    record(actor, "judge.activated" if active else "judge.deactivated",
           contest=membership.contest, target=membership, judge=membership.user_id,
           released_proposals=released, **detail)
    return released


def _draft_record(assignment):
    review = assignment.review
    return {"proposal": assignment.proposal_id,
            "scores": {str(score.criterion_id): str(score.value) for score in review.scores},
            "comment": review.comment, "feedback": review.feedback}
