"""Issue 20 in Chromium, in Chinese on a 375 px phone: a judge lands on their assignments, scores
three long proposals with taps and 「提交并评下一个」 without scrolling through the proposal text
(a bar at the bottom of the screen jumps to the scores), and a refused submission shows its
message in view; each role's menu holds only pages it may open."""
import pytest

from tests.e2e.checks import PHONE, PageChecks
from tests.e2e.seed import OTHER_APPLICANT, PHONE_JUDGE_EMAIL, PHONE_JUDGE_PASSWORD
from tests.e2e.server import ORGANIZER_EMAIL, ORGANIZER_PASSWORD
from tests.e2e.test_journeys import flash, follow

pytestmark = pytest.mark.e2e

IN_VIEW = """(selector) => { const box = document.querySelector(selector).getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight; }"""
# The bottom of the proposal's text (its column but the bar), from the top of the screen: at
# most 0 once the whole text is above the screen.
PROPOSAL_BOTTOM = """(() => { const bar = document.querySelector('.jump-bar');
  return bar.parentElement.getBoundingClientRect().bottom - bar.offsetHeight; })()"""
ACCOUNTS = {"judge": (PHONE_JUDGE_EMAIL, PHONE_JUDGE_PASSWORD),
            "applicant": (OTHER_APPLICANT, "another applicant password"),
            "organizer": (ORGANIZER_EMAIL, ORGANIZER_PASSWORD)}
HOMES = {"judge": "/judge", "applicant": "/my/proposals", "organizer": "/admin/"}
MENUS = {"judge": ["/", "/judge", "/account"], "applicant": ["/", "/my/proposals", "/grants/", "/account"],
         "organizer": ["/", "/admin/", "/account"]}


@pytest.fixture
def judged_portal(portal):
    portal.seed("three-for-a-judge")
    return portal


def log_in(page, portal, role):
    email, password = ACCOUNTS[role]
    page.goto(portal.url("/login"))
    page.fill("#email", email)
    page.fill("#password", password)
    follow(page, page.locator("main form [type=submit]"))


def tap_scores(page, values):
    """Tap a value in each score group, in order (None leaves the group untouched)."""
    groups = page.locator("main fieldset.score-choices")
    assert groups.count() == len(values)
    for index, value in enumerate(values):
        if value is not None:
            groups.nth(index).locator(f"label:text-is('{value}')").click()
            assert groups.nth(index).locator("input:checked").get_attribute("value") == str(value)
        # Tapping never takes the judge back up into the proposal.
        assert page.evaluate(PROPOSAL_BOTTOM) <= 0


def jump_to_scores(page):
    """The bar is on the screen as the proposal opens; one tap brings the scores up, past the
    whole proposal."""
    assert page.evaluate("window.scrollY") == 0
    assert page.evaluate(IN_VIEW, ".jump-bar a")
    page.locator(".jump-bar a").click()
    page.wait_for_function(f"() => {PROPOSAL_BOTTOM} <= 0")
    assert page.evaluate(IN_VIEW, "main fieldset.score-choices")


def test_a_judge_scores_three_proposals_on_a_phone(judged_portal, new_context, browser_log):
    check = PageChecks("zh-CN", phone=True)
    page = new_context("zh-CN", PHONE).new_page()
    log_in(page, judged_portal, "judge")
    assert page.url.endswith("/judge")  # their assignments, not the contest list
    check(page, "judge-home")
    follow(page, page.locator("main a", has_text="下一个待评分项目"))

    for number in range(3):
        follow(page, page.locator("main a[href*='read=1']"))  # past the conflict question
        check(page, f"judge-review-{number}")
        jump_to_scores(page)
        if number == 0:
            # One score missing: the message is on the screen, summarized at the top.
            tap_scores(page, [8, None, 9])
            follow(page, page.locator("main [type=submit][name=submit_review]"))
            assert page.locator("[data-error-summary]").count() == 1
            error = "main .score-choices .invalid-feedback"
            assert "请" in page.locator(error).inner_text()
            assert page.evaluate(IN_VIEW, error)
            assert page.evaluate("document.activeElement.name").startswith("criterion_")
            tap_scores(page, [None, 7, None])
            check(page, "judge-refused")  # last: the check opens the menu, at the top
        else:
            tap_scores(page, [6 + number, 5, 10])
        button = page.locator("main [type=submit][name=submit_next]")
        assert button.get_attribute("value") == "提交并评下一个"
        follow(page, button)
        assert "已提交" in flash(page), flash(page)
    assert page.url.endswith("/judge") and "全部评完" in flash(page), flash(page)
    check(page, "judge-all-scored")
    assert page.locator("main .badge.text-bg-success").count() == 3
    assert not check.problems, check.report()
    assert not browser_log.errors, "\n".join(browser_log.errors)


@pytest.mark.parametrize("role", sorted(MENUS))
def test_each_role_lands_home_and_its_menu_opens_only_its_pages(judged_portal, new_context,
                                                                 role):
    page = new_context("zh-CN", PHONE).new_page()
    log_in(page, judged_portal, role)
    assert page.url.endswith(HOMES[role])
    page.locator("nav .navbar-toggler").click()
    links = page.locator("#main-nav a.nav-link").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))")
    assert links == MENUS[role]
    for link in links:
        response = page.goto(judged_portal.url(link))
        assert response.status == 200 and "/login" not in page.url, link
