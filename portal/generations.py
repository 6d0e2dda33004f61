"""Counters of what changes rarely, raised in the very transaction that changes it.

Some things are read by every request and change a few times a day: a round's ranking's
inputs, a contest's parts. Reading them whole on every request only to learn that nothing
changed is waste; caching them per process is wrong as soon as another worker changes them.
So each such thing has a named counter (a row of `ranking_generation`, whose first row was the
ranking's before the others came): every transaction that changes one of the counter's tables,
by an ORM flush or by a bulk INSERT/UPDATE/DELETE through the session, raises the counter as it
commits, and something computed while a counter read N stays current while it reads N.
Reading a counter is one primary-key lookup, or a column of a statement the request runs anyway
(portal.accounts.services.load_user reads the contest parts' counter with the user).

A counter that reads None must not be trusted: the session holds changes of its own not
committed yet, or the database has no row for it (a backup restored from before the counter
existed, until `flask db upgrade`): a caller then computes afresh and caches nothing.
"""
from collections import OrderedDict
from dataclasses import dataclass, field
from threading import Lock

from flask import g, has_app_context, has_request_context
from sqlalchemy import event, inspect
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from portal.extensions import db
from portal.models import RankingGeneration as CounterRow

# session.info[CHANGED]: the names of the counters this transaction is to raise.
CHANGED = "portal_generations_changed"
# g[REQUEST_VALUES]: counter name -> value read with the request's user (remember()).
REQUEST_VALUES = "generations"


@dataclass(frozen=True)
class Counter:
    """A named counter: row `row_id`, raised by each transaction that adds, changes or deletes
    a row of `tables`; a row of a `watched_columns` table counts only when one of those columns
    changes or when it is deleted (a new one does not)."""

    name: str
    row_id: int
    tables: frozenset
    watched_columns: dict = field(default_factory=dict)

    def _counts(self, obj, change):
        table = getattr(obj, "__tablename__", None)
        if table in self.tables:
            return True
        columns = self.watched_columns.get(table)
        if columns is None or change == "new":
            return False
        state = inspect(obj)
        return change == "deleted" or any(state.attrs[name].history.has_changes()
                                          for name in columns)

    def touched_by_flush(self, session):
        return any(self._counts(obj, "new") for obj in session.new) \
            or any(self._counts(obj, "dirty") for obj in session.dirty
                   if session.is_modified(obj)) \
            or any(self._counts(obj, "deleted") for obj in session.deleted)

    def touched_by_statement(self, table_name):
        return table_name in self.tables or table_name in self.watched_columns

    def note_changed(self, session):
        """This transaction changes what the counter covers in a way no table shows."""
        session.info.setdefault(CHANGED, set()).add(self.name)

    def current(self):
        """The counter as this transaction sees it (one primary-key read); None when the
        session holds changes of the counter's tables not committed yet or the row is
        missing."""
        session = db.session
        session.flush()
        if self.name in session.info.get(CHANGED, ()):
            return None
        return session.scalar(db.select(CounterRow.value).where(CounterRow.id == self.row_id))

    def for_request(self):
        """current(), read with the signed-in user when load_user brought it (no statement of
        its own), else one primary-key read, kept for the rest of the request (never beyond
        one: a job or a command's app context lives long)."""
        session = db.session
        session.flush()
        if self.name in session.info.get(CHANGED, ()):
            return None
        values = g.get(REQUEST_VALUES) if has_app_context() else None
        if values is not None and self.name in values:
            return values[self.name]
        value = self.current()
        if has_request_context():
            self.remember(value)
        return value

    @property
    def label(self):
        """The name of value_column()'s column in a result row."""
        return f"generation_{self.name}"

    def value_column(self):
        """The counter's value, to read inside another statement: (outer-join target, column
        labelled `label`)."""
        row = db.aliased(CounterRow, name=self.label)
        return row, row.value.label(self.label)

    def remember(self, value):
        """The value read with the request's user: for_request() needs no statement."""
        g.setdefault(REQUEST_VALUES, {})[self.name] = value


