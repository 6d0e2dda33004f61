"""Registration, login, logout and the applicant profile."""
import pytest

from portal.extensions import db
from portal.models import User
from tests.factories import PASSWORD, make_user

EN = {"Accept-Language": "en"}


def register(client, **overrides):
    data = {"email": "new@example.org", "display_name": "李四", "password": PASSWORD,
            "confirm": PASSWORD, **overrides}
    return client.post("/register", data=data, headers=EN)


def test_register_creates_an_account_and_signs_in(client, contest):
    response = register(client, email="New.Person@Example.ORG")
    assert response.status_code == 302 and response.location.endswith("/profile")
    user = db.session.scalar(db.select(User).filter_by(email="new.person@example.org"))
    assert user is not None and not user.is_organizer
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash
    assert client.get("/profile").status_code == 200


@pytest.mark.parametrize("overrides, message", [
    ({"email": "not-an-email"}, "Enter a valid email address."),
    ({"password": "short", "confirm": "short"}, "between 12 and 128"),
    ({"confirm": "something else entirely"}, "The passwords do not match."),
    ({"display_name": ""}, "This field is required."),
])
def test_bad_registrations_are_explained_and_keep_the_input(client, overrides, message):
    response = register(client, **overrides)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert 'value="李四"' in page or overrides.get("display_name") == ""
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_registering_an_existing_email_is_refused(client, applicant):
    response = register(client, email=applicant.email.upper())
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


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
