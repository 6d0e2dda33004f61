"""Announcements to a contest's people: audiences, preview, sending, and those sent."""
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import NamedTuple

from flask import current_app, render_template

from portal.audit import record
from portal.console.audit_listing import actor_name, actor_names
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale, lazy_gettext as _l
from portal.judging.reminders import pending_by_judge
from portal.judging.services import active_judges
from portal.mail import bulk_writer, queue_bulk_email, queue_email
from portal.models import AuditEvent, Contest, JudgeMembership, Proposal, ProposalStatus, User, \
    judge_expertise
from portal.rules.contest import addressee_name
from portal.tokens import make_token, read_token
from portal.web import external_url

ALL_APPLICANTS = "applicants"          # every applicant with a proposal out of draft
ALL_JUDGES = "judges"
ALL_REGISTERED = "registered"          # every applicant account of the site
WITH_DRAFTS = "drafts"                 # applicants with a draft in this contest
ELIGIBLE = "eligible"                  # applicants whose proposal passed the screening
UNSCORED = "judges-unscored"           # judges with assignments waiting for their scores
THEME_PREFIX = "theme:"
# Past the eligibility check, whatever happened next.
PASSED_SCREENING = (ProposalStatus.ELIGIBLE, ProposalStatus.ADVANCED, ProposalStatus.AWARDED)
THEME_JUDGES_PREFIX = "theme-judges:"
PREVIEW = "announcement-preview"
# A preview stays good for a day: long enough to re-read it, short enough not to resurface.
PREVIEW_MAX_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Announcement:
    contest: object
    audience: str
    subject: str
    body: str

    def digest(self):
        content = json.dumps([self.contest.id, self.audience, self.subject, self.body])
        return hashlib.sha256(content.encode("utf-8")).hexdigest()


class Preview(NamedTuple):
    text: str
    recipient_count: int
    token: str


def audience_choices(contest):
    """(value, label) for the audience menu: applicants by stage and theme, then judges."""
    locale = current_locale()
    themes = [(theme.code, theme.localized("name", locale)) for theme in contest.themes]
    return ([(ALL_APPLICANTS, _l("Applicants who submitted a proposal")),
             (WITH_DRAFTS, _l("Applicants with a draft not yet submitted")),
             (ELIGIBLE, _l("Applicants whose proposal passed the eligibility check")),
             (ALL_REGISTERED, _l("Everyone registered on the site (but judges and organizers)"))]
            + [(THEME_PREFIX + code, _l("Applicants of the theme %(theme)s", theme=name))
               for code, name in themes]
            + [(ALL_JUDGES, _l("All active judges of the contest")),
               (UNSCORED, _l("Judges with proposals waiting for their scores"))]
            + [(THEME_JUDGES_PREFIX + code, _l("Judges of the theme %(theme)s", theme=name))
               for code, name in themes])


def _theme(contest, code):
    theme = next((theme for theme in contest.themes if theme.code == code), None)
    if theme is None:
        raise DomainError(_l("Choose who receives the announcement."), field="audience")
    return theme


def _audience_ids(contest, audience):
    """SELECT of the user ids an audience names."""
    in_contest = db.select(Proposal.applicant_id).filter(Proposal.contest_id == contest.id)
    if audience == ALL_APPLICANTS:
        return in_contest.filter(Proposal.status != ProposalStatus.DRAFT)
    if audience == WITH_DRAFTS:
        return in_contest.filter(Proposal.status == ProposalStatus.DRAFT)
    if audience == ELIGIBLE:
        return in_contest.filter(Proposal.status.in_(PASSED_SCREENING))
    if audience.startswith(THEME_PREFIX):
        return in_contest.filter(Proposal.status != ProposalStatus.DRAFT,
                                 Proposal.theme_id == _theme(contest, audience.removeprefix(
                                     THEME_PREFIX)).id)
    if audience == ALL_REGISTERED:
        judges = db.select(JudgeMembership.user_id)
        return db.select(User.id).filter(User.is_organizer.is_(False), User.id.not_in(judges))
    if audience.startswith(THEME_JUDGES_PREFIX):
        theme = _theme(contest, audience.removeprefix(THEME_JUDGES_PREFIX))
        return (db.select(JudgeMembership.user_id)
                .join(judge_expertise, judge_expertise.c.membership_id == JudgeMembership.id)
                .filter(JudgeMembership.contest_id == contest.id,
                        JudgeMembership.active.is_(True),
                        judge_expertise.c.theme_id == theme.id))
    raise DomainError(_l("Choose who receives the announcement."), field="audience")


