"""Checking the audit chain against itself and against anchors written down outside the database."""
import re
from datetime import datetime, time
from pathlib import Path
from typing import NamedTuple

from flask import current_app

from portal.audit import chain
from portal.extensions import db
from portal.models import AuditEvent, utcnow
from portal.timezones import SHANGHAI

_ANCHOR_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2}) entry (\d+) ([0-9a-f]{64})$")
READ_BATCH = 1000


class DailyAnchor(NamedTuple):
    day: object          # the Beijing day it closes
    entry_id: int
    entry_hash: str

    def as_text(self):
        return f"{self.entry_id}:{self.entry_hash}"


def verify_log(anchors=()):
    """A ChainReport for the whole log, read in batches in id order."""
    columns = [AuditEvent.id, AuditEvent.at, AuditEvent.actor_id, AuditEvent.contest_id,
               AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id,
               AuditEvent.detail, AuditEvent.previous_hash, AuditEvent.entry_hash]
    # The walk stops at the first broken link: the cursor (server-side on PostgreSQL) is
    # closed here, not whenever the collector finds it.
    with db.session.execute(db.select(*columns).order_by(AuditEvent.id)
                            .execution_options(yield_per=READ_BATCH)).mappings() as rows:
        return chain.verify((dict(row) for row in rows), anchors)


def daily_anchor(now=None):
    """The last entry before today (Beijing time) began: the anchor of the days gone by."""
    today = (now or utcnow()).astimezone(SHANGHAI).date()
    midnight = datetime.combine(today, time(), SHANGHAI)
    row = db.session.execute(
        db.select(AuditEvent.id, AuditEvent.at, AuditEvent.entry_hash)
        .filter(AuditEvent.at < midnight).order_by(AuditEvent.id.desc()).limit(1)).first()
    if row is None:
        return None
    return DailyAnchor(row.at.astimezone(SHANGHAI).date(), row.id, row.entry_hash)


def chain_head():
    """The last entry now: the anchor a backup carries."""
    row = db.session.execute(
        db.select(AuditEvent.id, AuditEvent.at, AuditEvent.entry_hash)
        .order_by(AuditEvent.id.desc()).limit(1)).first()
    if row is None:
        return None
    return DailyAnchor(row.at.astimezone(SHANGHAI).date(), row.id, row.entry_hash)


def logged_anchors():
    """The anchors appended to the anchor file so far (portal.audit writes one a day)."""
    path = current_app.config.get("PORTAL_AUDIT_ANCHOR_FILE")
    if not path or not Path(path).is_file():
        return []
    anchors = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = _ANCHOR_LINE.match(line.strip())
        if match:
            anchors.append(chain.Anchor(match.group(3), int(match.group(2))))
    return anchors
