"""Client addresses behind a proxy (ASVS 2.2.1): X-Forwarded-For is believed from the trusted
proxies only, and rate limits count each client's own address."""
import runpy
import sys
import types
from pathlib import Path

import pytest

from portal.proxies import per_worker_limits_warning, trusted_networks
from tests.conftest import make_test_app

EN = {"Accept-Language": "en"}


@pytest.fixture(autouse=True)
def _limiter_back_to_the_test_config(web_app):
    """Flask-Limiter keeps its settings on the one extension object: put them back."""
    yield
    from portal.extensions import limiter
    limiter.init_app(web_app)


@pytest.fixture
def limited(tmp_path, database_url, app):
    """Logins limited to 3 a minute per address, behind a proxy at 10.0.0.5."""
    return make_test_app(tmp_path, database_url, RATELIMIT_ENABLED=True,
                         RATELIMIT_STORAGE_URI="memory://", LOGIN_LIMIT_PER_IP="3 per minute",
                         LOGIN_LIMIT_PER_ACCOUNT="100 per minute",
                         FORWARDED_ALLOW_IPS="10.0.0.5").test_client()


def failed_login(client, number, peer, forwarded_for=None):
    headers = dict(EN, **({"X-Forwarded-For": forwarded_for} if forwarded_for else {}))
    return client.post("/login", data={"email": f"nobody{number}@example.org",
                                       "password": "wrong password!"},
                       headers=headers, environ_base={"REMOTE_ADDR": peer}).status_code


def test_the_proxy_reports_each_clients_address_and_limits_count_it(limited):
    # One client behind the proxy tries four times: throttled on its fourth.
    assert [failed_login(limited, n, "10.0.0.5", "203.0.113.7") for n in range(4)] == \
        [200, 200, 200, 429]
    # Others behind the same proxy are not affected.
    assert [failed_login(limited, n, "10.0.0.5", f"198.51.100.{n}") for n in range(10)] == \
        [200] * 10
    # The proxy's own address appended after a client's forged entry: the proxy's is read.
    assert failed_login(limited, 99, "10.0.0.5", "198.51.100.1, 203.0.113.7") == 429


def test_a_forwarded_for_header_from_anyone_else_is_ignored(limited):
    # A client that is not the proxy names a new address each time: its own is counted.
    assert [failed_login(limited, n, "192.0.2.44", f"198.51.100.{n}") for n in range(4)] == \
        [200, 200, 200, 429]
    # ... and the addresses it named were never charged.
    assert failed_login(limited, 50, "10.0.0.5", "198.51.100.0") == 200


def test_the_trusted_proxies_setting_reads_like_gunicorns():
    assert [str(n) for n in trusted_networks("127.0.0.1, 10.0.0.0/8,::1")] == \
        ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]
    assert len(trusted_networks("*")) == 2


def test_several_workers_without_redis_are_warned_about():
    memory = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}
    assert "4 workers" in per_worker_limits_warning(memory, 4)
    assert per_worker_limits_warning(memory, 1) is None
    assert per_worker_limits_warning(dict(memory, RATELIMIT_STORAGE_URI="redis://r:6379/0"),
                                     4) is None
    assert per_worker_limits_warning(dict(memory, RATELIMIT_ENABLED=False), 4) is None


def test_gunicorn_says_so_at_start_up(app, monkeypatch):
    settings = runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))
    monkeypatch.setitem(sys.modules, "wsgi", types.SimpleNamespace(app=app))
    app.config.update(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    warnings = []
    server = types.SimpleNamespace(cfg=types.SimpleNamespace(workers=3),
                                   log=types.SimpleNamespace(warning=warnings.append))
    try:
        settings["when_ready"](server)
    finally:
        app.config["RATELIMIT_ENABLED"] = False
    assert len(warnings) == 1 and "3 workers" in warnings[0]
