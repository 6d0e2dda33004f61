"""Recording decisions in the audit log, each entry chained to the one before it."""
import logging

from flask import current_app
from sqlalchemy import text

from portal.audit import chain
from portal.database import run_after_commit
from portal.extensions import db
from portal.models import AuditEvent, utcnow
from portal.timezones import SHANGHAI

# Any constant of our own: the advisory lock that makes appends to the chain one at a time.
CHAIN_LOCK_KEY = 0x5A5A_C4A1
HEAD = "portal_audit_head"
anchor_log = logging.getLogger("portal.audit")


def record(actor, action, contest=None, target=None, **detail):
    """Add an audit event: who (`actor`), what (`action` on `target`), where, and the details."""
    event = AuditEvent(
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        contest_id=getattr(contest, "id", None),
        action=action,
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        detail=chain.canonical_detail(detail),
    )
    head = _chain_head()
    event.previous_hash = head.entry_hash if head is not None else chain.GENESIS
    event.entry_hash = chain.entry_hash(event)
    if head is not None and _day(head.at) != _day(event.at):
        _write_anchor_after_commit(head)
    db.session.add(event)
    db.session.info[HEAD] = (db.session().get_transaction(), event)
    return event


def _chain_head():
    """The last entry of the chain, with the chain locked until this transaction ends.

    On PostgreSQL a transaction-scoped advisory lock makes appends one at a time, so that
    several workers leave one chain (and ids in chain order: an id is drawn at the insert,
    under the lock). SQLite's write lock, taken when a writing transaction begins, does the
    same. Within one transaction the last event added is the head already.
    """
    transaction, event = db.session.info.get(HEAD, (None, None))
    if event is not None and transaction is db.session().get_transaction() \
            and event in db.session:
        return event
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK_KEY})
    return db.session.execute(
        db.select(AuditEvent.id, AuditEvent.at, AuditEvent.entry_hash)
        .order_by(AuditEvent.id.desc()).limit(1)).first()


def _day(moment):
    return moment.astimezone(SHANGHAI).date()


def _write_anchor_after_commit(head):
    """The first entry of a day anchors the day before: its last hash goes to the log."""
    line = f"{_day(head.at).isoformat()} entry {head.id} {head.entry_hash}"

    def write():
        anchor_log.info("audit anchor %s", line)
        path = current_app.config.get("PORTAL_AUDIT_ANCHOR_FILE")
        if path:
            with open(path, "a", encoding="utf-8") as out:
                out.write(line + "\n")

    run_after_commit(write)
