"""Engine settings: SQLite made safe for several concurrent writers."""
import contextvars
import logging
from contextlib import contextmanager
from operator import itemgetter

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from portal.text_order import compare_pinyin

_configured = False


def _is_sqlite(dbapi_connection):
    return type(dbapi_connection).__module__ == "sqlite3"


def _on_sqlite_connect(dbapi_connection, _record):
    if not _is_sqlite(dbapi_connection):
        return
    # SQLAlchemy, not the sqlite3 module, decides where transactions begin (see _on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # SQLite's own page cache, per connection (2 MB by default): a judge's list groups a few
    # hundred scattered rows, which read ~750 pages of the file again from the operating
    # system on every request with the default. A worker serves one request at a time on one
    # pooled connection, so this is at most 16 MB a worker, filled only as pages are read.
    cursor.execute("PRAGMA cache_size=-16000")
    cursor.close()
    dbapi_connection.create_collation(SQLITE_PINYIN, compare_pinyin)


# Ordering Chinese text by pinyin in SQL: a collation of our own on SQLite; on PostgreSQL built
# with ICU (Debian's, the official images and the managed services are), the portal's ICU
# collation (migration 0022: pinyin, numbers by value), else ICU's Chinese collation (digits one
# by one) on a database not migrated that far, else code point order.
SQLITE_PINYIN = "pinyin"
POSTGRESQL_PINYIN = "portal_pinyin"
POSTGRESQL_PINYIN_FALLBACK = "zh-Hans-x-icu"
_postgresql_collations = {}


def pinyin_ordered(column, engine):
    """`column` for ORDER BY in pinyin order on `engine`'s database."""
    if engine.dialect.name == "sqlite":
        return column.collate(SQLITE_PINYIN)
    if engine.dialect.name == "postgresql":
        collation = _postgresql_pinyin(engine)
        if collation is not None:
            return column.collate(collation)
    return column


def _postgresql_pinyin(engine):
    """The best pinyin collation the database has, or None; asked once per process and
    database, on a connection of its own (not the request's)."""
    key = str(engine.url)
    if key not in _postgresql_collations:
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT collname FROM pg_collation WHERE collname IN (%s, %s)",
                           (POSTGRESQL_PINYIN, POSTGRESQL_PINYIN_FALLBACK))
            found = {row[0] for row in cursor.fetchall()}
        finally:
            connection.close()
        _postgresql_collations[key] = next((name for name in (
            POSTGRESQL_PINYIN, POSTGRESQL_PINYIN_FALLBACK) if name in found), None)
    return _postgresql_collations[key]


def picked(rows, *names):
    """The columns `names` of each result row, in that order, as plain tuples.

    Read by name (the statement's column labels), so a column added to the statement anywhere
    changes nothing; the names are looked up once for all the rows, not per row and column
    (SQLAlchemy's attribute access cost about 1 µs a column: 57 ms for 10,000 proposals and
    five columns, against 2 ms this way).
    """
    if not rows:
        return []
    pick = itemgetter(*(rows[0]._fields.index(name) for name in names))
    return [pick(row) for row in rows] if len(names) > 1 else [(pick(row),) for row in rows]


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# Jobs write: their transactions take SQLite's write lock when they begin, like a POST's
# (a job's read-then-write transaction would otherwise fail when another writer got in between).
_job_writes = contextvars.ContextVar("job_writes", default=False)
_in_job = contextvars.ContextVar("in_job", default=False)


@contextmanager
def job_transactions(write=True):
    """Transactions begun inside are a job's: writing (BEGIN IMMEDIATE on SQLite) or not."""
    token, job_token = _job_writes.set(write), _in_job.set(True)
    try:
        yield
    finally:
        _job_writes.reset(token)
        _in_job.reset(job_token)


def _writing_request():
    from flask import g, has_request_context, request
    if _in_job.get():
        # A job's transactions are its own, even when it runs inside the request that queued
        # it (JOBS_IMMEDIATE): a reading build asked for by a POST must not take the lock
        # that its own progress writes then wait for.
        return _job_writes.get()
    return has_request_context() and not g.get("only_reads_now", False) and \
        (request.method not in SAFE_METHODS or g.get("writes_on_get", False))


