"""The factory, configuration, security headers, languages and error pages."""
import os
import re
import stat
import subprocess
import sys

import pytest

from portal import create_app
from portal.deferred_imports import DEFERRED
from tests.conftest import make_test_app


def test_create_app_with_a_fresh_empty_instance_folder(tmp_path, monkeypatch):
    instance = tmp_path / "fresh" / "instance"
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app()
    assert instance.is_dir()
    key_file = instance / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'portal.sqlite3'}"
    assert app.config["PORTAL_UPLOAD_PATH"] == str(instance / "uploads")
    # The key is kept: a second app (or worker) signs sessions with the same one.
    assert create_app().config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_environment_variables_configure_the_app(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "sqlite:///" + str(tmp_path / "other.db"))
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("PORTAL_MAX_UPLOAD_MB", "5")
    monkeypatch.setenv("PORTAL_ENV", "production")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["PORTAL_MAX_UPLOAD_MB"] == 5
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_production_sends_hsts(tmp_path, database_url, app):
    production = make_test_app(tmp_path, database_url, PORTAL_ENV="production")
    response = production.test_client().get("/")
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_security_headers_forbid_inline_script(client, contest):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert b"<script>" not in response.data and b" onclick=" not in response.data


def test_unknown_url_gets_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "页面不存在".encode() in response.data


def test_chinese_is_the_default_language(client, contest):
    page = client.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and "截止时间" in page


def test_the_browser_may_ask_for_english(client, contest):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in page and "Submission deadline" in page


def test_the_language_switch_is_remembered(client, contest):
    response = client.post("/language?next=/contests/zzcf-2014", data={"locale": "en"})
    assert response.status_code == 302 and response.location.endswith("/contests/zzcf-2014")
    assert "Submission deadline" in client.get("/").get_data(as_text=True)
    client.post("/language", data={"locale": "zh_CN"})
    assert "截止时间" in client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_the_language_switch_refuses_to_redirect_off_site(client):
    response = client.post("/language?next=//evil.example/x", data={"locale": "en"})
    assert response.location == "/"


@pytest.mark.parametrize("url", ["/register", "/login"])
def test_forms_are_csrf_protected(tmp_path, database_url, app, url):
    protected = make_test_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)
    response = protected.test_client().post(url, data={"email": "a@example.org"})
    assert response.status_code == 400


def test_static_files_have_fingerprinted_urls_cached_for_a_year(client, contest):
    page = client.get("/").get_data(as_text=True)
    match = re.search(r'href="(/static/css/portal\.css\?v=([0-9a-f]{12}))"', page)
    assert match, "the stylesheet's URL carries a digest of its content"
    response = client.get(match.group(1))
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    assert "max-age=31536000" not in client.get("/static/css/portal.css").headers.get(
        "Cache-Control", "")   # without the digest: the usual revalidation


def test_a_static_file_costs_no_database_work_even_signed_in(client, auth, applicant,
                                                            count_queries):
    auth.login(applicant)
    with count_queries() as counted:
        assert client.get("/static/css/portal.css").status_code == 200
    assert counted.total == 0


def test_an_upload_over_the_limit_gets_a_friendly_413(tmp_path, database_url, app):
    small = make_test_app(tmp_path, database_url, PORTAL_MAX_UPLOAD_MB=0)   # 1 MB in all
    response = small.test_client().post("/login", data={"email": "x" * (1536 * 1024)},
                                        headers={"Accept-Language": "en"})
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<html" in page.lower() and "Traceback" not in page


def test_templates_are_compiled_once_into_the_instance_folder(tmp_path):
    """The bytecode cache (portal.templating_cache): a second app, as a new or recycled
    worker, loads what the first compiled."""
    from portal.templating_cache import FOLDER, compile_all_templates
    first = make_test_app(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    count = compile_all_templates(first)
    cached = list((tmp_path / FOLDER).iterdir())
    assert count > 100 and len(cached) == count
    second = make_test_app(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite3'}")
    loads = []
    cache = second.jinja_env.bytecode_cache
    original = cache.load_bytecode
    cache.load_bytecode = lambda bucket: (original(bucket), loads.append(bucket.code is not None))
    compile_all_templates(second)
    assert len(loads) == count and all(loads)   # every template found compiled on disk


def test_templates_translate_in_a_forced_language_within_a_request(app):
    """The translations a request keeps for its templates follow force_locale (a mail in
    the recipient's language) and come back after it."""
    from flask_babel import force_locale
    template = app.jinja_env.from_string("{{ _('Log out') }}")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert template.render() == "Log out"
        with force_locale("zh_CN"):
            assert template.render() == "退出"
        assert template.render() == "Log out"


def test_connections_are_pinged_before_use_on_postgresql_only(tmp_path):
    """A server may drop a pooled connection; a SQLite file cannot: no ping per request."""
    from portal.extensions import db
    sqlite = make_test_app(tmp_path / "a", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    server = make_test_app(tmp_path / "b", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    with sqlite.app_context():
        assert db.engine.pool._pre_ping is False
    with server.app_context():
        assert db.engine.pool._pre_ping is True


def _modules_after(code, tmp_path):
    """The names in sys.modules after creating the app in a fresh interpreter, then `code`."""
    script = ("import sys; from portal import create_app; app = create_app({"
              f"'PORTAL_INSTANCE_PATH': {str(tmp_path)!r}, 'SQLALCHEMY_DATABASE_URI': "
              f"'sqlite://', 'SECRET_KEY': 'x'}}); {code}; print(' '.join(sorted(sys.modules)))")
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                               check=True)
    return set(completed.stdout.strip().splitlines()[-1].split())


def test_starting_the_app_leaves_the_deferred_libraries_for_their_first_use(tmp_path):
    """Every command and worker creates the app: scipy.stats (a second and 35 MB, for one
    quantile of the normal law) is never imported, and the deferred libraries wait for their
    first use (issue 26), which imports them."""
    started = _modules_after("pass", tmp_path)
    assert not {name for name in started if name.startswith("scipy.stats")}
    assert not set(DEFERRED) & started, set(DEFERRED) & started
    used = _modules_after(
        "from portal.text_order import pinyin_key; pinyin_key('张'); "
        "from portal.assignment.design import component_count; component_count([(1, 2)])",
        tmp_path)
    assert {"pypinyin", "scipy.sparse", "scipy.sparse.csgraph"} <= used


def test_gunicorns_master_imports_the_deferred_libraries_before_forking(tmp_path, repo_root):
    hook = ("import runpy, types; sys.modules['wsgi'] = types.SimpleNamespace(app=app); "
            f"runpy.run_path({str(repo_root / 'gunicorn.conf.py')!r})['when_ready']("
            "types.SimpleNamespace(cfg=types.SimpleNamespace(workers=1), "
            "log=types.SimpleNamespace(warning=print)))")
    assert set(DEFERRED) <= _modules_after(hook, tmp_path)
