"""Eight identical or competing requests at the same instant, against gunicorn on SQLite and on
PostgreSQL: no server error, and the contest's limits hold (ASVS 11.1.6, 15.4.1).

SQLite serializes writers by itself; PostgreSQL runs them side by side, so the proposal limit,
the attachment limit and the one-copy-per-file rule hold there only through the row locks the
services take, and a conflict of versions must be answered as one, not as a 500.
"""
import hashlib
import os
import sys
import tempfile
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from loadlib import Client, Gunicorn, portal_env, prepare  # noqa: E402
from surge import (applicant_email, client_address, database_url, drop_database,  # noqa: E402
                   new_draft_form, pdf_content, proposal_path, sign_up)

pytestmark = pytest.mark.slow

AT_ONCE = 8
PROPOSAL_LIMIT = 3     # portal/seed/zzcf-2014.yaml
ATTACHMENT_LIMIT = 5   # MAX_ATTACHMENTS


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def portal(request):
    if request.param == "postgresql" and not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL races skipped: TEST_DATABASE_URL is not set")
    with tempfile.TemporaryDirectory() as temporary:
        instance = Path(temporary)
        url, created = database_url(request.param, instance)
        env = portal_env(instance, url)
        prepare(env)
        server = Gunicorn(env, workers=4)
        engine = create_engine(url)
        try:
            yield Portal(server, instance / "outbox", engine)
        finally:
            server.stop()
            engine.dispose()
            drop_database(created)


class Portal:
    """The running portal, its outbox, and its database for the checks."""

    def __init__(self, server, outbox, engine):
        self.server, self.outbox, self.engine = server, outbox, engine
        self.applicants = 0
        self.errors_seen = 0

    def applicant(self):
        """A new applicant, confirmed, with a complete profile, logged in."""
        self.applicants += 1
        number = self.applicants
        client = Client(self.server.base, {}, forwarded_for=client_address(number))
        client.email = applicant_email(number, uuid.uuid4().hex[:6])
        sign_up(client, self.outbox, client.email, number)
        return client

    def draft(self, client):
        _status, _body, location = client.request(
            "create", "/contests/zzcf-2014/proposals/new", new_draft_form(client, client.email))
        return proposal_path(location)

    def count(self, sql, **values):
        with self.engine.connect() as connection:
            return connection.execute(text(sql), values).scalar()

    def proposals_of(self, client):
        return self.count("SELECT count(*) FROM proposals p JOIN users u ON u.id = "
                          "p.applicant_id WHERE u.email = :email", email=client.email)

    def attachments_of(self, path):
        return self.count("SELECT count(*) FROM attachments WHERE proposal_id = :id",
                          id=int(path.rsplit("/", 1)[1]))

    def new_server_errors(self):
        """The exceptions logged since the last call (the tests share one server)."""
        errors = self.server.server_errors()
        new, self.errors_seen = errors[self.errors_seen:], len(errors)
        return new


def at_once(requests):
    """Send each (client, path, data, files) from its own thread, released together; the
    statuses."""
    barrier = threading.Barrier(len(requests))
    statuses = [None] * len(requests)

    def send(index, client, path, data, files):
        barrier.wait()
        statuses[index] = client.send(path, data, files)[0]

    threads = [threading.Thread(target=send, args=(index, *request))
               for index, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def no_server_error(statuses, portal):
    assert all(status < 500 for status in statuses), statuses
    assert portal.new_server_errors() == []


def test_submitting_one_proposal_eight_times_at_once(portal):
    client = portal.applicant()
    path = portal.draft(client)
    page = client.page("proposal", path)
    statuses = at_once([(client, path + "/submit", {"csrf_token": client.csrf(page)}, None)]
                       * AT_ONCE)
    no_server_error(statuses, portal)
    assert portal.count("SELECT count(*) FROM proposal_events WHERE proposal_id = :id AND "
                        "action = 'submitted'", id=int(path.rsplit("/", 1)[1])) == 1
    assert "ZZCF-2014-" in client.page("receipt", path)


def test_the_same_new_draft_form_posted_eight_times_at_once(portal):
    client = portal.applicant()
    data = new_draft_form(client, client.email)
    statuses = at_once([(client, "/contests/zzcf-2014/proposals/new", data, None)] * AT_ONCE)
    no_server_error(statuses, portal)
    assert portal.proposals_of(client) == 1


def test_eight_new_draft_forms_at_once_stop_at_the_proposal_limit(portal):
    client = portal.applicant()
    forms = [new_draft_form(client, client.email) for _ in range(AT_ONCE)]
    statuses = at_once([(client, "/contests/zzcf-2014/proposals/new", data, None)
                        for data in forms])
    no_server_error(statuses, portal)
    assert portal.proposals_of(client) == PROPOSAL_LIMIT
    assert statuses.count(302) == PROPOSAL_LIMIT


def test_eight_uploads_at_once_stop_at_the_attachment_limit(portal):
    client = portal.applicant()
    path = portal.draft(client)
    token = client.csrf(client.page("proposal", path))
    statuses = at_once([(client, path + "/attachments", {"csrf_token": token},
                         {"file": (f"计划书{n}.pdf", pdf_content(n)[:20_000])})
                        for n in range(AT_ONCE)])
    no_server_error(statuses, portal)
    assert portal.attachments_of(path) == ATTACHMENT_LIMIT


def test_one_file_uploaded_eight_times_at_once_is_stored_once(portal):
    client = portal.applicant()
    path = portal.draft(client)
    token = client.csrf(client.page("proposal", path))
    content = pdf_content(7)
    statuses = at_once([(client, path + "/attachments", {"csrf_token": token},
                         {"file": ("计划书.pdf", content)})] * AT_ONCE)
    no_server_error(statuses, portal)
    assert portal.attachments_of(path) == 1
    assert portal.count("SELECT sha256 FROM attachments WHERE proposal_id = :id",
                        id=int(path.rsplit("/", 1)[1])) == hashlib.sha256(content).hexdigest()
