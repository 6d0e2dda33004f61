"""The queue, and the decorators that make a function a job run in an app context of its own."""
import contextvars
from functools import wraps
from pathlib import Path

from flask import current_app, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from portal.database import job_transactions

# Huey registers tasks on one object at import time, so the queue is made bare here, like the
# extensions, and pointed at the app's storage by `init_queue` (the last app made wins: one
# per process, but for the tests).
huey = Huey("portal", results=False, utc=True, storage_class=MemoryStorage)
current_job_id = contextvars.ContextVar("current_job_id", default=None)
_consumer_app = None


def init_queue(app):
    """Jobs run in the caller (tests: `JOBS_IMMEDIATE`), or go to Redis or the instance folder."""
    huey.immediate = bool(app.config.get("JOBS_IMMEDIATE"))
    if not huey.immediate:
        huey.storage = storage_for(app)


def storage_for(app):
    if app.config.get("REDIS_URL"):
        return RedisStorage("portal", url=app.config["REDIS_URL"])
    return SqliteStorage("portal", filename=str(Path(app.instance_path) / "jobs.sqlite3"))


def serve_jobs_of(app):
    """The consumer's worker threads have no app context: they use this app's."""
    global _consumer_app
    _consumer_app = app


def _app_for_job():
    if has_app_context():   # immediate mode: the caller's app
        return current_app._get_current_object()
    if _consumer_app is None:
        raise RuntimeError("a job ran outside the consumer and outside an app context")
    return _consumer_app


def _in_app_context(function):
    """Each run gets an app context (and so a database session) of its own and logs its id."""
    @wraps(function)
    def run(*args, task=None, **kwargs):
        token = current_job_id.set(task.id if task is not None else None)
        try:
            with _app_for_job().app_context(), job_transactions(write=True):
                return function(*args, **kwargs)
        finally:
            current_job_id.reset(token)
    return run


def job(**options):
    """A function run by the consumer when called (`f(...)` enqueues it; `f.schedule(...)` too)."""
    def decorate(function):
        return huey.task(context=True, name=function.__name__, **options)(
            _in_app_context(function))
    return decorate


def periodic_job(schedule, **options):
    """A job the consumer's scheduler runs on `schedule` (a huey.crontab, in UTC)."""
    def decorate(function):
        return huey.periodic_task(schedule, context=True, name=function.__name__, **options)(
            _in_app_context(function))
    return decorate


def queue_figures():
    """How many jobs wait to run now, and how many later (retries, scheduled work)."""
    if huey.immediate:
        return {"pending": 0, "scheduled": 0}
    return {"pending": huey.pending_count(), "scheduled": huey.scheduled_count()}


HEARTBEAT = "consumer-heartbeat"


def record_heartbeat(now):
    """Called by a periodic job: the web processes read it from the queue's shared storage."""
    huey.put(HEARTBEAT, now)


def last_heartbeat():
    """When the consumer last ran its minutely job (None: not since the storage was made)."""
    return huey.get(HEARTBEAT, peek=True)