def recipients_for(contest, audience):
    """The active accounts an audience names, in the order they registered."""
    if audience == ALL_JUDGES:
        return active_judges(contest)
    if audience == UNSCORED:
        ids = list(pending_by_judge(contest))
    else:
        ids = _audience_ids(contest, audience)
    return db.session.scalars(
        db.select(User).filter(User.id.in_(ids), User.active.is_(True),
                               User.erased_at.is_(None))
        .order_by(User.id)).all()


def _mail_context(announcement, recipient_name, locale):
    contest = announcement.contest
    return {"recipient_name": recipient_name, "body": announcement.body,
            "contest_name": contest.localized("name", locale),
            "contest_url": external_url("contests.show", slug=contest.slug)}


def preview_announcement(announcement):
    """The message in the organizer's language, its number of recipients, and the token that
    allows sending exactly this text to exactly this audience."""
    text = render_template("mail/announcement.txt", **_mail_context(
        announcement, _l("(the recipient's name)"), current_locale())).strip()
    return Preview(text, len(recipients_for(announcement.contest, announcement.audience)),
                   make_token(PREVIEW, {"digest": announcement.digest()}))


def was_previewed(announcement, token):
    """True when `token` came from a preview of this very text and audience."""
    payload = read_token(PREVIEW, token or "", PREVIEW_MAX_AGE_SECONDS) or {}
    return hmac.compare_digest(str(payload.get("digest", "")), announcement.digest())


ANNOUNCEMENT_MAIL = "announcement"


def send_announcement(actor, announcement):
    """Record the announcement and queue its bulk send (one email per recipient, written by a
    job after the commit); returns the number of recipients."""
    recipients = recipients_for(announcement.contest, announcement.audience)
    if not recipients:
        raise DomainError(_l("Nobody is in this audience yet: nothing was sent."),
                          field="audience")
    queue_bulk_email(ANNOUNCEMENT_MAIL, contest_id=announcement.contest.id,
                     audience=announcement.audience, subject=announcement.subject,
                     body=announcement.body)
    record(actor, "announcement.sent", contest=announcement.contest,
           audience=announcement.audience, recipients=len(recipients),
           subject=announcement.subject)
    db.session.flush()
    return len(recipients)


@bulk_writer(ANNOUNCEMENT_MAIL)
def _email_announcement(contest_id, audience, subject, body):
    announcement = Announcement(db.session.get(Contest, contest_id), audience, subject, body)
    for user in recipients_for(announcement.contest, audience):
        locale = user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        queue_email(user, subject, "announcement", locale=locale,
                    **_mail_context(announcement, addressee_name(user), locale))


class SentAnnouncement(NamedTuple):
    at: object
    actor: str
    audience: str
    subject: str
    recipients: int


def sent_announcements(contest, limit=20):
    """The contest's latest announcements, read back from the audit log."""
    events = db.session.scalars(
        db.select(AuditEvent).filter_by(contest_id=contest.id, action="announcement.sent")
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)).all()
    names = actor_names(event.actor_id for event in events)
    return [SentAnnouncement(event.at, actor_name(event.actor_id, names), event.detail["audience"],
                             event.detail["subject"], event.detail["recipients"])
            for event in events]