RANKING_INPUTS = Counter(
    "ranking_inputs", 1,
    # What a ranking reads: the contest and its criteria, rounds, themes and award tiers
    # (method, tie-break, weights, boundary); proposals (status, theme, submission time,
    # organization and contact email for the conflict rules); assignments, reviews and scores;
    # conflicts and judges' memberships; and, of a user, what the conflict rules compare (a
    # new user has no review yet; a deleted one takes their reviews and conflicts along).
    frozenset({"contests", "criteria", "rounds", "themes", "award_tiers", "proposals",
               "assignments", "reviews", "scores", "conflicts", "judge_memberships"}),
    {"users": ("email", "organization")})
CONTEST_PARTS = Counter(
    "contest_parts", 2,
    # A contest's row and the parts it owns (portal.contests.snapshots keeps copies of them).
    frozenset({"contests", "criteria", "rounds", "themes", "entrant_types", "award_tiers"}))
COUNTERS = (RANKING_INPUTS, CONTEST_PARTS)


def _note_flush(session, _context, _instances):
    changed = session.info.get(CHANGED, set())
    for counter in COUNTERS:
        if counter.name not in changed and counter.touched_by_flush(session):
            counter.note_changed(session)


def _note_statement(state):
    """Bulk INSERT/UPDATE/DELETE statements (seed-demo, cascades written by hand)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None:
        return
    for counter in COUNTERS:
        if counter.touched_by_statement(table.name):
            counter.note_changed(state.session)


def _raise_on_commit(session):
    session.flush()  # what is still pending decides too
    changed = session.info.pop(CHANGED, None)
    if not changed:
        return
    rows = [counter.row_id for counter in COUNTERS if counter.name in changed]
    session.execute(db.update(CounterRow).where(CounterRow.id.in_(rows))
                    .values(value=CounterRow.value + 1))
    # A value this request read before its own commit is behind now: read it again.
    values = g.get(REQUEST_VALUES) if has_app_context() else None
    for name in changed if values else ():
        values.pop(name, None)


def _forget(session, _previous_transaction=None):
    session.info.pop(CHANGED, None)


def install_generation_hooks():
    """Idempotent: hooks on every SQLAlchemy session of the process."""
    if not event.contains(Session, "before_flush", _note_flush):
        event.listen(Session, "before_flush", _note_flush)
        event.listen(Session, "do_orm_execute", _note_statement)
        event.listen(Session, "before_commit", _raise_on_commit)
        event.listen(Session, "after_soft_rollback", _forget)


def counters_or_none():
    """{row id: value} of the counters this database holds; None when it has no counter table
    or the session holds changes of its own (a backup older than them)."""
    try:
        db.session.flush()
        if db.session.info.get(CHANGED):
            return None
        rows = db.session.execute(db.select(CounterRow.id, CounterRow.value))
        return {row.id: row.value for row in rows}
    except SQLAlchemyError:
        db.session.rollback()
        return None


def move_counters_past(previous):
    """After the database was replaced (a restored backup holds older counters), raise each
    counter past the value the replaced database had reached, so that no process can take a
    computation cached before the restore for a current one. A counter the restored database
    lacks (a backup older than it) is written, past its previous value, when the table is
    there; `flask db upgrade` leaves it as it is."""
    restored = counters_or_none()
    if not previous or restored is None:
        return
    for row_id, reached in previous.items():
        if row_id in restored:
            db.session.execute(db.update(CounterRow).where(CounterRow.id == row_id)
                               .values(value=max(reached, restored[row_id]) + 1))
        else:
            db.session.add(CounterRow(id=row_id, value=reached + 1))
    db.session.commit()


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

    def __len__(self):
        with self._lock:
            return len(self._entries)