def only_reads_from_now():
    """The rest of the request only reads (an error page, after a rollback): its next
    transaction needs no write lock, so it does not queue behind a writer (SQLite)."""
    from flask import g
    g.only_reads_now = True


def writes_on_get(view):
    """For a GET view that writes (an emailed confirmation link, a cached computation, an audit
    event): its transaction takes SQLite's write lock from the start, like a POST's does."""
    from functools import wraps

    from flask import g, request

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method in SAFE_METHODS and not g.get("writes_on_get"):
            from portal.extensions import db
            db.session.rollback()  # ends the read transaction the request hooks began
            g.writes_on_get = True
        return view(*args, **kwargs)

    return wrapper


def lock_row(model, row_id):
    """Hold `model`'s row `row_id` until the transaction ends (SELECT ... FOR UPDATE).

    For a rule that spans rows (an applicant's proposal limit): concurrent requests about the
    same row take turns here, each seeing what the one before it committed. PostgreSQL needs
    it; SQLite ignores FOR UPDATE, but a writing request there holds the database's write lock
    from its first statement (`_on_begin`), which serializes as much.
    """
    from portal.extensions import db
    db.session.execute(db.select(model.id).where(model.id == row_id).with_for_update())


def write_beside_request(write):
    """Store something recomputable (a cached computation) without making a reading request a
    writer: `write(connection)` runs in a short transaction of its own, so that a GET keeps
    its read transaction, which WAL runs beside writers. A writing request (or a command)
    writes in its own transaction instead: a second connection would wait for its locks. A
    reading job (building a prepared file) is like a GET."""
    from flask import has_request_context

    from portal.extensions import db
    if _writing_request() or not (has_request_context() or _in_job.get()):
        write(db.session.connection())
        return
    with db.engine.begin() as connection:
        write(connection)


WROTE = "portal_wrote"


def without_write_lock(slow_work):
    """`slow_work()` (hashing a password: about 100 ms of CPU) outside the request's
    transaction, when nothing has been written in it yet.

    A writing request holds SQLite's write lock from its first statement (BEGIN IMMEDIATE):
    every other writer would queue behind the hash, and in a deadline surge they queued past
    the busy timeout ("database is locked"). Ending a transaction that wrote nothing loses
    nothing; what was read is read again when next used.
    """
    from portal.extensions import db
    session = db.session
    if not (session.new or session.dirty or session.deleted or session.info.get(WROTE)
            or session.info.get(AFTER_COMMIT)):
        session.commit()
    return slow_work()


def _on_begin(connection):
    """A request that may write takes SQLite's write lock when its transaction begins.

    A deferred transaction that reads and then writes can fail with "database is locked" when
    another writer got in between; BEGIN IMMEDIATE makes it wait (busy_timeout) instead. Reads
    (GET) keep plain deferred transactions, which WAL lets run beside a writer.
    """
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing_request() else "BEGIN")


def configure_sqlite_engines():
    """Install the hooks once per process, for every SQLite engine created later."""
    global _configured
    if not _configured:
        event.listen(Engine, "connect", _on_sqlite_connect)
        event.listen(Engine, "begin", _on_begin)
        _configured = True


AFTER_COMMIT = "portal_after_commit"


def run_after_commit(callback):
    """Call `callback()` once the current transaction has committed; never if it rolls back.

    For effects outside the database (emails, deleting files) that must follow the data.
    """
    from portal.extensions import db
    db.session.info.setdefault(AFTER_COMMIT, []).append(callback)


def _run_callbacks(session):
    session.info.pop(WROTE, None)
    callbacks = session.info.pop(AFTER_COMMIT, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # what was committed stays committed; the failure is logged
            logging.getLogger(__name__).exception("after-commit action failed")


def _drop_callbacks(session, _previous_transaction=None):
    session.info.pop(AFTER_COMMIT, None)
    session.info.pop(WROTE, None)


def _note_write(session, _context):
    session.info[WROTE] = True


def install_after_commit_hooks():
    """Idempotent: hooks on every SQLAlchemy session of the process."""
    if not event.contains(Session, "after_commit", _run_callbacks):
        event.listen(Session, "after_commit", _run_callbacks)
        event.listen(Session, "after_soft_rollback", _drop_callbacks)
        event.listen(Session, "after_flush", _note_write)
