"""Fixtures: one app and one migrated database per run (SQLite, or PostgreSQL when
TEST_DATABASE_URL names a server); every table emptied after each test."""
import os
import shutil
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db
from portal.mail import outbox_path
from portal.results.ranking import forget_computed_rankings
from tests import factories

POSTGRES_SERVER = os.environ.get("TEST_DATABASE_URL")
# Rows the migrations write, which the app expects to be there (the counter only grows).
KEPT_TABLES = {"alembic_version", "ranking_generation"}


def _postgres_admin_url(server_url):
    url = make_url(server_url)
    return url.set(drivername="postgresql+psycopg")


def _create_postgres_database(server_url):
    import psycopg

    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin_url(server_url)
    with psycopg.connect(admin.set(drivername="postgresql").render_as_string(hide_password=False),
                         autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name, admin.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(server_url, name):
    import psycopg

    admin = _postgres_admin_url(server_url).set(drivername="postgresql")
    with psycopg.connect(admin.render_as_string(hide_password=False),
                         autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pytest_report_header(config):
    if POSTGRES_SERVER:
        return f"database: PostgreSQL at {make_url(POSTGRES_SERVER).host} (a fresh database)"
    return ("database: SQLite. The PostgreSQL run is skipped: set TEST_DATABASE_URL "
            "(e.g. postgresql://postgres@127.0.0.1:5432/postgres) to run on PostgreSQL too.")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    if not POSTGRES_SERVER:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    name, url = _create_postgres_database(POSTGRES_SERVER)
    try:
        yield url
    finally:
        _drop_postgres_database(POSTGRES_SERVER, name)


def make_test_app(instance_path, database_url, **overrides):
    config = {
        "TESTING": True,
        "PORTAL_INSTANCE_PATH": str(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PORTAL_BASE_URL": "http://portal.test",
        # scrypt with a small work factor: the same code path, a fraction of the time.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        # Fixtures give everyone an @example.org address: like a public mail provider, it
        # ties nobody together (conflict tests use a private domain of their own).
        "PORTAL_PUBLIC_MAIL_DOMAINS": ("example.org", "example.com"),
        # Jobs (mail delivery among them) run in the request that queued them, after its commit.
        "JOBS_IMMEDIATE": True,
    }
    config.update(overrides)
    application = create_app(config)
    application.test_client_class = ClosingClient
    _apps_to_dispose.append(application)
    return application


# Apps a test made for itself (another config), disposed after it: otherwise their pooled
# connections stay open until the collector deletes them, which psycopg warns about.
_apps_to_dispose = []


@pytest.fixture(autouse=True)
def _dispose_test_apps():
    made_before = len(_apps_to_dispose)
    yield
    while len(_apps_to_dispose) > made_before:
        _dispose(_apps_to_dispose.pop())


@pytest.fixture(scope="session")
def app(tmp_path_factory, database_url):
    from flask_migrate import upgrade

    application = make_test_app(tmp_path_factory.mktemp("instance"), database_url)
    _apps_to_dispose.remove(application)  # the run's own: disposed at its end
    with application.app_context():
        upgrade()  # the real migrations, never create_all
    yield application
    _dispose(application)


def _dispose(application):
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    if "web_app" in request.fixturenames:
        with request.getfixturevalue("web_app").app_context():
            db.session.remove()
    with application.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                if table.name not in KEPT_TABLES:
                    connection.execute(table.delete())
    forget_computed_rankings()


@pytest.fixture(autouse=True)
def _empty_instance_folders(request):
    """Sent emails and uploaded files do not outlive their test."""
    yield
    if "app" in request.fixturenames:
        application = request.getfixturevalue("app")
        shutil.rmtree(outbox_path(application), ignore_errors=True)
        shutil.rmtree(application.config["PORTAL_UPLOAD_PATH"], ignore_errors=True)
        shutil.rmtree(Path(application.instance_path) / "prepared", ignore_errors=True)
        Path(application.config["PORTAL_AUDIT_ANCHOR_FILE"]).unlink(missing_ok=True)


@pytest.fixture
def fresh_database(tmp_path):
    """(a database url, an app on it) with nothing migrated yet, on the run's kind of server."""
    if POSTGRES_SERVER:
        name, url = _create_postgres_database(POSTGRES_SERVER)
    else:
        url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    application = make_test_app(tmp_path / "instance", url)
    try:
        yield application
    finally:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
        if POSTGRES_SERVER:
            _drop_postgres_database(POSTGRES_SERVER, name)


@pytest.fixture
def outbox(app):
    """The messages sent so far in this test (the folder is emptied after each test)."""
    return lambda: factories.sent_emails(app)


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


class ClosingClient(FlaskClient):
    """The test client, closing the temporary file that werkzeug encodes an upload over 500 KB
    into and leaves open (a ResourceWarning, which fails the run)."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        for answered in (*response.history, response):
            answered.request.input_stream.close()
        return response


class RequestClient(ClosingClient):
    """Sends each request through a second app object, as a separate process would: a fresh
    app context per request (no `g` or session shared with the test), and afterwards the test's
    own session is rolled back so that it reads what the request committed."""

    def open(self, *args, **kwargs):
        # Read whole and closed, as a server would: a file sent (an attachment) is closed too.
        kwargs.setdefault("buffered", True)
        response = super().open(*args, **kwargs)
        db.session.rollback()
        return response


@pytest.fixture(scope="session")
def web_app(app, tmp_path_factory, database_url):
    application = make_test_app(app.instance_path, database_url)
    _apps_to_dispose.remove(application)  # the run's own: disposed at its end
    application.test_client_class = RequestClient
    yield application
    _dispose(application)


@pytest.fixture
def client(web_app, app_context):
    return web_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def contest(app_context):
    """The seed contest, open for submissions."""
    return factories.make_contest()


@pytest.fixture
def applicant(app_context):
    return factories.make_user("applicant@example.org")


@pytest.fixture
def organizer(app_context):
    return factories.make_user("organizer@example.org", organizer=True)


@pytest.fixture
def auth(client):
    return factories.Auth(client)


@pytest.fixture(scope="session")
def repo_root():
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def count_queries():
    """`with count_queries() as counted:` ... `counted.total` SQL statements sent meanwhile."""
    from contextlib import contextmanager

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    class Counted:
        def __init__(self):
            self.total = 0

    @contextmanager
    def counting():
        counted = Counted()   # one per use: two counts of a test compare, never alias

        def on_execute(*_args):
            counted.total += 1

        event.listen(Engine, "before_cursor_execute", on_execute)
        try:
            yield counted
        finally:
            event.remove(Engine, "before_cursor_execute", on_execute)

    return counting
