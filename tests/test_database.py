"""Transactions around slow work: a password hash never holds the database's write lock."""
from portal.database import run_after_commit, without_write_lock
from portal.extensions import db
from portal.models import User
from tests.factories import make_user


def _in_transaction_during(work_result=None):
    seen = {}

    def work():
        seen["in_transaction"] = db.session().in_transaction()
        return work_result

    return seen, work


def test_slow_work_runs_outside_a_transaction_that_wrote_nothing(app_context):
    user = make_user("reader@example.org")
    db.session.commit()
    db.session.get(User, user.id)       # the request has read, not written
    assert db.session().in_transaction()
    seen, work = _in_transaction_during("hashed")
    assert without_write_lock(work) == "hashed"
    assert seen["in_transaction"] is False
    assert db.session.get(User, user.id).email == "reader@example.org"   # read again


def test_a_transaction_that_wrote_is_kept_whole(app_context):
    user = User(email="writer@example.org", password_hash="x")
    db.session.add(user)
    db.session.flush()                                # written, not committed
    seen, work = _in_transaction_during()
    without_write_lock(work)
    assert seen["in_transaction"] is True
    db.session.rollback()
    assert db.session.get(User, user.id) is None     # nothing was committed on the way


def test_pending_changes_and_after_commit_actions_keep_the_transaction(app_context):
    user = make_user("pending@example.org")
    db.session.commit()
    user.display_name = "改了名字"                      # pending, not flushed
    seen, work = _in_transaction_during()
    without_write_lock(work)
    assert seen["in_transaction"] is True
    db.session.rollback()
    run_after_commit(lambda: None)
    db.session.get(User, user.id)
    seen, work = _in_transaction_during()
    without_write_lock(work)
    assert seen["in_transaction"] is True


def test_logging_in_checks_the_password_outside_the_transaction(client, applicant, monkeypatch):
    from portal.models import accounts
    seen = []
    original = accounts.check_password_hash

    def checking(stored, password):
        seen.append(db.session().in_transaction())
        return original(stored, password)

    monkeypatch.setattr(accounts, "check_password_hash", checking)
    response = client.post("/login", data={"email": applicant.email,
                                           "password": "secret password x"})
    assert response.status_code in (200, 302) and seen == [False]
