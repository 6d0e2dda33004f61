"""Which state of a ranking's inputs a cached ranking was computed from.

A ranking reads 150,000 scores and the facts of 10,000 proposals: too much to read on every
view only to learn that nothing changed. Instead, every transaction that changes something a
ranking reads raises a counter (one row, `RankingGeneration`) as it commits, and a ranking
computed while the counter read N stays current while it reads N. Reading the counter is one
primary-key lookup.

What a ranking reads: the contest and its criteria, rounds, themes and award tiers (method,
tie-break, weights, boundary); proposals (status, theme, submission time, organization and
contact email for the conflict rules); assignments, reviews and scores; conflicts and judges'
memberships; and, of a user, the email and organization the conflict rules compare.
"""
import gc
from collections import OrderedDict
from contextlib import contextmanager
from threading import Event, Lock

from sqlalchemy import event, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import RankingGeneration

RANKING_TABLES = frozenset({
    "contests", "criteria", "rounds", "themes", "award_tiers", "proposals", "assignments",
    "reviews", "scores", "conflicts", "judge_memberships"})
USER_COLUMNS = ("email", "organization")
CHANGED = "portal_ranking_inputs_changed"
GENERATION_ID = 1


def _table(obj):
    return getattr(obj, "__tablename__", None)


def _user_changed(user):
    state = inspect(user)
    return any(state.attrs[name].history.has_changes() for name in USER_COLUMNS)


def _touches_inputs(obj, deleted=False):
    table = _table(obj)
    if table in RANKING_TABLES:
        return True
    # A new user has no review yet; a deleted one takes their reviews and conflicts along.
    return table == "users" and (deleted or _user_changed(obj))


def _note_flush(session, _context, _instances):
    if session.info.get(CHANGED):
        return
    if any(_touches_inputs(obj) for obj in session.new if _table(obj) != "users") \
            or any(_touches_inputs(obj) for obj in session.dirty if session.is_modified(obj)) \
            or any(_touches_inputs(obj, deleted=True) for obj in session.deleted):
        session.info[CHANGED] = True


def _note_statement(state):
    """Bulk INSERT/UPDATE/DELETE statements (seed-demo, cascades written by hand)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and (table.name in RANKING_TABLES or table.name == "users"):
        state.session.info[CHANGED] = True


def _raise_on_commit(session):
    session.flush()  # what is still pending decides too
    if session.info.pop(CHANGED, False):
        session.execute(db.update(RankingGeneration).where(RankingGeneration.id == GENERATION_ID)
                        .values(value=RankingGeneration.value + 1))


def _forget(session, _previous_transaction=None):
    session.info.pop(CHANGED, None)


def install_generation_hooks():
    """Idempotent: hooks on every SQLAlchemy session of the process."""
    if not event.contains(Session, "before_flush", _note_flush):
        event.listen(Session, "before_flush", _note_flush)
        event.listen(Session, "do_orm_execute", _note_statement)
        event.listen(Session, "before_commit", _raise_on_commit)
        event.listen(Session, "after_soft_rollback", _forget)


def current_generation():
    """The counter as this transaction sees it; None when a cached ranking must not be used:
    the session holds changes of its own not committed yet, or the counter row is missing."""
    session = db.session
    session.flush()
    if session.info.get(CHANGED):
        return None
    return session.scalar(db.select(RankingGeneration.value)
                          .where(RankingGeneration.id == GENERATION_ID))


def move_generation_past(previous):
    """After the database was replaced (a restored backup holds an older counter), raise the
    counter past the value the replaced database had reached, so that no process can take a
    computation cached before the restore for a current one."""
    restored = generation_or_none()
    if previous is None or restored is None:
        return
    db.session.execute(db.update(RankingGeneration).where(RankingGeneration.id == GENERATION_ID)
                       .values(value=max(previous, restored) + 1))
    db.session.commit()


def generation_or_none():
    """The counter, or None when this database has none yet (a backup older than it)."""
    try:
        return current_generation()
    except SQLAlchemyError:
        db.session.rollback()
        return None


# Set by a request that cached a computation; cleared by freeze_long_lived between requests.
_long_lived_added = Event()


def note_long_lived():
    """A request cached what many requests will use (a ranking: some 100,000 objects)."""
    _long_lived_added.set()


@contextmanager
def collection_paused():
    """The garbage collector off for a computation that makes some 100,000 short-lived objects
    and no reference cycle (a round's ranking: rows of 10,000 proposals, their conflict keys,
    the ranking's rows): allocating them set off hundreds of collections, one of them a full
    scan of the process, about a third of the official ranking's time (issue 26). Back on
    afterwards, unless it was off already (nested, or off in another thread)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def freeze_long_lived():
    """Between requests, never inside one (gunicorn's post_request hook, set once in
    gunicorn.conf.py, after the response went out): when a request cached a computation, leave
    what is alive now out of the garbage collector's full scans. With a ranking cached, a
    worker's full collection took about 100 ms and ran every few requests, the ranked list's
    p95 at three times its p50. The collection first also frees what an earlier call left out,
    so nothing stays out for good once it is garbage. True when it froze."""
    if not _long_lived_added.is_set():
        return False
    _long_lived_added.clear()
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return True


class LatestComputations:
    """The last few computations by key, shared by the requests of a process."""

    def __init__(self, size):
        self._size, self._entries, self._lock = size, OrderedDict(), Lock()

    def get(self, key):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self):
        with self._lock:
            self._entries.clear()
