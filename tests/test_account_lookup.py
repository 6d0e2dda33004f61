"""Helping a locked-out user: organizers find an account by its exact email, see what it is,
and reset its two-step login (never their own), which ends its sessions, is audited and is
emailed to its owner."""
import html
import re

import pytest

from portal.accounts import two_factor
from portal.extensions import db
from portal.models import AuditEvent
from tests.conftest import make_test_app
from tests.factories import email_text, link_in, make_judge, make_proposal, make_user
from tests.test_two_factor import code, login_with_csrf, password_step, signed_in, turn_on

EN = {"Accept-Language": "en"}
REASON = "王芳来电，核对了身份证号与申报时的联系电话"


def lookup(client, email):
    return client.get("/admin/accounts", query_string={"email": email}, headers=EN)


def reset(client, user, reason=REASON):
    return client.post(f"/admin/accounts/{user.id}/reset-two-step", headers=EN,
                       data={"reason": reason})


def flashed(client, url="/admin/accounts"):
    return client.get(url, headers=EN).get_data(as_text=True)


def test_the_console_links_to_the_page(client, auth, organizer):
    auth.login(organizer)
    page = client.get("/admin/", headers=EN).get_data(as_text=True)
    assert 'href="/admin/accounts"' in page and "Find an account" in page
    page = client.get("/admin/accounts", headers=EN).get_data(as_text=True)
    assert 'for="email"' in page and "No account has this email" not in page


def test_an_account_is_found_by_its_exact_email(client, auth, organizer, contest):
    applicant = make_user("wang.fang@example.org", name="王芳")
    make_proposal(contest, applicant)
    judge = make_judge(contest, "judge@example.org", name="李评审")
    judge.email_confirmed_at = None
    judge.active = False
    db.session.commit()
    auth.login(organizer)
    page = lookup(client, "WANG.FANG@example.org ").get_data(as_text=True)
    assert "wang.fang@example.org" in page and "王芳" in page
    assert "Applicant (1 proposal)" in page and "Organizer</li>" not in page
    assert "Active (can log in)" in page and "Email confirmed" in page
    assert re.search(r"Two-step login</dt>\s*<dd[^>]*>Off<", page)
    assert "Reset two-step login" not in page  # nothing to reset
    page = lookup(client, "judge@example.org").get_data(as_text=True)
    assert f"Judge of {contest.name_en}" in html.unescape(page) and "Applicant" not in page
    assert "Deactivated (cannot log in)" in page and "Email not confirmed" in page
    page = lookup(client, organizer.email).get_data(as_text=True)
    assert "Organizer</li>" in page and "Applicant" not in page
    for near in ("wang.fang@example", "wang", "fang@example.org"):
        page = lookup(client, near).get_data(as_text=True)
        assert "No account has this email address." in page and "王芳" not in page, near


def test_the_page_shows_whether_two_step_login_is_on(client, auth, organizer, applicant):
    turn_on(applicant)
    auth.login(organizer)
    page = lookup(client, applicant.email).get_data(as_text=True)
    assert re.search(r"Two-step login</dt>\s*<dd[^>]*>On<", page)
    assert "Reset two-step login" in page and 'for="reason"' in page


def test_the_reset_lets_a_locked_out_user_in_with_the_password(web_app, client, auth, organizer,
                                                              applicant, outbox):
    secret, _codes = turn_on(applicant)
    theirs = web_app.test_client()  # the user's own browser, logged in before the reset
    password_step(theirs, applicant)
    theirs.post("/login/code", data={"code": code(secret, 1)})
    assert signed_in(theirs)
    auth.login(organizer)
    response = reset(client, applicant)
    assert response.status_code == 302
    assert response.location == "/admin/accounts?email=applicant@example.org"
    page = client.get(response.location, headers=EN).get_data(as_text=True)
    assert "Two-step login of applicant@example.org is off" in page
    assert re.search(r"Two-step login</dt>\s*<dd[^>]*>Off<", page)
    db.session.refresh(applicant)
    assert applicant.totp_secret is None and applicant.recovery_codes is None
    # Every session of the user has ended.
    assert not signed_in(theirs)
    # The password alone opens the account now.
    assert password_step(theirs, applicant).location == "/my/proposals"   # their home
    assert signed_in(theirs)
    (event,) = db.session.scalars(db.select(AuditEvent).filter_by(
        action="two_factor.reset")).all()
    assert event.actor_id == organizer.id and event.target_id == applicant.id
    assert event.detail == {"email": applicant.email, "reason": REASON}
    (message,) = outbox()
    assert message["To"] == applicant.email
    assert message["Subject"] == "您的两步验证已被重置"  # the user's language: the default
    text = email_text(message)
    assert link_in(message, "/login") == "/login"
    assert link_in(message, "/account/two-step") == "/account/two-step"
    assert REASON not in text


