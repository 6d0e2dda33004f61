"""The password rule: 12 to 128 characters of any kind, no composition rules, and none of the
10,000 most common passwords, wherever a password is chosen (register, reset, change,
invitation, the create-user command)."""
import pytest

from portal.accounts.passwords import common_passwords, is_common, password_problem
from portal.extensions import db
from portal.judging.services import invite_judge
from portal.models import User
from tests.factories import PASSWORD, link_in, make_contest, make_user

EN = {"Accept-Language": "en"}
COMMON = "Qwerty123456"   # "qwerty123456" is on the list
COMMON_MESSAGE = "one of the most common passwords"


def test_the_list_holds_the_top_10000_in_lower_case():
    passwords = common_passwords()
    assert len(passwords) == 10_000
    assert {"123456", "password", "qwerty123456", "1qaz2wsx3edc"} <= passwords
    assert all(entry == entry.casefold() for entry in passwords)


@pytest.mark.parametrize("password, accepted", [
    ("x" * 11, False),
    ("x" * 12, True),
    ("x" * 128, True),
    ("x" * 129, False),
    ("慈善项目创投大赛我的密码口令", True),          # any Unicode, 14 characters
    ("all lower case words here", True),       # no composition rules
    ("correct horse battery staple", True),
    ("qwerty123456", False),
    ("QWERTY123456", False),                   # case-insensitive
    (" 1qaz2wsx3edc ", False),
])
def test_the_rule(password, accepted):
    assert (password_problem(password) is None) is accepted


def test_is_common_ignores_case():
    assert is_common("PassWord1234") and not is_common("a very personal sentence")


def register(client, password):
    return client.post("/register", headers=EN, data={
        "email": "new@example.org", "display_name": "李四", "password": password,
        "confirm": password, "consent": "y"})


@pytest.mark.parametrize("password, message", [
    (COMMON, COMMON_MESSAGE),
    ("short pass", "between 12 and 128 characters"),
    ("长" * 129, "between 12 and 128 characters"),
])
def test_registration_refuses_weak_passwords(client, app_context, password, message):
    response = register(client, password)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_registration_takes_a_long_unicode_password(client, app_context):
    response = register(client, "我们的公益项目一定会成功")
    assert "Check your email" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User)).check_password("我们的公益项目一定会成功")


def test_changing_the_password_refuses_a_common_one(client, auth, applicant):
    auth.login(applicant)
    response = client.post("/account/password", headers=EN, data={
        "current_password": PASSWORD, "password": COMMON, "confirm": COMMON})
    assert COMMON_MESSAGE in response.get_data(as_text=True)
    db.session.refresh(applicant)
    assert applicant.check_password(PASSWORD)


def test_resetting_the_password_refuses_a_common_one(client, applicant, outbox):
    client.post("/reset", data={"email": applicant.email})
    link = link_in(outbox()[-1], "/reset/")
    response = client.post(link, headers=EN, data={"password": COMMON, "confirm": COMMON})
    assert COMMON_MESSAGE in response.get_data(as_text=True)
    db.session.refresh(applicant)
    assert applicant.check_password(PASSWORD)


def test_accepting_an_invitation_refuses_a_common_password(client, app_context):
    contest = make_contest()
    _invitation, token = invite_judge(None, contest, "new.judge@example.org")
    db.session.commit()
    response = client.post(f"/invitations/{token}", headers=EN, data={
        "display_name": "评委", "password": COMMON, "confirm": COMMON})
    assert COMMON_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User).filter_by(email="new.judge@example.org")) is None


@pytest.fixture
def invoke(runner, app_context):
    def run(*args, **kwargs):
        result = runner.invoke(args=list(args), **kwargs)
        db.session.rollback()
        return result
    return run


def test_create_user_refuses_a_common_password(invoke):
    result = invoke("create-user", "--email", "a@example.org", "--password", COMMON)
    assert result.exit_code != 0 and "common passwords" in result.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_an_existing_weak_password_still_logs_in(client, app_context):
    """The rule applies when a password is chosen: older accounts are not locked out."""
    user = make_user("old@example.org")
    user.set_password("password", "scrypt:1024:8:1")
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": "password"})
    assert response.status_code == 302


def test_hashing_a_password_leaves_the_transaction_alone(app_context, applicant):
    """The model hashes and compares; ending a transaction (for SQLite's write lock) is the
    services' business, never a model method's."""
    db.session.commit()
    db.session.scalar(db.select(User.id))
    transaction = db.session().get_transaction()
    applicant.set_password("another long password", "scrypt:1024:8:1")
    assert applicant.check_password("another long password")
    assert transaction is not None and db.session().get_transaction() is transaction
