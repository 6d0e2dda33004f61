"""The audit log as organizers read it: filtered by contest, actor, kind and date, a page at a
time or exported whole (CSV or XLSX, each entry in words beside its hash)."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_

from portal.audit.wording import load_names, sentence
from portal.exports.formats import Sheet
from portal.extensions import db
from portal.i18n import lazy_gettext as _l
from portal.labels import action_label
from portal.models import AuditEvent, Contest, User
from portal.timezones import SHANGHAI, to_beijing_naive

EXPORT_BATCH = 500


@dataclass(frozen=True)
class AuditFilter:
    contest_id: int | None = None
    actor: str = ""               # part of a name or email
    action: str = ""              # an action code
    day_from: date | None = None  # Beijing days, both included
    day_to: date | None = None


def _midnight(day):
    return datetime.combine(day, time(), SHANGHAI)


def _like(text):
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filtered(audit_filter):
    """SELECT of the entries the filter lets through, newest first."""
    query = db.select(AuditEvent)
    if audit_filter.contest_id is not None:
        query = query.filter(AuditEvent.contest_id == audit_filter.contest_id)
    if audit_filter.actor:
        pattern = _like(audit_filter.actor.strip())
        query = query.filter(AuditEvent.actor_id.in_(db.select(User.id).filter(or_(
            User.display_name.ilike(pattern, escape="\\"),
            User.email.ilike(pattern, escape="\\")))))
    if audit_filter.action:
        query = query.filter(AuditEvent.action == audit_filter.action)
    if audit_filter.day_from:
        query = query.filter(AuditEvent.at >= _midnight(audit_filter.day_from))
    if audit_filter.day_to:
        query = query.filter(AuditEvent.at < _midnight(audit_filter.day_to + timedelta(days=1)))
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def _export_rows(audit_filter, contest_names):
    """Rows in batches: each batch's names read in a few queries, whatever the log's size."""
    offset = 0
    while True:
        events = db.session.scalars(filtered(audit_filter).offset(offset)
                                    .limit(EXPORT_BATCH)).all()
        if not events:
            return
        names = load_names(events)
        for event in events:
            yield [to_beijing_naive(event.at), contest_names.get(event.contest_id, ""),
                   str(action_label(event.action)), sentence(event, names), event.id,
                   event.entry_hash or ""]
        offset += len(events)


def audit_sheet(audit_filter, locale):
    """The filtered log as one sheet; text cells go through the exports' formula guard."""
    contest_names = {contest.id: contest.localized("name", locale)
                     for contest in db.session.scalars(db.select(Contest))}
    return Sheet("audit", _l("Audit log"),
                 [_l("Time (Beijing)"), _l("Contest"), _l("Action"), _l("What happened"),
                  _l("Entry"), _l("Hash")],
                 _export_rows(audit_filter, contest_names),
                 widths={0: 18, 1: 24, 2: 24, 3: 80, 5: 66}, formats={0: "yyyy-mm-dd hh:mm"})
