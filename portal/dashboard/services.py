"""Dashboard figures and announcements, each page in a bounded number of queries."""
import hashlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import NamedTuple

from flask import current_app, render_template
from sqlalchemy import String, and_, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from portal.audit import record
from portal.dashboard.audit_listing import actor_name, actor_names
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale, lazy_gettext as _l
from portal.judging.reminders import pending_by_judge
from portal.judging.services import active_judges
from portal.labels import action_label, proposal_event_label, proposal_status_label
from portal.mail import bulk_writer, queue_bulk_email, queue_email
from portal.models import Assignment, AuditEvent, Contest, JudgeMembership, Proposal, \
    ProposalStatus, Review, Round, User, judge_expertise
from portal.results.generation import LatestComputations, current_generation
from portal.tokens import make_token, read_token
from portal.web import external_url

# China has kept UTC+8 without daylight saving since 1991, so a fixed offset is exact for
# every date the portal stores, and the same offset can be written in SQL for any database.
SHANGHAI_OFFSET_HOURS = 8
SHANGHAI = timezone(timedelta(hours=SHANGHAI_OFFSET_HOURS), "Asia/Shanghai")

# The statuses counted in the eligibility table, in the order of the check.
ELIGIBILITY_STATUSES = (ProposalStatus.SUBMITTED, ProposalStatus.RETURNED,
                        ProposalStatus.ELIGIBLE, ProposalStatus.INELIGIBLE,
                        ProposalStatus.WITHDRAWN, ProposalStatus.ADVANCED, ProposalStatus.AWARDED)

# --- Dashboard ---------------------------------------------------------------------------------

class shanghai_date(FunctionElement):
    """SQL: the Asia/Shanghai calendar day, as 'YYYY-MM-DD', of a stored naive-UTC time."""

    type = String()
    inherit_cache = True


@compiles(shanghai_date, "sqlite")
def _shanghai_date_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+{SHANGHAI_OFFSET_HOURS} hours')"


@compiles(shanghai_date, "postgresql")
def _shanghai_date_postgresql(element, compiler, **kw):
    return (f"to_char({compiler.process(element.clauses, **kw)} "
            f"+ interval '{SHANGHAI_OFFSET_HOURS} hours', 'YYYY-MM-DD')")


def local_date(moment):
    return moment.astimezone(SHANGHAI).date()


class DayCount(NamedTuple):
    day: date
    submitted: int
    cumulative: int
    is_deadline: bool


class RoundProgress(NamedTuple):
    contest_round: object
    assigned: int
    reviewed: int

    @property
    def percent_done(self):
        return round(100 * self.reviewed / self.assigned) if self.assigned else None


@dataclass
class Dashboard:
    """Submitted proposals are every proposal out of draft, withdrawn ones included."""

    total: int
    by_theme: list
    by_entrant_type: list
    by_status: list
    by_day: list
    rounds: list


class _Counts(NamedTuple):
    """What the dashboard counts, as plain data (ids, statuses, days): kept between requests."""

    by_theme: Counter
    by_entrant_type: Counter
    by_status: Counter
    daily: dict
    rounds: dict


# Per process, keyed by database, contest and the generation of the ranking's inputs
# (portal.results.generation), which include every proposal, assignment and review: the counts
# are read again only after one of them changed.
_counted = LatestComputations(size=8)


def dashboard_for(contest):
    """The contest's figures: three GROUP BY queries once per change of the proposals,
    assignments or reviews, plus the contest's themes, entrant types and rounds."""
    generation = current_generation()
    key = None if generation is None else (str(db.engine.url), contest.id, generation)
    counts = _counted.get(key) if key else None
    if counts is None:
        counts = _count(contest)
        if key:
            _counted.put(key, counts)
    entrant_types = [(entrant_type, counts.by_entrant_type[entrant_type.id])
                     for entrant_type in contest.entrant_types]
    if counts.by_entrant_type[None]:  # proposals submitted before entrant types were recorded
        entrant_types.append((None, counts.by_entrant_type[None]))
    by_status = counts.by_status
    return Dashboard(
        total=sum(by_status.values()),
        by_theme=[(theme, counts.by_theme[theme.id]) for theme in contest.themes],
        by_entrant_type=entrant_types,
        # A status added to the portal later still shows, after the known ones.
        by_status=[(status, by_status[status]) for status in
                   [*ELIGIBILITY_STATUSES, *sorted(set(by_status) - set(ELIGIBILITY_STATUSES))]],
        by_day=_submissions_by_day(contest, counts.daily),
        rounds=[RoundProgress(contest_round, *counts.rounds.get(contest_round.id, (0, 0)))
                for contest_round in contest.rounds],
    )


def _count(contest):
    by_theme, by_entrant_type, by_status = Counter(), Counter(), Counter()
    for theme_id, entrant_type_id, status, number in db.session.execute(
            db.select(Proposal.theme_id, Proposal.entrant_type_id, Proposal.status,
                      func.count(Proposal.id))
            .filter(Proposal.contest_id == contest.id, Proposal.status != ProposalStatus.DRAFT)
            .group_by(Proposal.theme_id, Proposal.entrant_type_id, Proposal.status)):
        by_theme[theme_id] += number
        by_entrant_type[entrant_type_id] += number
        by_status[status] += number
    day = shanghai_date(Proposal.submitted_at)
    daily = {date.fromisoformat(text): number for text, number in db.session.execute(
        db.select(day, func.count(Proposal.id))
        .filter(Proposal.contest_id == contest.id, Proposal.status != ProposalStatus.DRAFT,
                Proposal.submitted_at.is_not(None))
        .group_by(day))}
    return _Counts(by_theme, by_entrant_type, by_status, daily, _judging_progress(contest))


def _submissions_by_day(contest, daily):
    """Every day from the opening to the deadline (stretched to cover any submission)."""
    deadline = local_date(contest.submission_deadline)
    first = min([local_date(contest.opens_at), *daily])
    last = max([deadline, *daily])
    series, cumulative = [], 0
    for offset in range((last - first).days + 1):
        current = first + timedelta(days=offset)
        cumulative += daily.get(current, 0)
        series.append(DayCount(current, daily.get(current, 0), cumulative, current == deadline))
    return series


def _judging_progress(contest):
    """round id -> (assignments, submitted reviews), on the proposals still in competition.

    A judge cannot review a withdrawn or ineligible proposal: it would never count as done.
    Read from the rounds' assignments (a round's proposals are its contest's), leaving out
    those of the proposals out of competition (usually few): joining every proposal instead
    read each one's row, most of the page's time at 10,000 proposals.
    """
    out_of_competition = db.select(Proposal.id).filter(
        Proposal.contest_id == contest.id, Proposal.status.not_in(ProposalStatus.IN_COMPETITION))
    return {round_id: (assigned, reviewed) for round_id, assigned, reviewed in db.session.execute(
        db.select(Assignment.round_id, func.count(Assignment.id), func.count(Review.id))
        .outerjoin(Review, and_(Review.assignment_id == Assignment.id,
                                Review.submitted_at.is_not(None)))
        .filter(Assignment.round_id.in_(db.select(Round.id).filter_by(contest_id=contest.id)),
                Assignment.proposal_id.not_in(out_of_competition))
        .group_by(Assignment.round_id))}


# --- Announcements -----------------------------------------------------------------------------

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
                    **_mail_context(announcement, user.display_name or user.email, locale))


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
