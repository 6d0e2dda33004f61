"""Set-up a journey needs besides its own applicant, run in the server's environment:
another applicant's submitted proposal (for the judge to recuse from), and an objection period
of 0 days (the contest settings page has no field for it yet).

Usage: python tests/e2e/seed.py SLUG
"""
import sys
from decimal import Decimal

from portal import create_app
from portal.accounts.services import create_user, update_profile
from portal.contests.services import contest_by_slug
from portal.extensions import db
from portal.models import utcnow
from portal.proposals.services import create_draft, submit_proposal

OTHER_APPLICANT = "office@sunshine-e2e.example.net"


def seed(slug):
    contest = contest_by_slug(slug)
    contest.objection_days = 0
    user = create_user(OTHER_APPLICANT, "another applicant password", display_name="阳光助残服务中心")
    user.email_confirmed_at = utcnow()
    update_profile(user, user.display_name, "ngo", "郑州市阳光助残服务中心", "李明", "13700137000")
    theme = next(theme for theme in contest.themes if theme.code == "disability_aid")
    proposal = create_draft(user, contest, {
        "title": "视障人士智能出行陪伴计划", "theme_id": theme.id,
        "summary": "招募大学生志愿者，为视障人士提供出行陪伴与手机读屏培训。",
        "need": "二七区登记视障人士 300 余人，出行和使用手机困难。",
        "beneficiaries": "视障人士", "beneficiary_count": 80,
        "plan": "第1月招募培训志愿者；第2-10月每周两次陪伴出行；每月一次读屏培训。",
        "outcomes": "80 位视障人士能独立使用手机读屏软件。",
        "innovation": "志愿者与视障人士结对，线上线下结合。",
        "team": "服务中心社工 3 人，志愿者 40 人。",
        "sustainability": "与社区和高校志愿者协会签订长期协议。",
        "contact_name": "李明", "contact_phone": "13700137000",
        "contact_email": OTHER_APPLICANT, "publish_consent": True,
        "budget_lines": [{"item": "志愿者培训", "amount": Decimal("12000"), "note": None}],
    })
    submit_proposal(user, proposal)


def main():
    app = create_app()
    with app.app_context():
        seed(sys.argv[1])
        db.session.commit()


if __name__ == "__main__":
    main()
