"""The layout's menu and footer are rendered once per variant and process (portal.layout), yet
every page still carries its own request's CSRF token and return address, and shows a saved
setting or a new role at once (issue 26)."""
import re

import pytest
from flask import template_rendered

from portal.extensions import db
from portal.layout import CSRF_SLOT, EXTENSION
from portal.models import JudgeMembership, SiteSettings
from tests.conftest import make_test_app
from tests.factories import PASSWORD, make_user


def _csrf_tokens(page):
    return re.findall(r'name="csrf_token" value="([^"]+)"', page)


def _language_action(page):
    return re.search(r'<form method="post" action="([^"]+)" class="d-flex gap-1"', page).group(1)


@pytest.fixture
def protected(tmp_path, database_url, app_context):
    """An app with CSRF protection on, as in production, and its own kept texts."""
    return make_test_app(tmp_path, database_url, WTF_CSRF_ENABLED=True)


def _login(client, email):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"csrf_token": token, "email": email,
                                           "password": PASSWORD})
    assert response.status_code in (302, 303)


def test_each_session_gets_its_own_token_in_a_menu_kept_once(protected, app_context):
    first, second = (make_user(f"layout{n}@example.org") for n in (1, 2))
    db.session.commit()
    alice, bob = protected.test_client(), protected.test_client()
    _login(alice, first.email)
    _login(bob, second.email)
    rendered = []

    def note(_sender, template=None, **_extra):
        rendered.append(template.name)

    with template_rendered.connected_to(note, protected):
        alice_page = alice.get("/my/proposals").get_data(as_text=True)
        bob_page = bob.get("/my/proposals").get_data(as_text=True)
    # Same variant (language, roles, settings): the menu was rendered once for both.
    assert rendered.count("layout/nav.html") == 1
    assert CSRF_SLOT not in alice_page and "slot&gt;" not in alice_page
    alice_tokens, bob_tokens = set(_csrf_tokens(alice_page)), set(_csrf_tokens(bob_page))
    assert len(alice_tokens) == 1 and len(bob_tokens) == 1 and alice_tokens != bob_tokens
    # Each token is its own session's: Bob's is refused in Alice's session, hers accepted.
    assert alice.post("/logout", data={"csrf_token": bob_tokens.pop()}).status_code == 400
    assert alice.post("/logout", data={"csrf_token": alice_tokens.pop()}).status_code in (302,
                                                                                          303)


def test_the_language_form_returns_to_this_request_s_page(client, auth, applicant):
    auth.login(applicant)
    first = client.get("/my/proposals").get_data(as_text=True)
    second = client.get("/account?tab=1&x=%3Cb%3E").get_data(as_text=True)
    assert _language_action(first) == "/language?next=/my/proposals?"
    action = _language_action(second)
    assert action.startswith("/language?next=/account?") and "tab%3D1" in action \
        and "<b>" not in action


def test_a_saved_setting_and_a_new_role_show_on_the_next_page(client, auth, applicant, contest):
    auth.login(applicant)
    before = client.get("/my/proposals").get_data(as_text=True)
    assert 'href="/judge"' not in before
    settings = db.session.get(SiteSettings, 1) or SiteSettings(id=1)
    settings.site_name_zh = "<csrf-slot> 新的站名"
    settings.footer_text = "页脚 <language-action-slot>"
    db.session.add(settings)
    db.session.add(JudgeMembership(contest_id=contest.id, user_id=applicant.id, active=True))
    db.session.commit()
    after = client.get("/my/proposals").get_data(as_text=True)
    # Typed text that looks like a slot is shown escaped, never filled in.
    assert "&lt;csrf-slot&gt; 新的站名" in after and "页脚 &lt;language-action-slot&gt;" in after
    assert 'href="/judge"' in after


def test_kept_texts_belong_to_their_app(client, auth, applicant, web_app, protected):
    auth.login(applicant)
    client.get("/my/proposals")
    assert web_app.extensions[EXTENSION] and EXTENSION not in protected.extensions
