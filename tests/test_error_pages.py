"""Error pages after failed transactions, and conflicts answered as conflicts (ASVS 7.4.1,
11.1.6): a request whose flush failed still gets the portal's 500 page and a log line naming it;
a change that lost a race gets a 409 that says so."""
import json
import logging

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from portal.extensions import db
from portal.models import User
from tests.conftest import make_test_app


@pytest.fixture
def broken_app(tmp_path, database_url, app):
    """The app with routes that fail the ways a request can, answered as in production (no
    exception propagated to the test client)."""
    application = make_test_app(tmp_path, database_url, PROPAGATE_EXCEPTIONS=False)

    @application.route("/test/failed-flush", methods=["POST"])
    def failed_flush():
        def fail(*_args):
            raise RuntimeError("the disk is full")
        event.listen(db.session(), "after_flush", fail, once=True)
        db.session.add(User(email="flush@example.org", password_hash="x"))
        db.session.flush()

    @application.route("/test/raise", methods=["POST"])
    def fail():
        raise RuntimeError("a bug")

    @application.route("/test/stale", methods=["POST"])
    def stale():
        raise StaleDataError("UPDATE statement on table 'proposals' expected to update 1 "
                             "row(s); 0 were matched.")

    @application.route("/test/duplicate", methods=["POST"])
    def duplicate():
        raise IntegrityError("INSERT INTO proposals", {}, Exception("duplicate key value"))

    yield application
    with application.app_context():
        db.session.remove()


def test_the_500_page_renders_after_a_failed_flush(broken_app, caplog):
    with caplog.at_level(logging.INFO):
        response = broken_app.test_client().post("/test/failed-flush", headers={
            "Accept-Language": "en", "X-Request-Id": "req-failed-flush"})
    # The portal's own page (its layout reads the database: the session was rolled back).
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(True)
    access = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.access"]
    assert [(line["status"], line["request_id"]) for line in access] == \
        [(500, "req-failed-flush")]
    (logged,) = [r for r in caplog.records if r.exc_info]
    assert "[request req-failed-flush]" in logged.getMessage()
    assert "the disk is full" in caplog.text


def test_the_500_page_falls_back_to_text_when_it_cannot_render(broken_app, monkeypatch):
    monkeypatch.setattr("portal.errors.render_template",
                        lambda *_args, **_kwargs: 1 / 0)
    response = broken_app.test_client().post("/test/failed-flush")
    assert response.status_code == 500 and "please try again" in response.get_data(True)


@pytest.mark.parametrize("path", ["/test/stale", "/test/duplicate"])
def test_a_change_that_lost_a_race_gets_a_409_that_says_so(broken_app, caplog, path):
    with caplog.at_level(logging.INFO):
        response = broken_app.test_client().post(path, headers={
            "Accept-Language": "en", "X-Request-Id": "req-race"})
    assert response.status_code == 409
    assert "changed in another window" in response.get_data(True)
    (warning,) = [r for r in caplog.records if r.name == "portal.errors"]
    assert "[request req-race]" in warning.getMessage() and not warning.exc_info


def test_a_request_id_that_is_not_a_plain_token_is_replaced(client, caplog):
    with caplog.at_level(logging.INFO, logger="portal.access"):
        response = client.get("/healthz", headers={"X-Request-Id": "a b %s<x>"})
    assert response.headers["X-Request-Id"] != "a b %s<x>"
    assert len(response.headers["X-Request-Id"]) == 32


def test_the_error_page_of_a_post_does_not_wait_for_a_writer(broken_app, database_url):
    """On SQLite a POST's transaction takes the write lock; its error page only reads, so it
    renders beside a writer instead of queueing behind it (and failing after the timeout)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    import sqlite3
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        response = broken_app.test_client().post("/test/raise", headers={"Accept-Language": "en"})
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert response.status_code == 500 and "Something went wrong" in response.get_data(True)
