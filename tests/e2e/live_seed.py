"""Set-up of the pitch-day journey, run in the server's environment: a final round, four
finalists (advanced), three judges with passwords and the live session (audience page open).
Prints the session's id and the big screen's token as JSON.

Usage: python tests/e2e/live_seed.py SLUG ORGANIZER_EMAIL
"""
import json
import sys
from decimal import Decimal

from portal import create_app
from portal.accounts import invitations
from portal.accounts.services import create_user, update_profile
from portal.contests.services import contest_by_slug
from portal.extensions import db
from portal.live import services
from portal.models import Round, User, utcnow
from portal.proposals.services import create_draft, submit_proposal
from portal.results import advancement

JUDGE_PASSWORD = "judge password 2014"
FINALISTS = [("社区老人助餐点", "金水区夕阳红服务社"), ("留守儿童周末课堂", "郑大青年志愿者协会"),
             ("盲人按摩技能培训", "二七区助残中心"), ("河道清洁守护队", "绿城环保社")]


def finalist(contest, number, title, organization):
    email = f"team{number}@finalists-e2e.example.net"
    user = create_user(email, "finalist password 2014", display_name=organization)
    user.email_confirmed_at = utcnow()
    update_profile(user, organization, "ngo", organization, "王芳", "13700137000")
    proposal = create_draft(user, contest, {
        "title": title, "theme_id": contest.themes[number % len(contest.themes)].id,
        "summary": f"{title}：面向社区的公益服务。", "need": "社区调研发现的真实需求。",
        "beneficiaries": "社区居民", "beneficiary_count": 100,
        "plan": "第1-2月筹备；第3-10月开展服务；第11-12月总结。", "outcomes": "服务 100 人。",
        "innovation": "志愿者结对服务。", "team": "社工 3 人，志愿者 20 人。",
        "sustainability": "与社区签订长期协议。", "contact_name": "王芳",
        "contact_phone": "13700137000", "contact_email": email, "publish_consent": True,
        "budget_lines": [{"item": "活动物资", "amount": Decimal("10000"), "note": None}]})
    submit_proposal(user, proposal)
    return proposal


def seed(slug, organizer_email):
    contest = contest_by_slug(slug)
    organizer = db.session.scalar(db.select(User).filter_by(email=organizer_email))
    final = Round(contest=contest, position=len(contest.rounds) + 1, code="final",
                  name_zh="终审路演", name_en="Final pitch")
    db.session.add(final)
    proposals = [finalist(contest, number, title, organization)
                 for number, (title, organization) in enumerate(FINALISTS, start=1)]
    db.session.flush()
    advancement.advance(organizer, contest, contest.rounds[0], proposals)
    for number, name in enumerate(("张教授", "李主任", "赵律师"), start=1):
        invitation, _token = invitations.invite(None, "judge", f"judge{number}@live-e2e.example.com",
                                                contest=contest)
        invitations.accept(invitation, display_name=name, password=JUDGE_PASSWORD)
    live = services.create_session(organizer, contest, final)
    services.save_settings(organizer, live, "trimmed", 1, 1, True, True)
    db.session.flush()
    return {"live_id": live.id, "token": live.screen_token,
            "titles": [pitch.proposal.title for pitch in live.pitches]}


def main():
    app = create_app()
    with app.app_context():
        result = seed(sys.argv[1], sys.argv[2])
        db.session.commit()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
