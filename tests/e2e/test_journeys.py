"""A whole contest in Chromium, as its people live it: an applicant submits, an organizer screens
and invites a judge, the judge recuses from one proposal and scores another, the organizer closes
the round, allocates, publishes and finalizes, a visitor reads the results and the applicant
downloads their data. In Chinese and in English, on a laptop and on a phone.

Every page is scanned with axe-core, and on a phone checked for sideways scrolling, a working
menu and visible submit buttons; no request may leave localhost and no console error may occur.
"""
import re
import zipfile

import pytest

from tests.e2e.checks import DESKTOP, PHONE, PageChecks, printed, save_first_sheet
from tests.e2e.server import CONTEST_SLUG, ORGANIZER_EMAIL, ORGANIZER_PASSWORD

pytestmark = pytest.mark.e2e

APPLICANT_EMAIL = "xiaoli@lvcheng-e2e.example.org"
APPLICANT_PASSWORD = "green city social work 2014"
APPLICANT_NAME = "李晓"
JUDGE_EMAIL = "prof.wang@judges-e2e.example.com"
JUDGE_PASSWORD = "judge password 2014"
PROPOSAL_TITLE = "社区空巢老人“时间银行”互助计划"
OTHER_TITLE = "视障人士智能出行陪伴计划"  # seeded by tests/e2e/seed.py
REFERENCE = re.compile(r"ZZCF-2014-\d{4}")

# A small but well-formed PDF (the portal checks the content, not only the name).
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")

JOURNEYS = [
    pytest.param("zh_CN", DESKTOP, id="zh_CN-desktop"),
    pytest.param("zh_CN", PHONE, id="zh_CN-phone"),
    pytest.param("en", DESKTOP, id="en-desktop"),
    pytest.param("en", PHONE, id="en-phone"),
]
BROWSER_LOCALES = {"zh_CN": "zh-CN", "en": "en-US"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}
# A few words each language must show, so that a page silently falling back is noticed.
WORDS = {"zh_CN": {"menu": "大赛", "receipt": "编号", "eligible": "通过形式审查",
                   "awarded": "获奖"},
         "en": {"menu": "Contests", "receipt": "reference number", "eligible": "Eligible",
                "awarded": "Awarded"}}


def submit_in(page, form_selector, name=None):
    """Click the submit button of the form matching `form_selector` (the `name`d one if given)."""
    form = page.locator(form_selector)
    follow(page, form.locator(f"[type=submit][name={name}]" if name else "[type=submit]").first)


def follow(page, control):
    """Click a link or a submit button and wait for the page it leads to."""
    with page.expect_navigation(wait_until="load") as navigation:
        control.click()
    response = navigation.value
    assert response is None or response.status < 400, f"{response.status} from {response.url}"


def post_button(page, action_suffix):
    """Click a POST button (a small form whose action ends with `action_suffix`)."""
    follow(page, page.locator(f"main form[action$='{action_suffix}'] [type=submit]").first)


def flash(page):
    return " ".join(page.locator("main .alert").all_inner_texts())


