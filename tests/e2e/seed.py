"""Set-up a journey needs besides its own applicant, run in the server's environment:
another applicant's submitted proposal (for the judge to recuse from), and an objection period
of 0 days (the contest settings page has no field for it yet).

Usage: python tests/e2e/seed.py SLUG; `python tests/e2e/seed.py SLUG three-for-a-judge` adds a
judge with three assigned proposals of other applicants (tests/e2e/test_judge_phone.py).
"""
import sys
from decimal import Decimal

from portal import create_app
from portal.accounts.invitations import accept
from portal.accounts.services import create_user, update_profile
from portal.contests.services import contest_by_slug
from portal.extensions import db
from portal.judging.services import assign_judges, invite_judge
from portal.models import Proposal, User, utcnow
from portal.proposals.services import create_draft, submit_proposal

OTHER_APPLICANT = "office@sunshine-e2e.example.net"
PHONE_JUDGE_EMAIL = "judge.phone@judges-e2e.example.com"
PHONE_JUDGE_PASSWORD = "three proposals on a phone"
# A long proposal, as real ones are: the scores are far below its text on a phone.
LONG_TEXT = "。".join(["项目通过社区走访、志愿者培训和定期回访，为服务对象提供持续、专业的陪伴与支持"] * 12)


def seed(slug):
    contest = contest_by_slug(slug)
    contest.objection_days = 0
    _submitted(contest, OTHER_APPLICANT, "阳光助残服务中心", "视障人士智能出行陪伴计划", {
        "summary": "招募大学生志愿者，为视障人士提供出行陪伴与手机读屏培训。",
        "need": "二七区登记视障人士 300 余人，出行和使用手机困难。",
        "beneficiaries": "视障人士", "beneficiary_count": 80,
        "plan": "第1月招募培训志愿者；第2-10月每周两次陪伴出行；每月一次读屏培训。",
        "outcomes": "80 位视障人士能独立使用手机读屏软件。",
        "innovation": "志愿者与视障人士结对，线上线下结合。",
        "team": "服务中心社工 3 人，志愿者 40 人。",
        "sustainability": "与社区和高校志愿者协会签订长期协议。"})


def _submitted(contest, email, name, title, text):
    """Another applicant's submitted proposal in the disability-aid theme."""
    user = create_user(email, "another applicant password", display_name=name)
    user.email_confirmed_at = utcnow()
    update_profile(user, user.display_name, "ngo", f"郑州市{name}", "李明", "13700137000")
    theme = next(theme for theme in contest.themes if theme.code == "disability_aid")
    proposal = create_draft(user, contest, {
        "title": title, "theme_id": theme.id, **text,
        "contact_name": "李明", "contact_phone": "13700137000",
        "contact_email": email, "publish_consent": True,
        "budget_lines": [{"item": "志愿者培训", "amount": Decimal("12000"), "note": None}],
    })
    submit_proposal(user, proposal)
    return proposal


def three_for_a_judge(slug):
    """A judge with three long proposals to score in the current round."""
    contest = contest_by_slug(slug)
    invitation, _token = invite_judge(None, contest, PHONE_JUDGE_EMAIL)
    judge = accept(invitation, display_name="刘教授", password=PHONE_JUDGE_PASSWORD)
    for number in range(1, 4):
        proposal = _submitted(contest, f"office{number}@phone-e2e.example.net", f"服务中心{number}",
                              f"社区陪伴计划{number}号", {
                                  key: LONG_TEXT for key in ("summary", "need", "plan", "outcomes",
                                                             "innovation", "team",
                                                             "sustainability")}
                              | {"beneficiaries": "老人", "beneficiary_count": 50})
        assign_judges(None, proposal, [judge.id], contest.current_round)


def other_applicants_proposal():
    """The proposal `seed` submitted for OTHER_APPLICANT."""
    return db.session.scalar(db.select(Proposal).join(User, Proposal.applicant_id == User.id)
                             .filter(User.email == OTHER_APPLICANT))


def main():
    app = create_app()
    with app.app_context():
        if sys.argv[2:] == ["three-for-a-judge"]:
            three_for_a_judge(sys.argv[1])
        else:
            seed(sys.argv[1])
        db.session.commit()


if __name__ == "__main__":
    main()
