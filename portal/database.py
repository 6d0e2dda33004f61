"""Engine settings: SQLite made safe for several concurrent writers."""
from sqlalchemy import event
from sqlalchemy.engine import Engine

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