class Journey:
    """One contest's story in one language and on one screen size."""

    def __init__(self, portal, new_context, locale, viewport, tmp_path, screenshots):
        self.portal = portal
        self.locale = locale
        self.phone = viewport == PHONE
        keep = screenshots if locale == "zh_CN" else None  # the guides are in Chinese
        self.check = PageChecks(HTML_LANG[locale], self.phone, keep)
        self.shot_prefix = "phone-" if self.phone else ""
        self.tmp_path = tmp_path
        self.pages = {}
        for role in ("applicant", "organizer", "judge", "visitor"):
            context = new_context(BROWSER_LOCALES[locale], viewport)
            self.pages[role] = context.new_page()

    def visit(self, role, path, name, **shot):
        page = self.pages[role]
        response = page.goto(self.portal.url(path))
        assert response.status < 400, f"{response.status} from {path}"
        self.checked(role, name, **shot)
        return page

    def checked(self, role, name, screenshot=False, full_page=False):
        self.check(self.pages[role], f"{self.shot_prefix}{role}-{name}",
                   screenshot=screenshot and (not self.phone or name in PHONE_SHOTS),
                   full_page=full_page)

    def print_for_the_guide(self, role, name):
        """The page as printed to PDF, its first sheet kept as a PNG for the organizers' guide
        (Chinese, on a laptop, when screenshots are asked for)."""
        if self.check.screenshots is not None and not self.phone:
            save_first_sheet(printed(self.pages[role]), self.check.screenshots / f"{name}.png")

    def login(self, role, email, password):
        page = self.visit(role, "/login", "login")
        page.fill("#email", email)
        page.fill("#password", password)
        submit_in(page, "main form")
        assert "/login" not in page.url, flash(page)

    # -- the applicant -----------------------------------------------------------------------
    def applicant_registers_and_confirms(self):
        page = self.visit("applicant", "/", "home")
        assert WORDS[self.locale]["menu"] in page.locator("nav").first.text_content()
        self.visit("applicant", f"/contests/{CONTEST_SLUG}", "contest", screenshot=True)
        self.visit("applicant", "/register", "register", screenshot=True)
        page.fill("#email", APPLICANT_EMAIL)
        page.fill("#display_name", APPLICANT_NAME)
        page.fill("#password", APPLICANT_PASSWORD)
        page.fill("#confirm", APPLICANT_PASSWORD)
        page.check("#consent")
        submit_in(page, "main form")
        self.checked("applicant", "check-email")
        assert APPLICANT_EMAIL in page.locator("main").inner_text()

        confirm = self.portal.link_in_latest(APPLICANT_EMAIL, "/confirm/")
        page.goto(self.portal.url(confirm))
        self.checked("applicant", "confirmed")
        assert "/login" in page.url
        page.fill("#email", APPLICANT_EMAIL)
        page.fill("#password", APPLICANT_PASSWORD)
        submit_in(page, "main form")
        assert "/login" not in page.url, flash(page)

    def applicant_writes_and_submits(self):
        """From the contest page to the receipt in one form: the profile facts are asked there
        (never on a page of their own), nothing is typed twice, the draft saves itself, budget
        lines are added in place and the plan is attached before the first save."""
        page = self.pages["applicant"]
        visited = []
        page.on("framenavigated", lambda frame: frame == page.main_frame and visited.append(frame.url))
        page = self.visit("applicant", f"/contests/{CONTEST_SLUG}", "contest-signed-in")
        follow(page, page.locator(f"main a[href$='/contests/{CONTEST_SLUG}/proposals/new']").first)
        self.checked("applicant", "new-proposal", screenshot=True)
        typed = []

        def type_in(selector, value):
            typed.append(value)
            page.fill(selector, value)

        # The name given at registration is already the contact person; the email too.
        assert page.input_value("#contact_name") == APPLICANT_NAME
        assert page.input_value("#contact_email") == APPLICANT_EMAIL
        type_in("#title", PROPOSAL_TITLE)
        page.select_option("#theme_id", index=1)  # 安老 / Elderly care
        type_in("#summary", "组织低龄老人和大学生志愿者为社区空巢老人提供陪伴服务，服务时长存入“时间银行”。")
        # The draft saves itself and the page becomes the draft's own.
        page.wait_for_url(re.compile(r"/proposals/\d+/edit$"))
        proposal_path = page.url.split(str(self.portal.port), 1)[1].removesuffix("/edit")
        sections = {
            "need": {"#need": "金水区某社区 60 岁以上独居老人 126 位，日常照料和精神慰藉不足。",
                     "#beneficiaries": "社区空巢、独居老人", "#beneficiary_count": "126"},
            "plan": {"#plan": "第1-2月：招募培训志愿者；第3-11月：每周入户探访两次；第12月：总结评估。",
                     "#budget_lines-0-item": "志愿者培训", "#budget_lines-0-amount": "8000",
                     "#budget_lines-1-item": "探访物资", "#budget_lines-1-amount": "22000",
                     "#budget_lines-1-note": "126 户 × 12 个月",
                     "#budget_lines-2-item": "交通补贴", "#budget_lines-2-amount": "3000"},
            "results": {"#outcomes": "每位老人每月至少探访 8 次，满意度 90% 以上。",
                        "#innovation": "以“时间银行”记录服务时长，志愿者年老后可兑换服务。",
                        "#team": "项目负责人李晓，社工师，从事养老服务 6 年；志愿者 60 人。",
                        "#sustainability": "与街道办签订三年合作协议，时间银行由社区居委会持续运营。"},
        }
        for anchor, fields in sections.items():
            page.locator(f"#section-{anchor}").wait_for(state="hidden")
            page.locator(f".section-nav a[href='#section-{anchor}']").click()
            for selector, value in fields.items():
                type_in(selector, value)
            if anchor == "plan":   # a fourth line without a save, and the total follows
                page.locator("[data-add-line]").click()
                type_in("#budget_lines-3-item", "宣传印刷")
                type_in("#budget_lines-3-amount", "1000")
                assert page.locator("#budget-total").inner_text() == "34,000.00"
            assert page.locator(f"[data-done-for={anchor}]").is_visible()
        self.checked("applicant", "edit-proposal", screenshot=True)
        page.locator("[data-show-section='section-applicant']").click()
        page.select_option("#profile_entrant_type", "ngo")
        type_in("#profile_organization", "郑州市绿城社会工作服务中心")
        type_in("#contact_phone", "13912345678")
        assert page.get_attribute("#contact_phone", "type") == "tel"
        page.check("#publish_consent")
        self.checked("applicant", "edit-proposal-contact")

        page.locator(".section-nav a[href='#section-attachments']").click()
        plan = self.tmp_path / "项目计划书.pdf"
        plan.write_bytes(PDF)
        page.set_input_files("#file", str(plan))
        follow(page, page.locator("[type=submit][form=attachment-form]"))
        assert "项目计划书.pdf" in page.locator("#section-attachments").inner_text(), flash(page)
        self.checked("applicant", "attached")
        assert page.locator("#missing-box li:visible").count() == 0, flash(page)

        follow(page, page.locator("#proposal-form [name=submit]"))
        assert page.url.endswith(proposal_path), flash(page)
        self.checked("applicant", "saved")
        assert "34,000.00" in page.locator("main").inner_text()  # the budget's total
        post_button(page, "/submit")
        receipt = flash(page)
        reference = REFERENCE.search(receipt)
        assert reference, receipt
        self.checked("applicant", "receipt", screenshot=True)
        assert reference.group(0) in page.locator("main h1 + p").inner_text()
        assert WORDS[self.locale]["receipt"] in receipt
        mail = [m for m in self.portal.emails(APPLICANT_EMAIL)
                if reference.group(0) in m.get_body(("plain",)).get_content()]
        assert mail, "no receipt email with the reference number"
        # One path: no profile page on the way, and nothing typed twice.
        assert not [url for url in visited if "/profile" in url], visited
        assert len(typed) == len(set(typed)), typed
        self.reference = reference.group(0)
        self.proposal_path = proposal_path

        # The profile was filled in from the form.
        page = self.visit("applicant", "/profile", "profile", screenshot=True)
        assert page.input_value("#phone") == "13912345678"
        assert page.input_value("#organization") == "郑州市绿城社会工作服务中心"

    # -- the organizer -----------------------------------------------------------------------
    def organizer_screens_and_invites(self):
        self.login("organizer", ORGANIZER_EMAIL, ORGANIZER_PASSWORD)
        self.checked("organizer", "console", screenshot=True)
        page = self.visit("organizer", f"/admin/contests/{CONTEST_SLUG}/proposals", "proposals",
                          screenshot=True)
        follow(page, page.locator("main table a", has_text=PROPOSAL_TITLE).first)
        self.checked("organizer", "proposal", screenshot=True)
        form = "main form[action$='/screening']"
        page.locator(f"{form} input[name=decision][value=eligible]").check()
        submit_in(page, form)
        assert "/admin/proposals/" in page.url
        self.checked("organizer", "screened")
        assert WORDS[self.locale]["eligible"] in page.locator("main h1 + p .badge").inner_text()

        page = self.visit("organizer", f"/admin/contests/{CONTEST_SLUG}/judges", "judges",
                          screenshot=True, full_page=True)
        page.fill("#email", JUDGE_EMAIL)
        page.fill("#display_name", "王教授")
        page.fill("#organization", "郑州大学公共管理学院")
        page.locator("input[name=themes][value=elderly_care]").check()
        submit_in(page, "main form:has(#email)")
        assert JUDGE_EMAIL in flash(page), flash(page)
        self.checked("organizer", "invited")

    def judge_accepts(self):
        invitation = self.portal.link_in_latest(JUDGE_EMAIL, "/invitations/")
        page = self.visit("judge", invitation, "invitation", screenshot=True)
        page.fill("#display_name", "王教授")
        page.fill("#password", JUDGE_PASSWORD)
        page.fill("#confirm", JUDGE_PASSWORD)
        submit_in(page, "main form")
        assert page.url.endswith("/judge"), flash(page)
        self.checked("judge", "welcome")

    def organizer_assigns(self):
        page = self.visit("organizer", f"/admin/contests/{CONTEST_SLUG}/proposals", "tabs")
        follow(page, page.locator("main nav a[href$='/rounds']"))
        self.checked("organizer", "rounds", screenshot=True)
        follow(page, page.locator("main a[href*='/assign']").first)
        self.checked("organizer", "assignment")
        page.fill("#k", "1")
        follow(page, page.locator("main form[method=get] [type=submit]"))
        self.checked("organizer", "assignment-preview", screenshot=True, full_page=True)
        submit_in(page, "main form[method=post]")
        self.checked("organizer", "assignment-saved")
        assert re.search(r"\b2\b", flash(page)), flash(page)  # both proposals got the judge

    def organizer_looks_around(self):
        """The console's other pages, scanned like the rest (nothing is changed)."""
        admin = f"/admin/contests/{CONTEST_SLUG}"
        for path, name in [(f"{admin}/conflicts", "conflicts"),
                           (f"{admin}/announcements", "announcements"),
                           (f"{admin}/audit", "audit-log"),
                           (f"{admin}/settings", "setup"),
                           (f"{admin}/parts/criteria", "setup-criteria"),
                           (f"{admin}/parts/award_tiers", "setup-award-tiers"),
                           (f"{admin}/copy", "setup-copy"),
                           (f"{admin}/score-import", "score-import"),
                           ("/admin/settings", "site-settings"),
                           ("/admin/organizers", "organizer-accounts"),
                           ("/admin/contests/new", "new-contest")]:
            self.visit("organizer", path, name)

    # -- the judge ---------------------------------------------------------------------------
    def judge_recuses_and_scores(self, keyboard_scoring=False):
        page = self.visit("judge", "/judge", "assignments", screenshot=True)
        follow(page, page.locator("main a", has_text=OTHER_TITLE))
        self.checked("judge", "before-reading", screenshot=True)
        page.fill("#reason", "申报单位负责人是我的学生。")
        submit_in(page, "main form[action$='/recuse']")
        assert page.url.endswith("/judge"), flash(page)
        self.checked("judge", "recused")
        assert OTHER_TITLE not in page.locator("main").inner_text()

        follow(page, page.locator("main a", has_text=PROPOSAL_TITLE))
        follow(page, page.locator("main a[href*='read=1']"))
        self.checked("judge", "review", screenshot=True, full_page=True)
        groups = page.locator("main fieldset.score-choices")  # 1-10: a row of buttons each
        assert groups.count() == 3
        if keyboard_scoring:
            score_with_keyboard(page, ["9", "8", "8"], "时间银行模式新颖，预算合理。")
        else:
            for index, value in enumerate(["9", "8", "8"]):
                groups.nth(index).locator(f"label:text-is('{value}')").click()
            page.fill("#comment", "时间银行模式新颖，预算合理。")
            page.fill("#feedback", "建议补充志愿者激励和退出机制。")
            submit_in(page, "main form[data-warn-unsaved]", name="submit_review")
        assert "/judge/assignments/" in page.url
        self.checked("judge", "scored")
        assert page.locator("main .badge.text-bg-success").count() >= 1, flash(page)
        self.visit("judge", f"/judge/contests/{CONTEST_SLUG}/conflicts", "conflicts")

    # -- the organizer, to the end --------------------------------------------------------------
    def organizer_closes_and_publishes(self):
        page = self.visit("organizer", f"/admin/contests/{CONTEST_SLUG}/rounds", "rounds-before-close")
        post_button(page, "/close")
        self.checked("organizer", "round-closed")
        assert page.locator("main a[href$='/reopen']").count() == 1, flash(page)

        self.visit("organizer", f"/admin/contests/{CONTEST_SLUG}/dashboard", "dashboard",
                   screenshot=True)
        self.visit("organizer", f"/admin/contests/{CONTEST_SLUG}/ranking", "ranking",
                   screenshot=True, full_page=True)
        self.print_for_the_guide("organizer", "print-ranking")
        self.visit("organizer", f"/admin/contests/{CONTEST_SLUG}/ranking/judges", "judge-statistics")
        page = self.visit("organizer", f"/admin/contests/{CONTEST_SLUG}/awards", "awards")
        follow(page, page.locator("main a[href$='/awards/preview']").first)
        self.checked("organizer", "awards-preview", screenshot=True, full_page=True)
        submit_in(page, "main form[action$='/awards/allocate']")
        assert page.url.endswith("/awards"), flash(page)
        self.checked("organizer", "awards-saved", screenshot=True)
        assert self.reference in page.locator("main").inner_text()
        self.print_for_the_guide("organizer", "print-awards")

        page = self.visit("organizer", f"/admin/contests/{CONTEST_SLUG}/publication",
                          "publication")
        post_button(page, "/publication/provisional")
        self.checked("organizer", "published")
        submit_in(page, "main form[action$='/publication/finalize']")
        assert page.url.endswith("/publication"), flash(page)
        self.checked("organizer", "finalized", screenshot=True, full_page=True)
        assert page.locator("main form[action$='/publication/finalize']").count() == 0

        self.visit("organizer", f"/admin/contests/{CONTEST_SLUG}/exports", "exports",
                   screenshot=True)

    # -- everyone else -------------------------------------------------------------------------
    def visitor_reads_results(self):
        page = self.visit("visitor", f"/contests/{CONTEST_SLUG}/results", "results",
                          screenshot=True, full_page=True)
        text = page.locator("main").inner_text()
        assert PROPOSAL_TITLE in text and self.reference in text
        self.visit("visitor", f"/contests/{CONTEST_SLUG}/objection", "objection")
        self.visit("visitor", "/privacy", "privacy")
        self.visit("visitor", "/reset", "forgot-password")

    def applicant_downloads_data(self):
        page = self.visit("applicant", self.proposal_path, "awarded")
        assert WORDS[self.locale]["awarded"] in page.locator("main h1 + p .badge").inner_text()
        self.visit("applicant", "/my/proposals", "my-proposals-final")
        page = self.visit("applicant", "/account", "account", screenshot=True)
        button = page.locator("main form[action$='/account/data'] [type=submit]")
        from playwright.sync_api import TimeoutError as PlaywrightTimeout
        try:
            with page.expect_download(timeout=10000) as info:
                button.click()
        except PlaywrightTimeout:
            # The portal asked for the password again first.
            assert "/account/confirm-password" in page.url
            self.checked("applicant", "reauthenticate")
            page.fill("#password", APPLICANT_PASSWORD)
            submit_in(page, "main form")
            with page.expect_download() as info:
                page.locator("main form[action$='/account/data'] [type=submit]").click()
        archive = self.tmp_path / "my-data.zip"
        info.value.save_as(archive)
        with zipfile.ZipFile(archive) as data:
            names = data.namelist()
            content = " ".join(data.read(name).decode("utf-8", "replace")
                               for name in names if name.endswith(".json"))
        assert any(name.endswith(".pdf") for name in names), names
        assert PROPOSAL_TITLE in content and APPLICANT_EMAIL in content


