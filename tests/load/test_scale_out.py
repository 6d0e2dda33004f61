"""Two gunicorn instances share one PostgreSQL database and one Redis: nothing is per-process."""
import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from loadlib import Client, Gunicorn, portal_env, prepare  # noqa: E402

pytestmark = pytest.mark.slow

POSTGRES = os.environ.get("TEST_DATABASE_URL")
REDIS = os.environ.get("TEST_REDIS_URL")
PASSWORD = "scale out password"


@pytest.fixture
def two_instances(tmp_path):
    if not (POSTGRES and REDIS):
        pytest.skip("scale-out test skipped: needs TEST_DATABASE_URL and TEST_REDIS_URL")
    import psycopg
    name = f"portal_scale_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/" + name
    shared = tmp_path / "shared-instance"  # uploads on a volume both hosts mount
    env = portal_env(shared, url, redis_url=REDIS, RATELIMIT_ENABLED="1",
                     PORTAL_LOGIN_LIMIT_PER_ACCOUNT="4 per minute")  # the good login counts too
    prepare(env)
    servers = [Gunicorn(env, workers=2), Gunicorn(env, workers=2)]
    try:
        yield servers, shared
    finally:
        for server in servers:
            server.stop()
        with psycopg.connect(POSTGRES, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def register_and_login(base, outbox_dir, email):
    from surge import confirmation_link
    client = Client(base, {})
    form = client.page("register_form", "/register")
    client.request("register", "/register", {
        "csrf_token": client.csrf(form), "email": email, "display_name": "横向扩展",
        "password": PASSWORD, "confirm": PASSWORD, "consent": "y"})
    client.request("confirm", confirmation_link(outbox_dir, email))
    form = client.page("login_form", "/login")
    client.request("login", "/login", {"csrf_token": client.csrf(form), "email": email,
                                       "password": PASSWORD})
    return client


def test_sessions_limits_and_data_are_shared(two_instances):
    (first, second), shared = two_instances
    email = f"{uuid.uuid4().hex[:8]}@scale.example.org"
    client = register_and_login(first.base, shared / "outbox", email)

    # Logged in on one instance is logged in on the other (same cookie, same database).
    client.base = second.base
    status, _body, _location = client.request("mine", "/my/proposals")
    assert status == 200

    # A proposal written through one instance is read through the other.
    form = client.page("form", "/contests/zzcf-2014/proposals/new")
    import re
    theme = re.search(r'<option value="([1-9]\d*)">', form).group(1)
    client.base = first.base
    status, _body, location = client.request("create", "/contests/zzcf-2014/proposals/new", {
        "csrf_token": client.csrf(form), "title": "跨实例的项目", "theme_id": theme})
    assert status == 302
    client.base = second.base
    path = location[location.index("/proposals/"):]
    assert "跨实例的项目" in client.page("show", path)

    # A rate limit counted on one instance applies on the other (Redis).
    attacker_first, attacker_second = Client(first.base, {}), Client(second.base, {})
    statuses = []
    for attacker in (attacker_first, attacker_second, attacker_first, attacker_second):
        form = attacker.page("login_form", "/login")
        statuses.append(attacker.request("login", "/login", {
            "csrf_token": attacker.csrf(form), "email": email, "password": "wrong one!"})[0])
    assert statuses == [200, 200, 200, 429]
