"""Reminder emails to judges with unscored assignments in a round open for scoring, at most one a
day per judge and contest (a Notification "judge_reminder:YYYY-MM-DD", Beijing date)."""
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.audit import record
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.mail import bulk_writer, queue_bulk_email, queue_email
from portal.models import Assignment, Contest, JudgeMembership, Notification, Proposal, \
    ProposalStatus, Review, User, utcnow
from portal.rules.conflicts import assess, contest_rows
from portal.rules.contest import scoring_refusal
from portal.timezones import SHANGHAI
from portal.web import external_url

KIND_PREFIX = "judge_reminder:"


def reminder_kind(now):
    return f"{KIND_PREFIX}{now.astimezone(SHANGHAI).date().isoformat()}"


def pending_by_judge(contest, now=None):
    """Active judge id -> their unscored assignments in rounds open for scoring now (review
    missing or not submitted; proposal in competition; no conflict of interest)."""
    now = now or utcnow()
    open_round_ids = [contest_round.id for contest_round in contest.rounds
                      if scoring_refusal(contest_round, now) is None]
    if not open_round_ids:
        return {}
    assignments = db.session.scalars(
        db.select(Assignment).join(Proposal, Assignment.proposal_id == Proposal.id)
        .join(JudgeMembership, (JudgeMembership.user_id == Assignment.judge_id)
              & (JudgeMembership.contest_id == contest.id))
        .join(User, User.id == Assignment.judge_id)
        .outerjoin(Review, Review.assignment_id == Assignment.id)
        .filter(Assignment.round_id.in_(open_round_ids), JudgeMembership.active.is_(True),
                User.active.is_(True), Review.submitted_at.is_(None),
                Proposal.status.in_(ProposalStatus.IN_COMPETITION))
        .options(selectinload(Assignment.proposal).selectinload(Proposal.applicant),
                 selectinload(Assignment.judge), selectinload(Assignment.round))
        .order_by(Assignment.judge_id, Assignment.id)).all()
    conflicts = assess({a.proposal for a in assignments}, {a.judge for a in assignments},
                       contest_rows(contest.id))
    pending = {}
    for assignment in assignments:
        if not conflicts.conflicted(assignment.proposal_id, assignment.judge_id):
            pending.setdefault(assignment.judge_id, []).append(assignment)
    return pending


def send_judge_reminders(actor, contest, now=None):
    """Email every judge with unscored assignments, unless reminded today already.

    Returns (sent, already reminded today). The Notification row is written first, in a
    savepoint, so that two clicks at once send one email.
    """
    now = now or utcnow()
    kind = reminder_kind(now)
    pending = pending_by_judge(contest, now)
    already = set(db.session.scalars(db.select(Notification.user_id).filter_by(
        contest_id=contest.id, kind=kind)))
    sent = []
    for judge_id, assignments in pending.items():
        if judge_id in already:
            continue
        try:
            with db.session.begin_nested():
                db.session.add(Notification(user_id=judge_id, contest_id=contest.id, kind=kind,
                                            sent_at=now))
        except IntegrityError:
            continue
        sent.append(judge_id)
    if sent:
        record(actor, "judges.reminded", contest=contest, judges=sent, count=len(sent))
        queue_bulk_email(JUDGE_REMINDERS, contest_id=contest.id, judge_ids=sent,
                         at=now.isoformat())
    db.session.flush()
    return len(sent), len(set(pending) & already)


JUDGE_REMINDERS = "judge_reminders"


@bulk_writer(JUDGE_REMINDERS)
def _email_judges(contest_id, judge_ids, at):
    """The reminders' messages, written by a job after the commit, from the assignments still
    unscored then."""
    contest = db.session.get(Contest, contest_id)
    pending = pending_by_judge(contest, datetime.fromisoformat(at))
    for judge_id in judge_ids:
        if judge_id in pending:
            _send(pending[judge_id][0].judge, contest, pending[judge_id])


def _send(judge, contest, assignments):
    closes = [a.round.closes_at for a in assignments if a.round.closes_at is not None]
    locale = judge.locale or "zh_CN"
    queue_email(judge, _l("Reminder: proposals are waiting for your scores"), "judge_reminder",
                user=judge, contest_name=contest.localized("name", locale),
                assignments=assignments, closes_at=min(closes) if closes else None,
                link=external_url("judging.index"))
