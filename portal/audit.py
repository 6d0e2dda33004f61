"""Recording decisions in the audit log."""
from portal.extensions import db
from portal.models import AuditEvent


def record(actor, action, contest=None, target=None, **detail):
    """Add an audit event: who (`actor`), what (`action` on `target`), where, and the details."""
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        contest_id=getattr(contest, "id", None),
        action=action,
        target_type=type(target).__name__ if target is not None else None,
        target_id=getattr(target, "id", None),
        detail=detail or None,
    )
    db.session.add(event)
    return event
