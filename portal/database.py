"""Engine settings: SQLite made safe for several concurrent writers."""
import logging

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

_configured = False


def _on_sqlite_connect(dbapi_connection, _record):
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def configure_sqlite_engines():
    """Install the connect hook once per process, for every SQLite engine created later."""
    global _configured
    if not _configured:
        event.listen(Engine, "connect", _on_sqlite_connect)
        _configured = True


def render_migration_item(type_, obj, autogen_context):
    """Write our UTCDateTime as a plain DateTime in migration scripts, which must not import app code."""
    from portal.models.base import UTCDateTime
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


AFTER_COMMIT = "portal_after_commit"


def run_after_commit(callback):
    """Call `callback()` once the current transaction has committed; never if it rolls back.

    For effects outside the database (emails, deleting files) that must follow the data.
    """
    from portal.extensions import db
    db.session.info.setdefault(AFTER_COMMIT, []).append(callback)


def _run_callbacks(session):
    callbacks = session.info.pop(AFTER_COMMIT, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # what was committed stays committed; the failure is logged
            logging.getLogger(__name__).exception("after-commit action failed")


def _drop_callbacks(session, _previous_transaction=None):
    session.info.pop(AFTER_COMMIT, None)


def install_after_commit_hooks():
    """Idempotent: hooks on every SQLAlchemy session of the process."""
    if not event.contains(Session, "after_commit", _run_callbacks):
        event.listen(Session, "after_commit", _run_callbacks)
        event.listen(Session, "after_soft_rollback", _drop_callbacks)
