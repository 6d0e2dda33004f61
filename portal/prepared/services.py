"""Prepared files: asking for one, the job that builds it with progress, restarting the builds
whose worker died, and deleting expired files. Each kind of file has a builder, registered by
the package that knows how to write it (portal.exports)."""
import logging
import secrets
from datetime import timedelta
from pathlib import Path

from flask import abort, current_app
from flask_babel import force_locale
from sqlalchemy import and_, or_, update

from portal.database import job_transactions, run_after_commit
from portal.errors import DomainError
from portal.extensions import db
from portal.i18n import current_locale, lazy_gettext as _l
from portal.jobs.queue import job
from portal.models import Contest, FileStatus, PreparedFile, User, utcnow

log = logging.getLogger(__name__)
FOLDER = "prepared"
# A build is tried this many times in all (a worker killed mid-build, twice, is one too many).
MAX_ATTEMPTS = 3
_BUILDERS = {}
_NAMES = {}


def builder(kind, name):
    """Register `function(actor, contest, arguments, out, progress)`: it writes the file into the
    binary file `out`, calls `progress(fraction)` as it goes, and returns the download's name.
    It runs in a reading transaction: what it must write (an audit event, certificate numbers)
    is written when the file is asked for. `name` (lazy text) is what the pages call the file."""
    def register(function):
        _BUILDERS[kind] = function
        _NAMES[kind] = name
        return function
    return register


def kind_names():
    """What the pages call each kind of prepared file."""
    return dict(_NAMES)


def _hours():
    return timedelta(hours=current_app.config["PORTAL_PREPARED_FILE_HOURS"])


def _lease():
    return timedelta(seconds=current_app.config["PREPARED_FILE_LEASE_SECONDS"])


def folder():
    """Where prepared files are kept: the instance folder's `prepared/`, never under static/."""
    return Path(current_app.instance_path) / FOLDER


def request_file(actor, contest, kind, **arguments):
    """Store the request with the current transaction; the job builds the file after the commit.
    `arguments` must be JSON; the file is written in the language of the request."""
    if kind not in _BUILDERS:
        raise KeyError(f"no builder for prepared files of kind {kind}")
    prepared = PreparedFile(requested_by_id=actor.id, contest_id=contest.id, kind=kind,
                            arguments={**arguments, "locale": current_locale()},
                            status=FileStatus.QUEUED, progress=0, attempts=0,
                            expires_at=utcnow() + _hours())
    db.session.add(prepared)
    db.session.flush()
    file_id = prepared.id
    run_after_commit(lambda: build_prepared_file(file_id))
    return prepared


def file_of(actor, contest, file_id):
    """The file `file_id` of `contest` asked for by `actor`; 404 for anyone else's, so that
    organizers do not learn of each other's downloads."""
    prepared = db.session.get(PreparedFile, file_id)
    if prepared is None or prepared.contest_id != contest.id \
            or prepared.requested_by_id != actor.id:
        abort(404)
    return prepared


def recent_files(actor, contest):
    """The actor's files of this contest that have not expired, newest first."""
    return db.session.scalars(
        db.select(PreparedFile)
        .where(PreparedFile.requested_by_id == actor.id, PreparedFile.contest_id == contest.id,
               PreparedFile.expires_at > utcnow())
        .order_by(PreparedFile.id.desc()).limit(10)).all()


def file_path(prepared):
    """The file on disk, or None when it is not (or no longer) there."""
    if prepared.status != FileStatus.DONE or not prepared.path:
        return None
    path = Path(current_app.instance_path) / prepared.path
    return path if path.is_file() else None


def _claimable(now):
    """Queued, or running past its lease (the worker died), with attempts left."""
    return and_(PreparedFile.attempts < MAX_ATTEMPTS,
                or_(PreparedFile.status == FileStatus.QUEUED,
                    and_(PreparedFile.status == FileStatus.RUNNING,
                         PreparedFile.lease_until < now)))


class _Progress:
    """Writes the percentage done and renews the lease, in short transactions of their own (the
    build's reading transaction goes on beside them), only when the percentage changes."""

    def __init__(self, file_id):
        self.file_id, self.percent = file_id, 0

    def __call__(self, fraction):
        percent = max(0, min(99, int(fraction * 100)))
        if percent <= self.percent:
            return
        self.percent = percent
        with job_transactions(write=True), db.engine.begin() as connection:
            connection.execute(
                update(PreparedFile)
                .where(PreparedFile.id == self.file_id, PreparedFile.status == FileStatus.RUNNING)
                .values(progress=percent, lease_until=utcnow() + _lease()))


