"""A theme chair (主题负责人) in Chromium: invited by the organizer for one theme, they accept,
screen a proposal of their theme, assign it to a judge, see that judge among their theme's
judges and their theme's dashboard, and export their theme; the contest menu offers them only
their pages."""
import io
import zipfile

import pytest

from tests.e2e.checks import DESKTOP, PageChecks
from tests.e2e.server import CONTEST_SLUG, ORGANIZER_EMAIL, ORGANIZER_PASSWORD
from tests.e2e.test_journeys import OTHER_TITLE, flash, follow, submit_in

pytestmark = pytest.mark.e2e

CHAIR_EMAIL = "zhou@partner-e2e.example.org"
JUDGE_EMAIL = "prof.li@judges-e2e.example.com"
PASSWORD = "theme chair password 2014"
THEME = "disability_aid"   # the theme of the proposal tests/e2e/seed.py submits


def accept(page, portal, email, name):
    page.goto(portal.url(portal.link_in_latest(email, "/invitations/")))
    page.fill("#display_name", name)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD)
    submit_in(page, "main form")


def test_a_chair_screens_assigns_and_exports_their_theme(portal, new_context, tmp_path):
    check = PageChecks("zh-CN", False)
    organizer = new_context("zh-CN", DESKTOP).new_page()
    organizer.goto(portal.url("/login"))
    organizer.fill("#email", ORGANIZER_EMAIL)
    organizer.fill("#password", ORGANIZER_PASSWORD)
    submit_in(organizer, "main form")
    organizer.goto(portal.url(f"/admin/contests/{CONTEST_SLUG}/judges"))
    organizer.fill("#email", JUDGE_EMAIL)
    submit_in(organizer, "main form:has(#email)")
    organizer.goto(portal.url(f"/admin/contests/{CONTEST_SLUG}/chairs"))
    check(organizer, "organizer-chairs")
    organizer.fill("#email", CHAIR_EMAIL)
    organizer.fill("#display_name", "周主任")
    organizer.fill("#organization", "郑州市助残合作基金会")
    organizer.locator(f"input[name=themes][value={THEME}]").check()
    submit_in(organizer, "main form:has(#email)")
    assert CHAIR_EMAIL in flash(organizer), flash(organizer)

    accept(new_context("zh-CN", DESKTOP).new_page(), portal, JUDGE_EMAIL, "李教授")
    chair = new_context("zh-CN", DESKTOP).new_page()
    accept(chair, portal, CHAIR_EMAIL, "周主任")
    assert chair.url.endswith(f"/admin/contests/{CONTEST_SLUG}/proposals"), flash(chair)
    check(chair, "chair-proposals")
    menu = chair.locator("main nav[aria-label]").first.inner_text()
    assert "申报项目" in menu and "排名" in menu and "导出" in menu
    assert "数据概览" in menu and "评审专家" in menu and "评审轮次" in menu
    assert "大赛设置" not in menu and "主题负责人" not in menu and "结果公布" not in menu

    # Screening
    follow(chair, chair.locator("main table a", has_text=OTHER_TITLE).first)
    check(chair, "chair-proposal")
    form = "main form[action$='/screening']"
    chair.locator(f"{form} input[name=decision][value=eligible]").check()
    submit_in(chair, form)
    assert "通过形式审查" in chair.locator("main h1 + p .badge").inner_text()
    # Assigning
    chair.locator("main input[name=judge_ids]").first.check()
    submit_in(chair, "main form:has(input[name=judge_ids])")
    assert "1" in flash(chair), flash(chair)
    assert "李教授" in chair.locator("main").inner_text()
    # The judges of the theme: the judge just assigned, with the theme's work only
    chair.goto(portal.url(f"/admin/contests/{CONTEST_SLUG}/judges"))
    check(chair, "chair-judges")
    assert "李教授" in chair.locator("main table").inner_text()
    chair.goto(portal.url(f"/admin/contests/{CONTEST_SLUG}/dashboard"))
    check(chair, "chair-dashboard")
    # Exporting
    chair.goto(portal.url(f"/admin/contests/{CONTEST_SLUG}/exports"))
    check(chair, "chair-exports")
    with chair.expect_download() as started:
        chair.locator("main button[name=format][value=zip]").click()
    path = tmp_path / "chair.zip"
    started.value.save_as(path)
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as archive:
        assert "judges.csv" not in archive.namelist()
        assert OTHER_TITLE in archive.read("proposals.csv").decode("utf-8-sig")
    assert not check.problems, check.problems
