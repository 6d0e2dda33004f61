"""Two-step login: turning it on (secret, otpauth URI, first code, recovery codes shown once),
the code after the password, recovery codes, expiry and throttling of the second step, turning
it off, and organizers required to use it when the site says so."""
import re
import time

import pyotp
import pytest

from portal.accounts import two_factor
from portal.extensions import db
from portal.models import SiteSettings
from tests.conftest import make_test_app
from tests.factories import PASSWORD, Auth, email_text

EN = {"Accept-Language": "en"}


def code(secret, steps=0):
    """The code for now, or for `steps` periods of 30 seconds later (a code is accepted once
    and never one older than the last accepted one)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def turn_on(user):
    """Two-step login for `user`, as the setup page leaves it; returns (secret, recovery codes).
    The first code used is the current one: log in with `code(secret, 1)`."""
    secret = pyotp.random_base32()
    codes = two_factor.enable(user, secret, code(secret))
    db.session.commit()
    return secret, codes


def password_step(client, user, **extra):
    return client.post("/login" + extra.pop("query", ""), headers=EN,
                       data={"email": user.email, "password": PASSWORD, **extra})


def signed_in(client):
    return client.get("/my/proposals").status_code == 200


def test_turning_it_on(client, auth, applicant):
    auth.login(applicant)
    page = client.get("/account", headers=EN).get_data(as_text=True)
    assert "Turn on two-step login" in page
    response = client.get("/account/two-step", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    secret = re.search(r'user-select-all">([A-Z2-7]{32})<', page).group(1)
    uri = re.search(r"(otpauth://totp/[^<]+)<", page).group(1)
    assert f"secret={secret}" in uri and "applicant%40example.org" in uri
    assert response.headers["Cache-Control"] == "no-store"
    # Reloading the page keeps the same key (the app may already have it).
    assert secret in client.get("/account/two-step").get_data(as_text=True)
    wrong = client.post("/account/two-step", headers=EN,
                        data={"code": str((int(code(secret)) + 1) % 1_000_000).zfill(6)})
    assert "This code is not valid" in wrong.get_data(as_text=True)
    db.session.refresh(applicant)
    assert applicant.totp_secret is None
    response = client.post("/account/two-step", headers=EN, data={"code": code(secret)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Keep these recovery codes" in page
    codes = re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", page)
    assert len(codes) == 10 == len(set(codes))
    db.session.refresh(applicant)
    assert applicant.totp_secret == secret
    stored = str(applicant.recovery_codes)
    assert len(applicant.recovery_codes["codes"]) == 10
    assert not any(c in stored or c.replace("-", "") in stored for c in codes)
    # The codes are never shown again.
    page = client.get("/account/two-step", headers=EN).get_data(as_text=True)
    assert "10 unused recovery codes" in page and codes[0] not in page


def test_the_qr_code_is_drawn_here_when_segno_is_installed(client, auth, applicant):
    pytest.importorskip("segno")
    auth.login(applicant)
    page = client.get("/account/two-step").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page


def test_login_asks_for_the_code_after_the_password(client, applicant):
    secret, _codes = turn_on(applicant)
    response = password_step(client, applicant, query="?next=/profile")
    assert response.status_code == 302 and response.location == "/login/code"
    assert not signed_in(client)
    page = client.get("/login/code", headers=EN).get_data(as_text=True)
    assert "authenticator app" in page
    wrong = client.post("/login/code", headers=EN, data={"code": "000000"})
    assert "This code is not valid" in wrong.get_data(as_text=True) and not signed_in(client)
    response = client.post("/login/code", data={"code": code(secret, 1)})
    assert response.status_code == 302 and response.location == "/profile"
    assert signed_in(client)


def test_a_code_works_only_once(web_app, app_context, applicant):
    secret, _codes = turn_on(applicant)
    first, second = web_app.test_client(), web_app.test_client()
    password_step(first, applicant)
    password_step(second, applicant)
    used = code(secret, 1)
    assert first.post("/login/code", data={"code": used}).status_code == 302
    again = second.post("/login/code", headers=EN, data={"code": used})
    assert "This code is not valid" in again.get_data(as_text=True) and not signed_in(second)


def test_a_recovery_code_works_once(client, auth, applicant):
    _secret, codes = turn_on(applicant)
    password_step(client, applicant)
    response = client.post("/login/code", headers=EN, data={"code": codes[3].upper()},
                           follow_redirects=True)
    assert "You used a recovery code; 9 are left." in response.get_data(as_text=True)
    assert signed_in(client)
    db.session.refresh(applicant)
    assert two_factor.recovery_codes_left(applicant) == 9
    auth.logout()
    password_step(client, applicant)
    again = client.post("/login/code", headers=EN, data={"code": codes[3]})
    assert "This code is not valid" in again.get_data(as_text=True) and not signed_in(client)


def test_the_second_step_expires_after_five_minutes(client, applicant):
    secret, _codes = turn_on(applicant)
    password_step(client, applicant)
    with client.session_transaction() as session:
        session[two_factor.PENDING] = {**session[two_factor.PENDING],
                                       "since": time.time() - 301}
    response = client.post("/login/code", data={"code": code(secret, 1)})
    assert response.status_code == 302 and response.location == "/login"
    assert not signed_in(client)


def test_the_second_step_needs_the_password_step(client, applicant):
    turn_on(applicant)
    response = client.get("/login/code")
    assert response.status_code == 302 and response.location == "/login"


def test_five_wrong_codes_send_back_to_the_password(client, applicant):
    secret, _codes = turn_on(applicant)
    password_step(client, applicant)
    for _ in range(4):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 200
    response = client.post("/login/code", data={"code": "000000"})
    assert response.status_code == 302 and response.location == "/login"
    assert client.post("/login/code", data={"code": code(secret, 1)}).location == "/login"
    assert not signed_in(client)


def test_a_wrong_password_never_reaches_the_second_step(client, applicant):
    turn_on(applicant)
    response = client.post("/login", headers=EN, data={"email": applicant.email,
                                                       "password": "not the password"})
    assert response.status_code == 200 and "wrong" in response.get_data(as_text=True)
    assert client.get("/login/code").location == "/login"


@pytest.fixture
def _limiter_back_to_the_test_config(web_app):
    yield
    from portal.extensions import limiter
    limiter.init_app(web_app)


def test_code_attempts_are_throttled(tmp_path, database_url, app, app_context, applicant,
                                     _limiter_back_to_the_test_config):
    limited = make_test_app(tmp_path, database_url, RATELIMIT_ENABLED=True,
                            RATELIMIT_STORAGE_URI="memory://", LOGIN_LIMIT_PER_IP="100 per minute",
                            LOGIN_LIMIT_PER_ACCOUNT="3 per minute")
    secret, _codes = turn_on(applicant)
    client = limited.test_client()
    password_step(client, applicant)
    statuses = [client.post("/login/code", data={"code": "000000"}).status_code
                for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # The limit follows the account, not the browser.
    other = limited.test_client()
    password_step(other, applicant)
    assert other.post("/login/code", data={"code": code(secret, 1)}).status_code == 429


def test_turning_it_off_needs_the_password_and_a_code(client, auth, applicant):
    auth.login(applicant)
    secret, _codes = turn_on(applicant)
    wrong_password = client.post("/account/two-step/disable", headers=EN, data={
        "password": "not my password", "code": code(secret, 1)})
    assert wrong_password.status_code == 422
    assert "The password is wrong." in wrong_password.get_data(as_text=True)
    wrong_code = client.post("/account/two-step/disable", headers=EN, data={
        "password": PASSWORD, "code": "123456"})
    assert wrong_code.status_code == 422
    db.session.refresh(applicant)
    assert two_factor.is_enabled(applicant)
    response = client.post("/account/two-step/disable", data={
        "password": PASSWORD, "code": code(secret, 1)})
    assert response.status_code == 302 and response.location == "/account"
    db.session.refresh(applicant)
    assert applicant.totp_secret is None and applicant.recovery_codes is None
    auth.logout()
    assert password_step(client, applicant).location == "/"


@pytest.fixture
def required(app_context):
    db.session.add(SiteSettings(id=1, version=1, organizers_require_two_factor=True))
    db.session.commit()


def test_organizers_must_set_it_up_when_the_site_requires_it(client, auth, organizer,
                                                            applicant, required):
    response = password_step(client, organizer)
    assert response.status_code == 302 and response.location == "/account/two-step"
    for url in ("/admin/", "/admin/settings", "/judge"):
        response = client.get(url)
        assert response.status_code == 302 and response.location == "/account/two-step", url
    assert client.post("/admin/settings", data={}).location == "/account/two-step"
    page = client.get("/account/two-step", headers=EN).get_data(as_text=True)
    assert "Organizers of this site must use two-step login" in page
    secret = re.search(r'user-select-all">([A-Z2-7]{32})<', page).group(1)
    assert client.post("/account/two-step", data={"code": code(secret)}).status_code == 200
    assert client.get("/admin/").status_code == 200
    # The next login asks for the code, then opens the console.
    auth.logout()
    assert password_step(client, organizer).location == "/login/code"
    assert client.post("/login/code", data={"code": code(secret, 1)}).location == "/admin/"
    # Applicants are not concerned.
    auth.login(applicant)
    assert signed_in(client)


def test_without_the_requirement_organizers_may_skip_it(client, organizer):
    assert password_step(client, organizer).location == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_erasing_the_account_forgets_the_secret(client, applicant):
    from portal.privacy.personal_data import erase_account
    turn_on(applicant)
    erase_account(applicant)
    db.session.commit()
    assert applicant.totp_secret is None and applicant.recovery_codes is None


def test_login_through_the_auth_helper_still_works_without_two_step(client, applicant):
    Auth(client).login(applicant)
    assert signed_in(client)


def login_with_csrf(client, user, secret=None, steps=1):
    """Log in through the real forms of an app with CSRF on, reading each form's token."""
    def token(url, prefix=""):
        page = client.get(url).get_data(as_text=True)
        return re.search(rf'name="{prefix}csrf_token" type="hidden" value="([^"]+)"',
                         page).group(1)
    response = client.post("/login", data={"csrf_token": token("/login"), "email": user.email,
                                           "password": PASSWORD})
    if secret is not None:
        response = client.post("/login/code", data={"csrf_token": token("/login/code"),
                                                    "code": code(secret, steps)})
    assert response.status_code == 302 and "/login" not in response.location
    return token


def new_codes(client, password=PASSWORD, one_time=None, **extra):
    return client.post("/account/two-step/recovery-codes", headers=EN, data={
        "codes-password": password, "codes-code": one_time, **extra})


def shown_codes(response):
    return re.findall(r"<li>([a-z2-9]{5}-[a-z2-9]{5})</li>", response.get_data(as_text=True))


def test_new_recovery_codes_replace_the_old_ones(client, auth, applicant):
    from portal.models import AuditEvent
    auth.login(applicant)
    secret, old = turn_on(applicant)
    page = client.get("/account/two-step", headers=EN).get_data(as_text=True)
    assert "Replace my recovery codes" in page and 'id="codes-password"' in page
    assert 'for="codes-code"' in page and 'id="password"' in page  # the turn-off form's own
    wrong_password = new_codes(client, "not my password", code(secret, 1))
    assert wrong_password.status_code == 422
    assert "The password is wrong." in wrong_password.get_data(as_text=True)
    wrong_code = new_codes(client, one_time="123456")
    assert wrong_code.status_code == 422
    assert "This code is not valid." in wrong_code.get_data(as_text=True)
    db.session.refresh(applicant)
    stored = list(applicant.recovery_codes["codes"])
    response = new_codes(client, one_time=code(secret, 1))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Your new recovery codes" in page and "earlier recovery codes no longer work" in page
    fresh = shown_codes(response)
    assert len(fresh) == 10 == len(set(fresh)) and not set(fresh) & set(old)
    db.session.refresh(applicant)
    assert not set(applicant.recovery_codes["codes"]) & set(stored)
    assert applicant.totp_secret == secret  # the authenticator app keeps working
    (event,) = db.session.scalars(db.select(AuditEvent).filter_by(
        action="two_factor.recovery_codes_replaced")).all()
    assert event.actor_id == event.target_id == applicant.id
    assert event.detail == {"proved_with": "totp", "count": 10}
    assert not any(c in str(event.detail) or c.replace("-", "") in str(event.detail)
                   for c in fresh + old)
    # An old code no longer opens the account; a new one does.
    auth.logout()
    password_step(client, applicant)
    refused = client.post("/login/code", headers=EN, data={"code": old[0]})
    assert "This code is not valid" in refused.get_data(as_text=True) and not signed_in(client)
    assert client.post("/login/code", data={"code": fresh[0]}).status_code == 302
    assert signed_in(client)


def test_a_recovery_code_can_prove_it_is_you(client, auth, applicant):
    auth.login(applicant)
    _secret, old = turn_on(applicant)
    response = new_codes(client, one_time=old[0])
    assert response.status_code == 200 and len(shown_codes(response)) == 10
    db.session.refresh(applicant)
    assert two_factor.recovery_codes_left(applicant) == 10
    assert not two_factor.use_recovery_code(applicant, old[1])


def test_new_recovery_codes_need_two_step_login_on(client, auth, applicant):
    auth.login(applicant)
    response = new_codes(client, one_time="123456")
    assert response.status_code == 302 and response.location == "/account/two-step"
    assert applicant.recovery_codes is None


def test_new_recovery_codes_need_a_recent_password(client, auth, applicant):
    from portal.accounts.sessions import REAUTHENTICATED
    auth.login(applicant)
    secret, old = turn_on(applicant)
    with client.session_transaction() as session:
        session[REAUTHENTICATED] = time.time() - 3600
    response = new_codes(client, one_time=code(secret, 1))
    assert response.status_code == 302 and response.location.startswith("/account/confirm-password")
    db.session.refresh(applicant)
    assert two_factor.use_recovery_code(applicant, old[0])


def test_the_new_recovery_codes_form_is_csrf_protected(tmp_path, database_url, app, app_context,
                                                       applicant):
    secret, old = turn_on(applicant)
    protected = make_test_app(tmp_path, database_url, WTF_CSRF_ENABLED=True).test_client()
    token = login_with_csrf(protected, applicant, secret)
    assert token("/account/two-step", prefix="codes-")
    response = protected.post("/account/two-step/recovery-codes", data={
        "codes-password": PASSWORD, "codes-code": code(secret, 2)})
    assert response.status_code == 400
    db.session.refresh(applicant)
    assert two_factor.use_recovery_code(applicant, old[0])


def test_code_guesses_to_change_two_step_login_are_throttled(
        tmp_path, database_url, app, app_context, applicant, _limiter_back_to_the_test_config):
    limited = make_test_app(tmp_path, database_url, RATELIMIT_ENABLED=True,
                            RATELIMIT_STORAGE_URI="memory://", LOGIN_LIMIT_PER_IP="100 per minute",
                            LOGIN_LIMIT_PER_ACCOUNT="3 per minute")
    secret, _codes = turn_on(applicant)
    client = limited.test_client()
    Auth(client).login(applicant)
    client.post("/login/code", data={"code": code(secret, 1)})
    wrong = {"password": PASSWORD, "code": "000000"}
    statuses = [client.post("/account/two-step/disable", data=wrong).status_code,
                new_codes(client, one_time="000000").status_code,
                client.post("/account/two-step/disable", data=wrong).status_code]
    # One counter for both forms: switching form gives no more guesses.
    assert statuses == [422, 422, 422]
    assert new_codes(client, one_time=code(secret, 2)).status_code == 429
    assert client.post("/account/two-step/disable", data=wrong).status_code == 429


def test_each_change_of_two_step_login_is_told_by_email(client, auth, applicant, outbox):
    applicant.locale = "en"   # the notices come in the account's language
    db.session.commit()
    auth.login(applicant)
    secret = re.search(r'user-select-all">([A-Z2-7]{32})<',
                       client.get("/account/two-step").get_data(as_text=True)).group(1)
    assert client.post("/account/two-step", data={"code": code(secret)}).status_code == 200
    replaced = new_codes(client, one_time=code(secret, 1))
    assert replaced.status_code == 200
    assert client.post("/account/two-step/disable", data={
        "password": PASSWORD, "code": shown_codes(replaced)[0]}).status_code == 302
    from portal.models import AuditEvent
    assert db.session.scalars(db.select(AuditEvent.action).filter(
        AuditEvent.action.like("two_factor.%")).order_by(AuditEvent.id)).all() == [
        "two_factor.enabled", "two_factor.recovery_codes_replaced", "two_factor.disabled"]
    notices = [email_text(message) for message in outbox()
               if message["Subject"] == "A change to how you log in"]
    assert len(notices) == 3
    assert "turned on" in notices[0] and "recovery codes" in notices[1]
    assert "turned off" in notices[2]
    assert not any(secret in text for text in notices)
