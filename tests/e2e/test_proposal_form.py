"""The proposal form on a phone, in Chinese at 375 px: a session lost mid-form loses nothing,
budget lines are added and totalled without a save, and without JavaScript a save still works."""
import re

import pytest

from tests.e2e.checks import PHONE, PageChecks
from tests.e2e.seed import OTHER_APPLICANT
from tests.e2e.server import CONTEST_SLUG
from tests.e2e.test_journeys import follow

pytestmark = pytest.mark.e2e

PASSWORD = "another applicant password"   # the seeded applicant's (tests/e2e/seed.py)
KEPT_COPIES = "() => Object.keys(localStorage).filter(key => key.startsWith('portal-draft:'))"
NEED = "二七区有 300 余位视障人士，很少有人能独自乘坐公交；" * 40   # a long section, typed on a phone


@pytest.fixture
def phone(shared_portal, new_context):
    context = new_context("zh-CN", PHONE)
    return context, context.new_page()


def log_in(portal, page, path=None):
    page.goto(portal.url("/login" + (f"?next={path}" if path else "")))
    page.fill("#email", OTHER_APPLICANT)
    page.fill("#password", PASSWORD)
    follow(page, page.locator("main form [type=submit]"))


def start_a_draft(portal, page, title):
    page.goto(portal.url(f"/contests/{CONTEST_SLUG}/proposals/new"))
    page.fill("#title", title)
    page.select_option("#theme_id", index=2)
    page.wait_for_url(re.compile(r"/proposals/\d+/edit$"))   # autosaved: the draft exists
    return page.url.split(str(portal.port), 1)[1]


def test_a_session_lost_mid_form_loses_nothing(shared_portal, phone, browser_log):
    context, page = phone
    check = PageChecks("zh-CN", True, None)
    log_in(shared_portal, page)
    edit_path = start_a_draft(shared_portal, page, "视障人士公交出行培训")
    page.locator(".section-nav a[href='#section-need']").click()
    context.clear_cookies()   # WeChat dropped the page's cookie while the applicant switched chats
    page.fill("#need", NEED)
    status = page.locator("#autosave-status")
    status.locator("a").wait_for()   # the autosave was refused: "log in again"
    assert "没有保存" in status.inner_text()

    with page.expect_navigation() as navigation:   # Save anyway: the form comes back as typed
        page.locator("#proposal-form [name=submit]").click()
    assert navigation.value.status == 401
    check(page, "rescued-form")
    assert page.locator("#rescue-note").is_visible()
    page.locator(".section-nav a[href='#section-need']").click()
    assert page.input_value("#need") == NEED
    follow(page, page.locator("#rescue-note [data-keep-draft]"))
    assert "/login" in page.url
    page.fill("#email", OTHER_APPLICANT)
    page.fill("#password", PASSWORD)
    follow(page, page.locator("main form [type=submit]"))

    assert page.url.endswith(edit_path)   # back to the form, which offers the text back
    offer = page.locator("#draft-offer")
    assert offer.is_visible()
    check(page, "draft-offer")
    offer.locator("[data-restore-draft]").click()
    page.locator(".section-nav a[href='#section-need']").click()
    assert page.input_value("#need") == NEED
    follow(page, page.locator("#proposal-form [name=submit]"))
    assert NEED[:40] in page.locator("main").inner_text()

    page.goto(shared_portal.url(edit_path))   # saved: nothing more to offer
    assert not page.locator("#draft-offer").is_visible()
    page.locator(".section-nav a[href='#section-need']").click()
    page.fill("#need", "退出登录前输入的内容")
    assert page.evaluate(KEPT_COPIES)
    with page.expect_navigation():   # logging out forgets every copy kept on this device
        page.locator("form[action$='/logout']").evaluate("form => form.requestSubmit()")
    assert page.evaluate(KEPT_COPIES) == []
    assert not check.problems, check.report()
    assert not browser_log.errors or all("401" in error for error in browser_log.errors), \
        browser_log.errors


def test_budget_lines_are_added_and_totalled_without_a_save(shared_portal, phone, browser_log):
    _context, page = phone
    log_in(shared_portal, page)
    start_a_draft(shared_portal, page, "盲文图书角")
    saves = []
    page.on("request", lambda request: request.method == "POST" and "/edit" in request.url
            and saves.append(request.url))
    page.locator(".section-nav a[href='#section-plan']").click()
    total = page.locator("#budget-total")
    page.fill("#budget_lines-0-item", "盲文图书")
    page.fill("#budget_lines-0-amount", "12000")
    assert total.inner_text() == "12,000.00"
    lines = page.locator("[data-budget-line]")
    assert lines.count() == 3
    for number in range(3):
        page.locator("[data-add-line]").click()
    assert lines.count() == 6
    page.fill("#budget_lines-5-item", "书架")
    page.fill("#budget_lines-5-amount", "2500.50")
    assert total.inner_text() == "14,500.50"
    lines.nth(0).locator("[data-remove-line]").click()
    assert total.inner_text() == "2,500.50" and lines.count() == 5
    assert not saves   # no save was needed for any of it
    PageChecks("zh-CN", True, None)(page, "budget")
    assert not browser_log.errors, browser_log.errors


def test_without_javascript_a_save_still_works(portal, new_context):
    page = new_context("zh-CN", PHONE, java_script_enabled=False).new_page()
    log_in(portal, page)
    page.goto(portal.url(f"/contests/{CONTEST_SLUG}/proposals/new"))
    assert page.locator("[data-add-line]").is_hidden()
    page.fill("#title", "无障碍地图")
    page.select_option("#theme_id", index=2)
    for number, (item, amount) in enumerate([("调研", "3000"), ("制图", "5000"), ("印刷", "2000")]):
        page.fill(f"#budget_lines-{number}-item", item)
        page.fill(f"#budget_lines-{number}-amount", amount)
    follow(page, page.locator("#proposal-form [name=submit]"))
    assert re.search(r"/proposals/\d+$", page.url)
    assert "10,000.00" in page.locator("main").inner_text()
    follow(page, page.locator("main a[href$='/edit']").first)
    assert page.locator("[data-budget-line]").count() == 6   # three more blank lines