# Screenshots also taken on the phone (the guides show the applicant's pages on a phone).
PHONE_SHOTS = {"contest", "receipt", "review", "new-proposal", "edit-proposal"}


def score_with_keyboard(page, values, comment):
    """Score with the keyboard alone: Tab into each score's group, Space and the arrow keys to
    the value, Tab to the comment, Enter to submit."""
    page.locator("main fieldset.score-choices input").first.focus()
    for value in values:
        assert page.evaluate("document.activeElement.name").startswith("criterion_")
        page.keyboard.press("Space")  # the scale's first value, 1
        for _ in range(int(value) - 1):
            page.keyboard.press("ArrowRight")
        assert page.evaluate("document.activeElement.value") == value
        assert page.evaluate("document.activeElement.checked")
        page.keyboard.press("Tab")
        # Skip anything between two fields (none today), up to the next input.
        while page.evaluate("document.activeElement.tagName") not in ("INPUT", "TEXTAREA"):
            page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "comment"
    page.keyboard.type(comment)
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "submit_review":
            break
    assert page.evaluate("document.activeElement.name") == "submit_review"
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("locale, viewport", JOURNEYS)
def test_a_contest_from_submission_to_results(portal, new_context, browser_log, tmp_path,
                                              screenshot_folder, locale, viewport):
    journey = Journey(portal, new_context, locale, viewport, tmp_path, screenshot_folder)
    journey.applicant_registers_and_confirms()
    journey.applicant_writes_and_submits()
    journey.organizer_screens_and_invites()
    journey.judge_accepts()
    journey.organizer_assigns()
    journey.organizer_looks_around()
    journey.judge_recuses_and_scores(keyboard_scoring=locale == "en")
    journey.organizer_closes_and_publishes()
    journey.visitor_reads_results()
    journey.applicant_downloads_data()

    assert not journey.check.problems, journey.check.report()
    assert not browser_log.off_localhost(), browser_log.off_localhost()
    assert not browser_log.errors, "\n".join(browser_log.errors)
    assert len(journey.check.visited) >= 50
    # Submitting, closing the round, publishing and finalizing each asked for a confirmation.
    assert len(browser_log.dialogs) >= 4, browser_log.dialogs
