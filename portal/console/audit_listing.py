"""The audit log pages: a page of entries in words (and their recorded details), a proposal's
own log beside its status history, and the export."""
import json
from typing import NamedTuple

from sqlalchemy import and_, func, or_
from werkzeug.exceptions import NotFound

from portal.audit import record
from portal.console.audit_log import audit_sheet, filtered
from portal.audit.wording import load_names, sentence
from portal.exports.formats import write_csv, write_xlsx
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.labels import action_label, proposal_event_label, proposal_status_label
from portal.models import AuditEvent, User
from portal.pagination import Page, PageBounds
from portal.rules.contest import judge_name

AUDIT_PAGE_SIZE = 50

class AuditRow(NamedTuple):
    at: object
    actor: str
    action: str
    target: str
    details: list
    proposal_id: int | None
    sentence: str = ""


def actor_names(actor_ids):
    """user id -> display name or email, in one query."""
    ids = {actor_id for actor_id in actor_ids if actor_id is not None}
    if not ids:
        return {}
    return {user.id: judge_name(user)
            for user in db.session.scalars(db.select(User).filter(User.id.in_(ids)))}


def actor_name(actor_id, names):
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
    names = actor_names(event.actor_id for event in events) if names is None else names
    wording = load_names(events)
    return [AuditRow(event.at, actor_name(event.actor_id, names), action_label(event.action),
                     f"{event.target_type} #{event.target_id}" if event.target_type else "",
                     _detail_lines(event.detail), proposal_of(event), sentence(event, wording))
            for event in events]


def audit_page(audit_filter, page):
    """(pagination, rows): one page of the filtered audit events, newest first; 404 past the
    end (a page of a log that only grows is a link worth keeping: it never shows another)."""
    query = filtered(audit_filter)
    total = db.session.scalar(db.select(func.count()).select_from(query.order_by(None)
                                                                     .subquery()))
    bounds = PageBounds.of(total, page, AUDIT_PAGE_SIZE)
    if page is None or page < 1 or page > bounds.pages:
        raise NotFound()
    events = db.session.scalars(query.offset(bounds.offset).limit(AUDIT_PAGE_SIZE)).all()
    return Page(events, bounds.page, bounds.pages, total), _audit_rows(events)


def export_audit(actor, audit_filter, fmt, locale, out):
    """The filtered log into `out` as CSV or XLSX, audited (it names people); the file name."""
    sheet = audit_sheet(audit_filter, locale)
    if fmt == "csv":
        write_csv(sheet, out)
    else:
        write_xlsx([sheet], out)
    record(actor, "audit.exported", format=fmt, contest_filter=audit_filter.contest_id,
           actor_filter=audit_filter.actor, action_filter=audit_filter.action,
           day_from=audit_filter.day_from.isoformat() if audit_filter.day_from else None,
           day_to=audit_filter.day_to.isoformat() if audit_filter.day_to else None)
    return f"audit-log.{fmt}"


def _history_rows(events, names):
    """ProposalEvents in the shape of audit rows: the status change as target, the note as detail."""
    rows = []
    for event in events:
        change = " → ".join(str(proposal_status_label(status))
                            for status in (event.from_status, event.to_status) if status)
        rows.append(AuditRow(event.at, actor_name(event.actor_id, names),
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
    names = actor_names([event.actor_id for event in [*events, *history]])
    return _audit_rows(events, names), _history_rows(history, names)