@job()
def build_prepared_file(file_id):
    """Claim the file (a second job, or the first one's restart, finds it taken), write it in a
    reading transaction with progress, then mark it done (or failed, with the reason)."""
    now = utcnow()
    claimed = db.session.execute(
        update(PreparedFile).where(PreparedFile.id == file_id, _claimable(now))
        .values(status=FileStatus.RUNNING, attempts=PreparedFile.attempts + 1, progress=0,
                lease_until=now + _lease(), error=None))
    db.session.commit()
    if not claimed.rowcount:
        return
    prepared = db.session.get(PreparedFile, file_id)
    if prepared is None:   # deleted since it was claimed
        return
    kind, arguments = prepared.kind, dict(prepared.arguments)
    contest_id, actor_id = prepared.contest_id, prepared.requested_by_id
    db.session.commit()
    target = folder() / f"{file_id}-{secrets.token_hex(8)}"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    error = None
    with force_locale(_locale_of(arguments)):
        try:
            with job_transactions(write=False), db.session.no_autoflush, \
                    open(partial, "wb") as out:
                filename = _BUILDERS[kind](db.session.get(User, actor_id),
                                           db.session.get(Contest, contest_id), arguments, out,
                                           _Progress(file_id))
            db.session.rollback()
        except DomainError as refusal:
            db.session.rollback()
            error = str(refusal.message)
        except Exception:
            db.session.rollback()
            log.exception("prepared file %s (%s) could not be built", file_id, kind)
            error = str(_l("The file could not be prepared. Try again; if it fails again, "
                           "tell the site's administrator."))
    if error is not None:
        partial.unlink(missing_ok=True)
        _finish(file_id, status=FileStatus.FAILED, error=error)
        return
    partial.rename(target)
    if not _finish(file_id, status=FileStatus.DONE, progress=100, filename=filename,
                   path=str(target.relative_to(current_app.instance_path))):
        target.unlink(missing_ok=True)   # deleted, or taken over by a restart, meanwhile
        return
    log.info("prepared file %s (%s) built: %s", file_id, kind, filename)


def _locale_of(arguments):
    """The language of the request that asked for the file."""
    return arguments.get("locale") or current_app.config["BABEL_DEFAULT_LOCALE"]


def _finish(file_id, **values):
    """Record the outcome, if the file is still this job's (running); True when it was."""
    now = utcnow()
    finished = db.session.execute(
        update(PreparedFile)
        .where(PreparedFile.id == file_id, PreparedFile.status == FileStatus.RUNNING)
        .values(finished_at=now, expires_at=now + _hours(), lease_until=None, **values))
    db.session.commit()
    return bool(finished.rowcount)


def restart_stalled_files(now, overdue_seconds=60):
    """Queue again the files whose job was lost (still queued a while after being asked for) or
    whose worker died (running past its lease); those out of attempts fail. Returns how many
    were queued again."""
    worn_out = db.session.scalars(
        db.select(PreparedFile)
        .where(PreparedFile.attempts >= MAX_ATTEMPTS, PreparedFile.status == FileStatus.RUNNING,
               PreparedFile.lease_until < now)).all()
    for prepared in worn_out:
        with force_locale(_locale_of(prepared.arguments)):
            prepared.error = str(_l("The preparation was interrupted too many times. "
                                    "Try again later."))
        prepared.status, prepared.finished_at, prepared.lease_until = \
            FileStatus.FAILED, now, None
    ids = db.session.scalars(
        db.select(PreparedFile.id)
        .where(_claimable(now), PreparedFile.created_at <= now - timedelta(
            seconds=overdue_seconds))
        .order_by(PreparedFile.id)).all()
    db.session.commit()
    for file_id in ids:
        build_prepared_file(file_id)
    return len(ids)


def delete_expired_files(now):
    """Delete the expired files and their rows, and files left by a build that died (no row
    names them) once they are older than a lease. Returns how many rows were deleted."""
    expired = db.session.scalars(
        db.select(PreparedFile).where(PreparedFile.expires_at <= now)).all()
    paths = [Path(current_app.instance_path) / p.path for p in expired if p.path]
    for prepared in expired:
        db.session.delete(prepared)
    kept = set(db.session.scalars(
        db.select(PreparedFile.path).where(PreparedFile.path.is_not(None))))
    db.session.commit()
    for path in paths:
        path.unlink(missing_ok=True)
    if folder().is_dir():
        stale_before = (now - _lease()).timestamp()
        for path in folder().iterdir():
            if str(path.relative_to(current_app.instance_path)) not in kept \
                    and path.stat().st_mtime < stale_before:
                path.unlink(missing_ok=True)
    return len(expired)