def test_the_reset_needs_a_reason(client, auth, organizer, applicant, outbox):
    turn_on(applicant)
    auth.login(organizer)
    response = reset(client, applicant, reason="  ")
    assert response.location == "/admin/accounts?email=applicant@example.org"
    assert "Give the reason" in flashed(client)
    db.session.refresh(applicant)
    assert two_factor.is_enabled(applicant) and not outbox()
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="two_factor.reset")) is None


def test_organizers_cannot_reset_their_own(client, auth, organizer, outbox):
    secret, _codes = turn_on(organizer)
    password_step(client, organizer)
    client.post("/login/code", data={"code": code(secret, 1)})
    page = lookup(client, organizer.email).get_data(as_text=True)
    assert "This is your own account" in page and 'name="reason"' not in page
    response = reset(client, organizer)
    assert response.status_code == 302
    assert "You cannot reset your own two-step login" in flashed(client)
    db.session.refresh(organizer)
    assert two_factor.is_enabled(organizer) and not outbox()


def test_a_colleague_can_reset_an_organizer(client, auth, organizer, outbox):
    colleague = make_user("colleague@example.org", organizer=True)
    turn_on(colleague)
    auth.login(organizer)
    assert reset(client, colleague).status_code == 302
    db.session.refresh(colleague)
    assert not two_factor.is_enabled(colleague) and len(outbox()) == 1


def test_resetting_an_account_without_two_step_login_is_refused(client, auth, organizer,
                                                               applicant, outbox):
    auth.login(organizer)
    reset(client, applicant)
    assert "Two-step login is already off for this account." in flashed(client)
    assert not outbox()


def test_an_unknown_account_is_not_found(client, auth, organizer):
    auth.login(organizer)
    response = client.post("/admin/accounts/999999/reset-two-step", data={"reason": REASON})
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "applicant", "judge"])
def test_only_organizers_reach_the_page(client, auth, contest, applicant, who):
    victim = make_user("victim@example.org")
    turn_on(victim)
    if who == "applicant":
        auth.login(applicant)
    elif who == "judge":
        auth.login(make_judge(contest))
    for response in (lookup(client, victim.email), reset(client, victim)):
        if who == "anonymous":
            assert response.status_code == 302 and response.location.startswith("/login")
        else:
            assert response.status_code == 403
    db.session.refresh(victim)
    assert two_factor.is_enabled(victim)


def test_the_reset_needs_a_recent_password(client, auth, organizer, applicant):
    import time

    from portal.accounts.sessions import REAUTHENTICATED
    turn_on(applicant)
    auth.login(organizer)
    with client.session_transaction() as session:
        session[REAUTHENTICATED] = time.time() - 3600
    response = reset(client, applicant)
    assert response.location.startswith("/account/confirm-password")
    db.session.refresh(applicant)
    assert two_factor.is_enabled(applicant)


def test_the_reset_is_csrf_protected(tmp_path, database_url, app, app_context, organizer,
                                     applicant, outbox):
    turn_on(applicant)
    protected = make_test_app(tmp_path, database_url, WTF_CSRF_ENABLED=True).test_client()
    token = login_with_csrf(protected, organizer)
    assert token(f"/admin/accounts?email={applicant.email}")  # the reset form carries one
    response = protected.post(f"/admin/accounts/{applicant.id}/reset-two-step",
                              data={"reason": REASON})
    assert response.status_code == 400
    db.session.refresh(applicant)
    assert two_factor.is_enabled(applicant) and not outbox()

