"""Two organizers releasing the same tranche at the same moment: it is released once.

Each release runs as a POST does (portal.database: on SQLite a writing request takes the write
lock at its first statement, so the two take turns). On PostgreSQL both first read the tranche
unreleased, and the conditional UPDATE lets only one of them through."""
import threading

from portal.errors import DomainError
from portal.extensions import db
from portal.grants import services
from portal.models import AuditEvent, Tranche, User
from tests.grants.helpers import funded


def test_a_tranche_is_released_once_under_concurrent_requests(app, contest, organizer,
                                                              applicant):
    grant = funded(contest, organizer, applicant)
    grant.agreement_stored = "a" * 32
    db.session.commit()
    tranche_id, organizer_id = grant.tranches[0].id, organizer.id
    racing = db.engine.dialect.name == "postgresql"
    both_loaded = threading.Barrier(2, timeout=20)
    outcomes = []

    def release(reference):
        with app.test_request_context(method="POST"):
            try:
                tranche = db.session.get(Tranche, tranche_id)
                actor = db.session.get(User, organizer_id)
                if racing:
                    assert not tranche.is_released
                    both_loaded.wait()   # both requests saw it unreleased
                services.release_tranche(actor, tranche, services.beijing_today(), reference)
                db.session.commit()
                outcomes.append(("released", reference))
            except DomainError:
                db.session.rollback()
                outcomes.append(("refused", reference))
            except Exception as error:  # a lock error would be a failure of the rule
                db.session.rollback()
                outcomes.append(("error", repr(error)))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=release, args=(f"TX-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(kind for kind, _ in outcomes) == ["refused", "released"], outcomes
    db.session.rollback()  # read what the two requests committed
    winner = next(reference for kind, reference in outcomes if kind == "released")
    assert db.session.get(Tranche, tranche_id).release_reference == winner
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(
        action="grant.tranche_released")) == 1
