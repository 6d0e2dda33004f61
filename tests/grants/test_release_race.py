"""Two organizers releasing the same tranche at the same moment: it is released once.

Each release runs as a POST does (tests.concurrency.at_once). On PostgreSQL both first read the
tranche unreleased, and the conditional UPDATE lets only one of them through."""
from portal.extensions import db
from portal.grants import services
from portal.models import AuditEvent, Tranche, User
from tests.concurrency import at_once
from tests.grants.helpers import funded


def test_a_tranche_is_released_once_under_concurrent_requests(app, contest, organizer,
                                                              applicant):
    grant = funded(contest, organizer, applicant)
    grant.agreement_stored = "a" * 32
    db.session.commit()
    tranche_id, organizer_id = grant.tranches[0].id, organizer.id

    def load(_reference):
        return db.session.get(Tranche, tranche_id), db.session.get(User, organizer_id)

    def release(loaded, reference):
        tranche, actor = loaded
        services.release_tranche(actor, tranche, services.beijing_today(), reference)

    outcomes = at_once(app, load, release, ["TX-1", "TX-2"],
                       unchanged=lambda loaded: not loaded[0].is_released)
    assert sorted(kind for kind, _ in outcomes) == ["done", "refused"], outcomes
    db.session.rollback()  # read what the two requests committed
    winner = next(reference for kind, reference in outcomes if kind == "done")
    assert db.session.get(Tranche, tranche_id).release_reference == winner
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).filter_by(
        action="grant.tranche_released")) == 1
