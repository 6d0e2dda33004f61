"""The reminder sent once, 48 hours before the deadline, to applicants holding drafts."""
from datetime import timedelta


from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.mail import queue_email
from portal.models import Contest, Notification, Proposal, ProposalStatus, User
from portal.web import external_url

REMINDER = "deadline_reminder"
WINDOW = timedelta(hours=48)


def send_deadline_reminders(now):
    """Queue one reminder per applicant with a draft in a contest closing within 48 hours."""
    sent = 0
    for contest in db.session.scalars(db.select(Contest).filter(
            Contest.archived.is_(False), Contest.submission_deadline > now,
            Contest.submission_deadline <= now + WINDOW, Contest.opens_at <= now)):
        already = set(db.session.scalars(db.select(Notification.user_id).filter_by(
            contest_id=contest.id, kind=REMINDER)))
        # Ids first: PostgreSQL cannot DISTINCT whole user rows (they hold a JSON column).
        holder_ids = db.select(Proposal.applicant_id).filter(
            Proposal.contest_id == contest.id, Proposal.status == ProposalStatus.DRAFT)
        holders = db.session.scalars(db.select(User).filter(
            User.id.in_(holder_ids), User.active.is_(True)).order_by(User.id))
        for user in holders:
            if user.id in already:
                continue
            drafts = db.session.scalars(db.select(Proposal).filter_by(
                contest_id=contest.id, applicant_id=user.id, status=ProposalStatus.DRAFT)).all()
            queue_email(user, _l("Reminder: the deadline is near and your draft is not "
                                 "submitted"), "deadline_reminder", user=user, contest=contest,
                        drafts=drafts, locale_name=contest.localized("name", user.locale or "zh"),
                        mine_url=external_url("proposals.mine"))
            db.session.add(Notification(user_id=user.id, contest_id=contest.id, kind=REMINDER))
            sent += 1
    db.session.flush()
    return sent
