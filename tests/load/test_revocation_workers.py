"""With two gunicorn workers, a revoked session and a changed site setting take effect on every
worker's next request (issue 26): on SQLite, and on PostgreSQL with TEST_DATABASE_URL.

Nothing a signed-in request relies on is cached between requests in a way that could outlive
a change made through another worker: the user's row (with its session token), the settings
row and the menu's roles are read in one statement on every request
(portal.accounts.services.load_user). Each check below goes on until both workers have
answered (the `pid` of the request's log line, found by the X-Request-Id the client sent),
and every answer must already show the change.
"""
import contextlib
import json
import os
import re
import socket
import sys
import time
import tempfile
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from loadlib import Client, Gunicorn, flask, portal_env, prepare  # noqa: E402
from surge import database_url, drop_database  # noqa: E402

pytestmark = pytest.mark.slow

WORKERS = 2
PASSWORD = "revocation test password"
ORGANIZER_PASSWORD = "revocation organizer password"
VERSION_RE = re.compile(r'id="version" name="version" type="hidden" value="(\d+)"')


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def portal(request):
    if request.param == "postgresql" and not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL run of the two-worker revocation test skipped: "
                    "TEST_DATABASE_URL is not set")
    with tempfile.TemporaryDirectory() as temporary:
        instance = Path(temporary)
        url, created = database_url(request.param, instance)
        env = portal_env(instance, url)
        prepare(env)
        flask(env, "create-user", "--email", "organizer@revocation.example.org", "--organizer",
              "--password", ORGANIZER_PASSWORD)
        server = Gunicorn(env, workers=WORKERS)
        server.env = env
        try:
            yield server
        finally:
            server.stop()
            drop_database(created)


class Worker:
    """Requests sent with an id of their own; which worker answered each, from its log."""

    def __init__(self, server):
        self.server = server

    def get(self, client, path):
        request_id = uuid.uuid4().hex
        client.headers["X-Request-Id"] = request_id
        try:
            status, body, location = client.request("get", path)
        finally:
            client.headers.pop("X-Request-Id", None)
        return request_id, status, body, location

    def pids(self, request_ids):
        wanted, found = set(request_ids), {}
        for line in self.server.log_path.read_text(errors="replace").splitlines():
            if not line.startswith("{"):
                continue
            entry = json.loads(line)
            if entry.get("logger") == "portal.access" and entry.get("request_id") in wanted:
                found[entry["request_id"]] = entry["pid"]
        return found

    @contextlib.contextmanager
    def one_worker_busy(self, every_other):
        if not every_other:
            yield
            return
        with socket.create_connection(("127.0.0.1", self.server.port)) as held:
            held.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            time.sleep(0.05)  # let a worker accept it and wait for the rest
            yield

    def on_every_worker(self, client, path, check, most=80):
        """GET `path` until each worker has answered it; `check(status, body, location)` must
        hold for every answer. Returns the number of requests sent."""
        sent = []
        for attempt in range(most):
            # An idle gunicorn often hands every connection to the same worker. Every other
            # request, a half-sent request keeps one worker busy, so the other one answers.
            with self.one_worker_busy(every_other=attempt % 2):
                request_id, status, body, location = self.get(client, path)
            assert check(status, body, location), (status, location, body[:300])
            sent.append(request_id)
            if len(set(self.pids(sent).values())) == WORKERS:
                return len(sent)
        raise AssertionError(f"only one worker answered {len(sent)} requests")


def sign_in(base, email, password):
    client = Client(base, {})
    form = client.page("login_form", "/login")
    status, _body, _location = client.request("login", "/login", {
        "csrf_token": client.csrf(form), "email": email, "password": password})
    assert status in (302, 303)
    return client


def post_form(client, page, path, fields):
    form = client.page("form", page)
    return client.request("post", path, {"csrf_token": client.csrf(form), **fields})


def signed_in(status, _body, _location):
    return status == 200


def signed_out(status, _body, location):
    return status == 302 and "/login" in (location or "")


def replaying(base, client):
    """A client that sends the session cookie `client` has now on every request, whatever
    the answers set: a stolen cookie, replayed, must be refused by every worker too."""
    replay = Client(base, {})
    replay.headers["Cookie"] = "; ".join(f"{cookie.name}={cookie.value}"
                                         for cookie in client.jar)
    return replay


def two_devices(server, email, password):
    """The same account signed in on a laptop and a phone (its cookie replayed), the phone
    served by both workers already: whatever a worker keeps for it, it now keeps."""
    laptop = sign_in(server.base, email, password)
    phone = replaying(server.base, sign_in(server.base, email, password))
    Worker(server).on_every_worker(phone, "/my/proposals", signed_in)
    return laptop, phone


def test_revoked_sessions_and_changed_settings_reach_every_worker(portal):
    server, workers = portal, Worker(portal)

    # A changed site setting: every worker's next page shows it.
    organizer = sign_in(server.base, "organizer@revocation.example.org", ORGANIZER_PASSWORD)
    reader = replaying(server.base, sign_in(server.base, "organizer@revocation.example.org",
                                            ORGANIZER_PASSWORD))
    workers.on_every_worker(reader, "/admin/", signed_in)
    footer = f"页脚 {uuid.uuid4().hex[:8]}"
    form = organizer.page("settings", "/admin/settings")
    status, _body, _location = organizer.request("save", "/admin/settings", {
        "csrf_token": organizer.csrf(form), "version": VERSION_RE.search(form).group(1),
        "site_name_zh": "撤销测试平台", "footer_text": footer})
    assert status == 302
    workers.on_every_worker(reader, "/admin/", lambda status, body, _location:
                            status == 200 and footer in body and "撤销测试平台" in body)

    # Logout everywhere: the laptop logs out, the phone is signed out on every worker.
    email = f"{uuid.uuid4().hex[:8]}@revocation.example.org"
    flask(server.env, "create-user", "--email", email, "--password", PASSWORD)
    laptop, phone = two_devices(server, email, PASSWORD)
    status, _body, _location = post_form(laptop, "/my/proposals", "/logout", {})
    assert status == 302
    workers.on_every_worker(phone, "/my/proposals", signed_out)

    # A password change: the other device is signed out on every worker, this one stays.
    laptop, phone = two_devices(server, email, PASSWORD)
    new_password = PASSWORD + " changed"
    status, _body, _location = post_form(laptop, "/account", "/account/password", {
        "current_password": PASSWORD, "password": new_password, "confirm": new_password})
    assert status == 302
    workers.on_every_worker(phone, "/my/proposals", signed_out)
    workers.on_every_worker(laptop, "/my/proposals", signed_in)

    # Erasure: the account's other sessions end on every worker.
    laptop, phone = two_devices(server, email, new_password)
    status, _body, _location = post_form(laptop, "/account", "/account/delete",
                                         {"password": new_password})
    assert status == 302
    workers.on_every_worker(phone, "/my/proposals", signed_out)
    assert server.server_errors() == []
