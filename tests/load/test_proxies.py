"""Rate limits behind a proxy, against gunicorn (ASVS 2.2.1): the proxy (a client connecting from
127.0.0.2, the trusted address) reports each client's address; one address making 35 failed
logins is throttled and nobody else is; a client that is not the proxy cannot pick its address.

Counts are shared through Redis when TEST_REDIS_URL is set (as in CI, four workers); without it,
one worker keeps them (several would each count alone: gunicorn warns about that at start).
"""
import concurrent.futures
import os
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from loadlib import Client, Gunicorn, portal_env, prepare  # noqa: E402

pytestmark = pytest.mark.slow

PROXY = "127.0.0.2"            # 127.0.0.1 is then a client that is not the proxy
LOGIN_LIMIT = 30               # PORTAL_LOGIN_LIMIT_PER_IP's default: 30 per minute
ATTEMPTS = 35


@pytest.fixture(scope="module")
def server():
    redis = os.environ.get("TEST_REDIS_URL")
    with tempfile.TemporaryDirectory() as temporary:
        instance = Path(temporary)
        env = portal_env(instance, f"sqlite:///{instance / 'portal.sqlite3'}", redis_url=redis,
                         RATELIMIT_ENABLED="1", FORWARDED_ALLOW_IPS=PROXY,
                         RATELIMIT_KEY_PREFIX=f"proxy-test-{uuid.uuid4().hex[:8]}")
        prepare(env)
        gunicorn = Gunicorn(env, workers=4 if redis else 1)
        try:
            yield gunicorn
        finally:
            gunicorn.stop()


def failed_logins(client, count):
    """`count` failed logins, each to an account of its own (the per-account limit stays out
    of the way): their statuses."""
    statuses = []
    for _ in range(count):
        form = client.page("login_form", "/login")
        statuses.append(client.send("/login", {
            "csrf_token": client.csrf(form), "email": f"{uuid.uuid4().hex}@proxy.example.org",
            "password": "a wrong password"})[0])
    return statuses


def test_one_address_is_throttled_and_the_others_are_not(server):
    attacker = Client(server.base, {}, source=PROXY, forwarded_for="203.0.113.7")
    others = [Client(server.base, {}, source=PROXY, forwarded_for=f"198.18.7.{n}")
              for n in range(1, 41)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        attack = pool.submit(failed_logins, attacker, ATTEMPTS)
        answers = list(pool.map(lambda client: failed_logins(client, 1)[0], others))
        statuses = attack.result()
    assert statuses[:LOGIN_LIMIT] == [200] * LOGIN_LIMIT
    assert statuses[LOGIN_LIMIT:] == [429] * (ATTEMPTS - LOGIN_LIMIT)
    assert answers == [200] * len(others)
    assert server.server_errors() == []


def test_a_forwarded_for_header_from_a_client_that_is_not_the_proxy_is_ignored(server):
    statuses = []
    for number in range(ATTEMPTS):
        # Connecting from 127.0.0.1, not the proxy, naming a new address every time.
        spoofer = Client(server.base, {}, forwarded_for=f"192.0.2.{number + 1}")
        statuses += failed_logins(spoofer, 1)
    assert statuses.count(429) == ATTEMPTS - LOGIN_LIMIT and statuses[-1] == 429
