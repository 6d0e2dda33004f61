"""Which state of a ranking's inputs a cached ranking was computed from.

A ranking reads 150,000 scores and the facts of 10,000 proposals: too much to read on every
view only to learn that nothing changed. Instead, every transaction that changes something a
ranking reads raises a counter (portal.generations.RANKING_INPUTS, which lists what a ranking
reads) as it commits, and a ranking computed while the counter read N stays current while it
reads N. Reading the counter is one primary-key lookup. Here: the counter as the ranking and
the dashboard read it, and how a process keeps a cached ranking cheap to hold.
"""
import gc
from contextlib import contextmanager
from threading import Event

from portal.generations import RANKING_INPUTS


def current_generation():
    """The ranking inputs' counter as this transaction sees it; None when a cached ranking
    must not be used (portal.generations.Counter.current)."""
    return RANKING_INPUTS.current()


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
