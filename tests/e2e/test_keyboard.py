"""With the keyboard alone: Tab reaches every field of the login form and of the proposal form
(each section opened from its navigator), in order, then the submit button, and Enter sends the
form. Errors are tied to their fields so
that screen readers announce them. (Scoring with the keyboard is part of the English journey.)"""
import re

import pytest

from tests.e2e.checks import DESKTOP, PageChecks
from tests.e2e.server import CONTEST_SLUG

pytestmark = pytest.mark.e2e

EMAIL = "keyboard@lvcheng-e2e.example.org"
PASSWORD = "only the keyboard 2014"

# The fields a person fills in, in the order of the page (hidden inputs excluded).
FIELDS = """(selector) => Array.from(document.querySelector(selector).elements)
  .filter(el => el.type !== 'hidden' && el.tagName !== 'FIELDSET' && !el.disabled
          && (el.offsetWidth || el.offsetHeight || el.getClientRects().length))
  .map(el => el.id || el.name)"""


def tab_through(page, form_selector, limit=200):
    """Press Tab from the top of the page until the focus leaves the form after entering it;
    returns the form controls focused, in order."""
    reached = []
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""(selector) => { const el = document.activeElement;
            return {key: el.id || el.name || el.tagName,
                    inForm: !!el.closest(selector) && el !== document.querySelector(selector)}; }""",
                                form_selector)
        if focused["inForm"]:
            if not reached or reached[-1] != focused["key"]:
                reached.append(focused["key"])
        elif reached:
            return reached
    return reached


@pytest.fixture(scope="module")
def keyboard_user(shared_portal):
    shared_portal.flask("create-user", "--email", EMAIL, "--password", PASSWORD,
                        "--name", "键盘用户")
    return EMAIL


@pytest.fixture
def keyboard_page(keyboard_user, new_context):
    return new_context("zh-CN", DESKTOP).new_page()


def log_in_with_keyboard(page, portal):
    page.goto(portal.url("/login"))
    form = "main form"
    expected = page.evaluate(FIELDS, form)
    assert expected == ["email", "password", "remember", "submit"]
    assert tab_through(page, form) == expected

    page.locator("#email").focus()
    page.keyboard.type(EMAIL)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # tick "keep me signed in"
    assert page.locator("#remember").is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/login" not in page.url


def test_the_login_and_proposal_forms_with_the_keyboard_alone(shared_portal, keyboard_page,
                                                              browser_log):
    page, portal = keyboard_page, shared_portal
    log_in_with_keyboard(page, portal)

    page.goto(portal.url(f"/contests/{CONTEST_SLUG}/proposals/new"))
    form = "main form[method=post]"
    expected = page.evaluate(FIELDS, form)
    # The first section's fields, the way to the next section, then the button.
    assert expected == ["title", "theme_id", "summary", "next-after-project", "submit"]
    assert tab_through(page, form) == expected
    # Every other section opens from the navigator with Enter; the focus moves into it, and
    # every field of the form is reached, the budget lines and the consent included.
    reached = set(expected)
    for anchor in ("need", "plan", "results", "applicant", "attachments"):
        page.locator(f".section-nav a[href='#section-{anchor}']").focus()
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == f"heading-{anchor}"
        reached.update(page.evaluate(FIELDS, form))
    assert {"budget_lines-0-amount", "publish_consent", "profile_entrant_type",
            "contact_phone"} <= reached
    page.locator(".section-nav a[href='#section-project']").focus()
    page.keyboard.press("Enter")

    page.locator("#title").focus()
    page.keyboard.type("键盘填写的项目")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # the first theme
    assert page.locator("#theme_id").input_value() != "0"
    page.locator("#submit").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/proposals/\d+$", page.url)
    assert "键盘填写的项目" in page.locator("main h1").inner_text()
    assert not browser_log.errors, browser_log.errors


def test_form_errors_are_announced_with_their_fields(shared_portal, new_context, browser_log):
    page = new_context("zh-CN", DESKTOP).new_page()
    page.goto(shared_portal.url("/register"))
    page.fill("#email", "not an address")
    page.fill("#password", "short")
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state("load")
    for field in ("email", "password", "display_name", "consent"):
        control = page.locator(f"#{field}")
        assert control.get_attribute("aria-invalid") == "true", field
        described = control.get_attribute("aria-describedby").split()
        errors = [page.locator(f"#{target}") for target in described if target.endswith("-error")]
        assert errors and errors[0].is_visible() and errors[0].inner_text().strip(), field
    checks = PageChecks("zh-CN", phone=False)
    checks(page, "register-errors")
    assert not checks.problems, checks.report()
    assert not browser_log.errors, browser_log.errors
