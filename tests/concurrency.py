"""Two requests at the same moment, for the tests of the rules that must hold under them
(a conditional UPDATE lets one through)."""
import threading

from portal.errors import DomainError
from portal.extensions import db


def at_once(app, load, act, arguments, unchanged=None):
    """Run `act(load(argument), argument)` for each argument in its own thread, as a POST
    request does (portal.database: on SQLite a writing request takes the write lock at its
    first statement, so they take turns). On PostgreSQL each first loads what it acts on,
    asserts `unchanged(loaded)` (nobody has acted yet) and waits for the others, so that all
    of them read the state before any acts. Returns
    (outcome, argument) pairs: "done", "refused" (a DomainError) or "error" (anything else,
    e.g. a lock error, which would be a failure of the rule)."""
    racing = db.engine.dialect.name == "postgresql"
    all_loaded = threading.Barrier(len(arguments), timeout=20)
    outcomes = []

    def run(argument):
        with app.test_request_context(method="POST"):
            try:
                loaded = load(argument)
                if racing:
                    assert unchanged is None or unchanged(loaded)
                    all_loaded.wait()
                act(loaded, argument)
                db.session.commit()
                outcomes.append(("done", argument))
            except DomainError:
                db.session.rollback()
                outcomes.append(("refused", argument))
            except Exception as error:
                db.session.rollback()
                outcomes.append(("error", repr(error)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(argument,)) for argument in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes
