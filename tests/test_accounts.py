"""Registration, login, logout and the applicant profile."""
import pytest

from portal.extensions import db
from portal.models import User
from tests.factories import PASSWORD, count_calls, email_text, link_in, make_user, \
    without_csrf_tokens

EN = {"Accept-Language": "en"}


def register(client, **overrides):
    data = {"email": "new@example.org", "display_name": "李四", "password": PASSWORD,
            "confirm": PASSWORD, "consent": "y", **overrides}
    return client.post("/register", data=data, headers=EN)


def anonymized(page, email):
    return without_csrf_tokens(page.replace(email, "X"))


def test_register_then_confirm_the_email(client, auth, contest, outbox):
    response = register(client, email="New.Person@Example.ORG")
    assert response.status_code == 200 and "Check your email" in response.get_data(True)
    user = db.session.scalar(db.select(User).filter_by(email="new.person@example.org"))
    assert user is not None and not user.is_organizer and not user.email_confirmed
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    assert user.consent_version == "2026-11" and user.consent_at is not None
    (message,) = outbox()
    assert message["To"] == "new.person@example.org"
    assert message.get_body(preferencelist=("plain",)) is not None
    assert message.get_body(preferencelist=("html",)) is not None
    auth.login(user)
    assert client.get("/profile").status_code == 200  # an unconfirmed account may log in
    response = client.get(link_in(message, "/confirm/"))
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed


def test_the_confirmation_email_is_in_the_registrants_language(client, outbox):
    register(client)
    assert "Confirm your email address" in outbox()[0]["Subject"]
    client.post("/register", data={"email": "zh@example.org", "display_name": "王", "consent": "y",
                                   "password": PASSWORD, "confirm": PASSWORD})
    assert "确认" in outbox()[1]["Subject"]


def test_registering_needs_consent_to_the_privacy_notice(client):
    response = register(client, consent="")
    assert "privacy notice" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_a_bad_confirmation_link_is_refused(client, applicant):
    response = client.get("/confirm/not-a-token", headers=EN, follow_redirects=True)
    assert "invalid or has expired" in response.get_data(as_text=True)


def test_the_confirmation_email_can_be_sent_again(client, auth, outbox):
    user = make_user("late@example.org")
    user.email_confirmed_at = None
    db.session.commit()
    auth.login(user)
    client.post("/confirm")
    (message,) = outbox()
    client.get(link_in(message, "/confirm/"))
    db.session.refresh(user)
    assert user.email_confirmed


@pytest.mark.parametrize("overrides, message", [
    ({"email": "not-an-email"}, "Enter a valid email address."),
    ({"password": "short", "confirm": "short"}, "between 12 and 128"),
    ({"confirm": "something else entirely"}, "The passwords do not match."),
    ({"display_name": ""}, "Please fill in “Your name”."),
])
def test_bad_registrations_are_explained_and_keep_the_input(client, overrides, message):
    response = register(client, **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert 'value="李四"' in page or overrides.get("display_name") == ""
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_registering_an_existing_email_reveals_nothing(client, applicant, outbox):
    fresh = register(client, email="fresh@example.org").get_data(as_text=True)
    again = register(client, email=applicant.email.upper()).get_data(as_text=True)
    assert anonymized(again, applicant.email) == anonymized(fresh, "fresh@example.org")
    assert db.session.scalar(db.select(db.func.count(User.id))) == 2
    to_owner = outbox()[-1]
    assert to_owner["To"] == applicant.email and "/reset" in email_text(to_owner)
    assert applicant.check_password(PASSWORD)  # the account was not touched


def test_password_reset_by_emailed_link(client, auth, applicant, outbox):
    page = client.post("/reset", data={"email": applicant.email}, headers=EN).get_data(True)
    unknown = client.post("/reset", data={"email": "nobody@example.org"}, headers=EN)
    assert anonymized(unknown.get_data(True), "nobody@example.org") == \
        anonymized(page, applicant.email)
    (message,) = outbox()  # nothing was sent to the unknown address
    link = link_in(message, "/reset/")
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": "a brand new password", "confirm":
                                       "a brand new password"})
    assert response.status_code == 302
    assert client.post(link, data={"password": "yet another password", "confirm":
                                   "yet another password"}).status_code == 302
    db.session.refresh(applicant)
    assert applicant.check_password("a brand new password")  # the link worked once only
    assert auth.login(applicant, "a brand new password").status_code == 302


def test_a_reset_link_expires_after_an_hour(client, app, applicant, outbox, monkeypatch):
    client.post("/reset", data={"email": applicant.email})
    link = link_in(outbox()[0], "/reset/")
    import itsdangerous.timed
    real_time = itsdangerous.timed.time.time
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: real_time() + 3601)
    response = client.get(link, headers=EN, follow_redirects=True)
    assert "invalid, has expired" in response.get_data(as_text=True)


def test_the_privacy_notice_states_the_retention(client):
    page = client.get("/privacy", headers=EN).get_data(as_text=True)
    assert "3 years after the contest ends" in page
    assert "个人信息保护法" in client.get("/privacy").get_data(as_text=True)


def test_login_and_logout(client, auth, applicant):
    response = auth.login(applicant)
    assert response.status_code == 302
    assert client.get("/my/proposals").status_code == 200
    auth.logout()
    assert client.get("/my/proposals").status_code == 302


@pytest.mark.parametrize("email, password", [
    ("applicant@example.org", "wrong password here"),
    ("nobody@example.org", PASSWORD),
])
def test_a_failed_login_does_not_say_which_part_was_wrong(client, applicant, email, password):
    response = client.post("/login", data={"email": email, "password": password}, headers=EN)
    assert response.status_code == 200
    assert "The email or the password is wrong." in response.get_data(as_text=True)


def test_a_deactivated_account_cannot_log_in(client, auth, applicant):
    applicant.active = False
    db.session.commit()
    auth.login(applicant)
    assert client.get("/my/proposals").status_code == 302


def test_login_redirects_only_to_this_site(client, applicant):
    response = client.post("/login?next=https://evil.example/", data={
        "email": applicant.email, "password": PASSWORD})
    assert response.location == "/"
    client.post("/logout")
    response = client.post("/login?next=/profile", data={
        "email": applicant.email, "password": PASSWORD})
    assert response.location == "/profile"


def test_the_profile_needs_a_chinese_mobile_number(client, auth, contest):
    user = make_user("p@example.org", profile=False)
    auth.login(user)
    data = {"display_name": "王五", "entrant_type_code": "student_club", "organization": "郑大青协",
            "contact_name": "王五", "phone": "12345"}
    response = client.post("/profile", data=data, headers=EN)
    assert "11 digits starting with 1" in response.get_data(as_text=True)
    data["phone"] = "+86 139-1234-5678"
    assert client.post("/profile", data=data).status_code == 302
    db.session.refresh(user)
    assert (user.phone, user.entrant_type_code, user.organization) == (
        "13912345678", "student_club", "郑大青协")


def test_the_profile_offers_the_contests_entrant_types(client, auth, applicant, contest):
    auth.login(applicant)
    page = client.get("/profile", headers=EN).get_data(as_text=True)
    assert "University student club" in page and "Individual" in page
    assert 'for="phone"' in page  # every input has its label


def test_pages_need_a_login(client):
    response = client.get("/profile")
    assert response.status_code == 302 and "/login" in response.location


def _notices(outbox):
    return [message for message in outbox() if "A change to how you log in" in
            message["Subject"]]


def test_changing_or_resetting_the_password_is_told_by_email(client, auth, applicant,
                                                             outbox):
    applicant.locale = "en"   # the notices come in the account's language
    db.session.commit()
    auth.login(applicant)
    response = client.post("/account/password", headers=EN, data={
        "current_password": PASSWORD, "password": "a brand new password",
        "confirm": "a brand new password"})
    assert response.status_code == 302
    (notice,) = _notices(outbox)
    assert notice["To"] == applicant.email
    text = email_text(notice)
    assert "The password of your account was changed." in text and "/reset" in text
    auth.logout()
    client.post("/reset", data={"email": applicant.email}, headers=EN)
    link = link_in(outbox()[-1], "/reset/")
    client.post(link, data={"password": "yet another password",
                            "confirm": "yet another password"})
    assert "was reset with the link" in email_text(_notices(outbox)[-1])


def test_registering_an_existing_email_takes_a_password_hash_too(client, applicant,
                                                                 monkeypatch):
    """The answer's timing must not tell that the account exists: both paths hash once."""
    from portal.models import accounts
    hashed = count_calls(monkeypatch, accounts, "generate_password_hash")
    register(client, email="another@example.org")
    register(client, email=applicant.email)
    assert len(hashed) == 2
