"""Sessions: revocable, fresh at login, timed out, re-authentication, throttled logins."""
import os
import time
import uuid

import pytest

from portal.extensions import db
from tests.conftest import make_test_app
from tests.factories import PASSWORD, Auth

EN = {"Accept-Language": "en"}


def test_logging_out_ends_the_sessions_on_other_devices(web_app, app_context, applicant):
    laptop, phone = web_app.test_client(), web_app.test_client()
    Auth(laptop).login(applicant)
    Auth(phone).login(applicant)
    assert phone.get("/my/proposals").status_code == 200
    laptop.post("/logout")
    assert phone.get("/my/proposals").status_code == 302


def test_changing_the_password_ends_other_sessions_but_not_this_one(web_app, app_context,
                                                                   applicant):
    laptop, phone = web_app.test_client(), web_app.test_client()
    Auth(laptop).login(applicant)
    Auth(phone).login(applicant)
    response = laptop.post("/account/password", data={
        "current_password": PASSWORD, "password": "another long password",
        "confirm": "another long password"})
    assert response.status_code == 302
    assert laptop.get("/my/proposals").status_code == 200
    assert phone.get("/my/proposals").status_code == 302


def test_erasing_the_account_ends_its_sessions_on_other_devices(web_app, app_context,
                                                               applicant):
    laptop, phone = web_app.test_client(), web_app.test_client()
    Auth(laptop).login(applicant)
    Auth(phone).login(applicant)
    assert laptop.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    assert phone.get("/my/proposals").status_code == 302


def test_a_deactivated_account_is_signed_out_on_its_next_request(web_app, app_context,
                                                                 applicant):
    phone = web_app.test_client()
    Auth(phone).login(applicant)
    applicant.active = False
    db.session.commit()
    assert phone.get("/my/proposals").status_code == 302


def test_the_menu_and_the_settings_come_with_the_user_in_one_statement(
        web_app, app_context, applicant):
    """A signed-in request's own cost: one statement for the user, the session's validity,
    the site settings and the menu's roles (the page's own statements come on top)."""
    from sqlalchemy import event

    client = web_app.test_client()
    Auth(client).login(applicant)
    client.get("/account")
    with web_app.app_context():
        engine = db.engine
    statements = []

    def note(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get("/account").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    touching = [s for s in statements if "site_settings" in s or "judge_memberships" in s
                or "FROM users" in s]
    assert len(touching) == 1, touching


def test_the_session_cookie_is_sent_again_only_when_the_session_changed(client, auth,
                                                                       applicant):
    auth.login(applicant)
    client.get("/my/proposals")   # the first page puts the CSRF token into the session
    assert "Set-Cookie" not in client.get("/my/proposals").headers
    with client.session_transaction() as session:
        session["seen_at"] = time.time() - 120   # the idle clock moves on: a new cookie
    response = client.get("/my/proposals")
    assert response.status_code == 200 and "Set-Cookie" in response.headers


def test_a_wrong_current_password_changes_nothing(client, auth, applicant):
    auth.login(applicant)
    response = client.post("/account/password", headers=EN, data={
        "current_password": "not my password", "password": "another long password",
        "confirm": "another long password"})
    assert "The password is wrong." in response.get_data(as_text=True)
    db.session.refresh(applicant)
    assert applicant.check_password(PASSWORD)


def test_a_new_session_at_login(client, auth, applicant):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login(applicant)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_an_idle_session_expires(client, auth, applicant):
    auth.login(applicant)
    with client.session_transaction() as session:
        session["seen_at"] = time.time() - 3 * 3600
    response = client.get("/my/proposals")
    assert response.status_code == 302 and "/login" in response.location


def test_an_old_session_expires_even_when_busy(client, auth, applicant):
    auth.login(applicant)
    with client.session_transaction() as session:
        session["started_at"] = time.time() - 13 * 3600
    assert client.get("/my/proposals").status_code == 302


def test_sensitive_actions_ask_for_the_password_again(client, auth, applicant):
    auth.login(applicant)
    with client.session_transaction() as session:
        session["reauthenticated_at"] = time.time() - 3600
    response = client.post("/account/data", headers={"Referer": "/account"})
    assert response.status_code == 302 and "/account/confirm-password" in response.location
    response = client.post("/account/confirm-password?next=/account",
                           data={"password": PASSWORD})
    assert response.location == "/account"
    assert client.post("/account/data").mimetype == "application/zip"


def test_cookies_are_http_only_and_same_site(client, applicant):
    response = client.post("/login", data={"email": applicant.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.fixture(autouse=True)
def _limiter_back_to_the_test_config(web_app):
    """Flask-Limiter keeps its settings on the one extension object: put them back."""
    yield
    from portal.extensions import limiter
    limiter.init_app(web_app)


def limited_app(tmp_path, database_url, storage):
    return make_test_app(tmp_path, database_url, RATELIMIT_ENABLED=True,
                         RATELIMIT_STORAGE_URI=storage,
                         LOGIN_LIMIT_PER_ACCOUNT="3 per minute",
                         LOGIN_LIMIT_PER_IP="100 per minute")


def wrong_logins(client, email, count):
    return [client.post("/login", data={"email": email, "password": "wrong password!"},
                        headers=EN).status_code for _ in range(count)]


def test_logins_are_throttled_per_account(tmp_path, database_url, app, app_context, applicant):
    client = limited_app(tmp_path, database_url, "memory://").test_client()
    assert wrong_logins(client, applicant.email, 4) == [200, 200, 200, 429]
    response = client.post("/login", data={"email": applicant.email, "password": PASSWORD},
                           headers=EN)
    assert response.status_code == 429 and "Too many attempts" in response.get_data(True)
    # The answer for an unknown account is the same: the limit reveals nothing.
    assert wrong_logins(client, "nobody@example.org", 4) == [200, 200, 200, 429]


REDIS = os.environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS, reason="Redis tests skipped: TEST_REDIS_URL is not set "
                                      "(e.g. redis://127.0.0.1:6379/0)")
def test_limits_are_shared_between_processes_through_redis(tmp_path, database_url, app,
                                                           app_context, applicant):
    storage = f"{REDIS}"
    first = limited_app(tmp_path / "a", database_url, storage)
    second = limited_app(tmp_path / "b", database_url, storage)
    first.config["RATELIMIT_KEY_PREFIX"] = second.config["RATELIMIT_KEY_PREFIX"] = \
        f"test-{uuid.uuid4().hex}"
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    assert wrong_logins(first.test_client(), email, 2) == [200, 200]
    assert wrong_logins(second.test_client(), email, 2) == [200, 429]
