"""A theme chair proposes their theme's winners in Chromium and an organizer confirms them:
the proposal is prefilled from the ranking, submitted, compared with the ranking and confirmed;
the awards page then lists the winner and the chair sees the proposal confirmed."""
import subprocess
import sys

import pytest

from tests.e2e.award_proposal_seed import CHAIR_EMAIL, CHAIR_PASSWORD, THEME
from tests.e2e.checks import DESKTOP, PageChecks, logged_in_page
from tests.e2e.server import CONTEST_SLUG, ORGANIZER_EMAIL, ORGANIZER_PASSWORD, REPO
from tests.e2e.test_journeys import OTHER_TITLE, flash, follow, submit_in

pytestmark = pytest.mark.e2e


def test_a_chair_proposes_and_an_organizer_confirms(portal, new_context):
    result = subprocess.run([sys.executable, "-m", "tests.e2e.award_proposal_seed",
                             CONTEST_SLUG], cwd=REPO, env=portal.env, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    check = PageChecks("zh-CN", False)
    chair = logged_in_page(new_context("zh-CN", DESKTOP), portal, CHAIR_EMAIL, CHAIR_PASSWORD)
    chair.goto(portal.url(f"/admin/contests/{CONTEST_SLUG}/award-proposals"))
    menu = chair.locator("main nav[aria-label]").first.inner_text()
    assert "评奖建议" in menu and "获奖" not in menu.replace("评奖建议", "")
    follow(chair, chair.locator(f"main a[href$='/themes/{THEME}']"))
    check(chair, "chair-award-proposal")
    select = chair.locator("main select[name^=tier_]")
    assert select.count() == 1 and OTHER_TITLE in chair.locator("main table").first.inner_text()
    assert select.locator("option:checked").inner_text() == "一等奖"   # from the ranking
    submit_in(chair, "main form:has(select)", name="submit_proposal")
    assert "评奖建议已提交" in flash(chair), flash(chair)
    assert chair.locator("main select[name^=tier_]").count() == 0

    organizer = logged_in_page(new_context("zh-CN", DESKTOP), portal, ORGANIZER_EMAIL,
                               ORGANIZER_PASSWORD)
    organizer.goto(portal.url(f"/admin/contests/{CONTEST_SLUG}/award-proposals"))
    follow(organizer, organizer.locator("main a", has_text="对照并审定"))
    check(organizer, "organizer-award-proposal")
    assert "与排名不一致" not in organizer.locator("main table").first.inner_text()
    submit_in(organizer, "main form[action$='/confirm']")
    assert "评奖建议已确认" in flash(organizer), flash(organizer)
    assert OTHER_TITLE in organizer.locator("main table").last.inner_text()   # the winners

    chair.reload()
    assert "已确认" in chair.locator("main h1").inner_text()
    assert not check.problems, check.problems
