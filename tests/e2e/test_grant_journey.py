"""One grant in the browser, from finalization to the final report and the last tranche: the
organizer finalizes and files the signed agreement, releases each tranche once its condition
holds; the grantee writes the mid-term report (with a receipt) and the final report."""
import subprocess
import sys

import pytest

from tests.e2e.checks import DESKTOP, PHONE, logged_in_page
from tests.e2e.seed import OTHER_APPLICANT
from tests.e2e.server import CONTEST_SLUG, ORGANIZER_EMAIL, ORGANIZER_PASSWORD, REPO
from tests.e2e.test_journeys import flash, follow, post_button, submit_in
from tests.factories import pdf_file

pytestmark = pytest.mark.e2e
GRANTEE_PASSWORD = "another applicant password"


def _release_next(page, reference):
    form = page.locator("main form[action*='/tranches/'][action$='/release']").first
    form.locator("input[name=reference]").fill(reference)
    follow(page, form.locator("[type=submit]"))
    assert reference in page.locator("main").inner_text(), flash(page)


def _write_report(page, narrative, beneficiaries, spent):
    page.fill("#narrative", narrative)
    page.fill("#beneficiaries", str(beneficiaries))
    page.locator("main input[id^=line_]").first.fill(spent)
    submit_in(page, "main form:has(#narrative)", name="send")
    assert "报告已提交" in flash(page), flash(page)


def test_one_grant_from_finalization_to_the_last_tranche(portal, new_context, tmp_path):
    result = subprocess.run([sys.executable, "-m", "tests.e2e.grant_seed", CONTEST_SLUG], cwd=REPO, env=portal.env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    organizer = logged_in_page(new_context("zh-CN", DESKTOP), portal, ORGANIZER_EMAIL,
                       ORGANIZER_PASSWORD)
    grantee = logged_in_page(new_context("zh-CN", PHONE), portal, OTHER_APPLICANT, GRANTEE_PASSWORD)

    organizer.goto(portal.url(f"/admin/contests/{CONTEST_SLUG}/publication"))
    post_button(organizer, "/publication/provisional")
    submit_in(organizer, "main form[action$='/publication/finalize']")
    organizer.goto(portal.url(f"/admin/contests/{CONTEST_SLUG}/grants"))
    assert "¥12,000.00" in organizer.locator("main").inner_text()
    follow(organizer, organizer.locator("main a[href^='/admin/grants/']").first)
    assert "尚未满足拨付条件" in organizer.locator("main").inner_text()

    agreement = tmp_path / "资助协议.pdf"
    agreement.write_bytes(pdf_file())
    organizer.set_input_files("main form[action$='/agreement'] input[type=file]", str(agreement))
    submit_in(organizer, "main form[action$='/agreement']")
    _release_next(organizer, "BANK-2026-001")
    grant_url = organizer.url

    # The grantee: the mid-term report with a receipt, on a phone.
    grantee.goto(portal.url("/grants/"))
    follow(grantee, grantee.locator("main a[href^='/grants/']").first)
    assert "¥6,000.00" in grantee.locator("main").inner_text()   # the first half, released
    follow(grantee, grantee.locator("main a[href^='/grants/reports/']").first)
    receipt = tmp_path / "发票.pdf"
    receipt.write_bytes(pdf_file(Title="receipt"))
    grantee.set_input_files("main form[action$='/attachments'] input[type=file]", str(receipt))
    submit_in(grantee, "main form[action$='/attachments']")
    assert "发票.pdf" in grantee.locator("main").inner_text()
    _write_report(grantee, "完成志愿者招募和培训，开始每周陪伴出行。", 35, "5,000")
    midterm_url = grantee.url

    organizer.goto(midterm_url)
    submit_in(organizer, "main form[action$='/review']", name="accept")
    organizer.goto(grant_url)
    _release_next(organizer, "BANK-2026-002")

    grantee.goto(portal.url("/grants/"))
    follow(grantee, grantee.locator("main a[href^='/grants/']").first)
    follow(grantee, grantee.locator("main a[href^='/grants/reports/']").nth(1))
    _write_report(grantee, "项目结束，80 位视障人士能独立使用读屏软件。", 80, "6,500")

    organizer.goto(grantee.url)
    submit_in(organizer, "main form[action$='/review']", name="accept")
    organizer.goto(grant_url)
    _release_next(organizer, "BANK-2026-003")
    assert organizer.locator("main form[action$='/release']").count() == 0
    organizer.goto(portal.url(f"/admin/contests/{CONTEST_SLUG}/grants"))
    figures = organizer.locator("main").inner_text()
    assert figures.count("¥12,000.00") >= 2  # granted and released alike
    assert "¥11,500.00" in figures            # spent: 5,000 + 6,500
