"""Dashboard figures, announcements and the audit log, each page in a bounded number of queries."""
import hashlib
import hmac
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from typing import NamedTuple

from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale
from portal.judging.services import active_judges
from portal.labels import action_label, proposal_event_label, proposal_status_label
from portal.mail import bulk_writer, queue_bulk_email, queue_email
from portal.models import Assignment, AuditEvent, Contest, Proposal, ProposalStatus, Review, \
    Round, User
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

AUDIT_PAGE_SIZE = 50

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

ALL_APPLICANTS = "applicants"
ALL_JUDGES = "judges"
THEME_PREFIX = "theme:"
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
    """(value, label) for the audience menu: all applicants, each theme's, the judges."""
    locale = current_locale()
    return ([(ALL_APPLICANTS, _l("All applicants of the contest"))]
            + [(THEME_PREFIX + theme.code, _l("Applicants of the theme %(theme)s",
                                              theme=theme.localized("name", locale)))
               for theme in contest.themes]
            + [(ALL_JUDGES, _l("All active judges of the contest"))])


def recipients_for(contest, audience):
    """The accounts an audience names: applicants are users with a proposal out of draft."""
    if audience == ALL_JUDGES:
        return active_judges(contest)
    proposals = db.select(Proposal.applicant_id).filter(
        Proposal.contest_id == contest.id, Proposal.status != ProposalStatus.DRAFT)
    if audience.startswith(THEME_PREFIX):
        code = audience.removeprefix(THEME_PREFIX)
        theme = next((theme for theme in contest.themes if theme.code == code), None)
        if theme is None:
            raise DomainError(_l("Choose who receives the announcement."), field="audience")
        proposals = proposals.filter(Proposal.theme_id == theme.id)
    elif audience != ALL_APPLICANTS:
        raise DomainError(_l("Choose who receives the announcement."), field="audience")
    return db.session.scalars(
        db.select(User).filter(User.id.in_(proposals), User.active.is_(True),
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
    names = _actor_names(event.actor_id for event in events)
    return [SentAnnouncement(event.at, _actor(event.actor_id, names), event.detail["audience"],
                             event.detail["subject"], event.detail["recipients"])
            for event in events]


# --- Audit log ---------------------------------------------------------------------------------

class AuditRow(NamedTuple):
    at: object
    actor: str
    action: str
    target: str
    details: list
    proposal_id: int | None


def _actor_names(actor_ids):
    """user id -> display name or email, in one query."""
    ids = {actor_id for actor_id in actor_ids if actor_id is not None}
    if not ids:
        return {}
    return {user.id: user.display_name or user.email
            for user in db.session.scalars(db.select(User).filter(User.id.in_(ids)))}


def _actor(actor_id, names):
    return _l("system") if actor_id is None else names.get(actor_id, f"#{actor_id}")


def proposal_of(event):
    """The id of the proposal an event is about: its target, else the detail's "proposal"."""
    if event.target_type == "Proposal":
        return event.target_id
    detail = event.detail if isinstance(event.detail, dict) else {}
    proposal_id = detail.get("proposal")
    return proposal_id if isinstance(proposal_id, int) else None


def _detail_lines(detail):
    """(key, text) pairs; the template escapes them, so a detail can never inject markup."""
    if detail is None:
        return []
    if not isinstance(detail, dict):
        return [("", json.dumps(detail, ensure_ascii=False))]
    return [(str(key), value if isinstance(value, str)
             else json.dumps(value, ensure_ascii=False, sort_keys=True))
            for key, value in detail.items()]


def _audit_rows(events, names=None):
    names = _actor_names(event.actor_id for event in events) if names is None else names
    return [AuditRow(event.at, _actor(event.actor_id, names), action_label(event.action),
                     f"{event.target_type} #{event.target_id}" if event.target_type else "",
                     _detail_lines(event.detail), proposal_of(event))
            for event in events]


def contest_audit_page(contest, page):
    """(pagination, rows): one page of the contest's audit events, newest first; 404 past the end."""
    pagination = db.paginate(
        db.select(AuditEvent).filter_by(contest_id=contest.id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        page=page, per_page=AUDIT_PAGE_SIZE, error_out=True)
    return pagination, _audit_rows(pagination.items)


def _history_rows(events, names):
    """ProposalEvents in the shape of audit rows: the status change as target, the note as detail."""
    rows = []
    for event in events:
        change = " → ".join(str(proposal_status_label(status))
                            for status in (event.from_status, event.to_status) if status)
        rows.append(AuditRow(event.at, _actor(event.actor_id, names),
                             proposal_event_label(event.action), change,
                             [(_l("Note"), event.note)] if event.note else [], None))
    return rows


def proposal_audit(proposal):
    """The audit events about a proposal and its status history, both newest first.

    The JSON detail is matched in Python: a JSON query differs between SQLite and PostgreSQL,
    and narrowing by contest first keeps the rows read to that contest's log.
    """
    candidates = db.session.scalars(
        db.select(AuditEvent).filter(or_(
            AuditEvent.contest_id == proposal.contest_id,
            and_(AuditEvent.target_type == "Proposal", AuditEvent.target_id == proposal.id)))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())).all()
    events = [event for event in candidates if proposal_of(event) == proposal.id]
    history = sorted(proposal.events, key=lambda event: (event.at, event.id), reverse=True)
    names = _actor_names([event.actor_id for event in [*events, *history]])
    return _audit_rows(events, names), _history_rows(history, names)
