"""Realistic demo data at any scale, fast: bulk inserts, deterministic for a seed."""
import random
from datetime import timedelta
from decimal import Decimal

from werkzeug.security import generate_password_hash

from portal.contests.loader import parse_contest, store_contest
from portal.extensions import db
from portal.grants.demo import seed_grants
from portal.models import (
    Assignment,
    BudgetLine,
    Contest,
    JudgeMembership,
    Proposal,
    ProposalStatus,
    Review,
    Score,
    User,
    utcnow,
)

DEMO_PASSWORD = "demo password 2014"
PLACES = ["金水区", "二七区", "中原区", "管城回族区", "惠济区", "郑东新区", "新郑市", "登封市",
          "巩义市", "荥阳市", "中牟县", "上街区"]
GROUPS = {
    "elderly_care": ["空巢老人", "失能老人", "高龄老人"], "orphan_care": ["孤儿", "事实无人抚养儿童"],
    "poverty_alleviation": ["贫困家庭", "返乡务工人员"], "hardship_relief": ["低保家庭", "受灾群众"],
    "education_aid": ["留守儿童", "流动儿童", "困难大学生"], "disability_aid": ["视障人士", "听障儿童"],
    "medical_aid": ["先天性心脏病儿童", "白血病患儿"], "psychological_support": ["独居老人", "留守儿童"],
    "cultural_development": ["社区居民", "外来务工人员"], "environmental_protection": ["社区居民", "中小学生"],
}
ACTIONS = ["关爱行动", "陪伴计划", "互助小组", "成长营", "健康守护计划", "圆梦工程", "微心愿项目",
           "服务站", "公益课堂", "志愿服务队"]
ORGS = ["郑州大学青年志愿者协会", "河南大学爱心社", "绿城社工服务中心", "郑州市慈善义工联合会",
        "中原公益发展中心", "黄河科技学院志愿者协会", "郑州轻工业大学爱心社", "郑州市阳光助残服务中心"]
PARAGRAPH = ("项目在{place}开展，面向{group}，通过入户走访、集中活动和线上陪伴相结合的方式，"
             "由专业社工带领大学生志愿者提供持续服务。项目建立服务档案，定期评估成效，"
             "并与街道、社区和爱心企业合作，保证服务的长期性与可持续性。")


def _text(rng, theme_code):
    return PARAGRAPH.format(place=rng.choice(PLACES), group=rng.choice(GROUPS[theme_code])) * \
        rng.randint(2, 4)


def _load_contest(slug, seed_file):
    parsed = parse_contest(seed_file.read_text(encoding="utf-8"), utcnow())
    parsed["contest"].update(slug=slug, reference_prefix=slug.upper()[:20],
                             name_zh=f"演示大赛（{slug}）", name_en=f"Demo contest ({slug})",
                             listed=False)
    contest, _created = store_contest(parsed)
    return contest


def _replace(slug):
    # The database's ON DELETE CASCADE removes the contest's rows in one statement each.
    db.session.execute(db.delete(Contest).where(Contest.slug == slug))
    db.session.execute(db.delete(User).where(User.email.like(f"%.{slug}.demo")))
    db.session.expire_all()


def seed_demo(slug, proposals, judges, reviews_per_proposal, seed, seed_file, replace=False,
              grants=0):
    """Create contest `slug` with submitted proposals, judges, assignments and scored reviews.

    Judges have a personal bias (sd 1) and noise (sd 1) around each proposal's true quality;
    everyone's password is DEMO_PASSWORD. With `grants`, that many proposals are awarded and
    their grants filled (portal.grants.demo). Returns a dict of counts.
    """
    if db.session.scalar(db.select(Contest.id).filter_by(slug=slug)) is not None:
        if not replace:
            raise ValueError(f"contest {slug} exists; use --replace")
        _replace(slug)
    rng = random.Random(seed)
    contest = _load_contest(slug, seed_file)
    db.session.flush()
    password_hash = generate_password_hash(DEMO_PASSWORD)
    now = utcnow()
    themes, entrant_types = contest.themes, contest.entrant_types
    criteria, first_round = contest.criteria, contest.rounds[0]

    # Separate mail domains: a shared private domain would make every judge conflicted.
    user_rows = [{"email": f"applicant{n}@applicants.{slug}.demo", "password_hash": password_hash,
                  "display_name": f"申报人{n}", "is_organizer": False, "active": True,
                  "created_at": now, "email_confirmed_at": now, "entrant_type_code": "ngo",
                  "organization": rng.choice(ORGS), "contact_name": f"联系人{n}",
                  "phone": f"13{rng.randint(100000000, 999999999)}"}
                 for n in range(1, proposals + 1)]
    judge_rows = [{"email": f"judge{n}@judges.{slug}.demo", "password_hash": password_hash,
                   "display_name": f"评审专家{n}", "is_organizer": False, "active": True,
                   "created_at": now, "email_confirmed_at": now} for n in range(1, judges + 1)]
    applicant_ids = _insert_returning_ids(User, user_rows)
    judge_ids = _insert_returning_ids(User, judge_rows)
    db.session.execute(db.insert(JudgeMembership), [
        {"contest_id": contest.id, "user_id": judge_id, "active": True, "created_at": now}
        for judge_id in judge_ids])

    proposal_rows = []
    for n, applicant_id in enumerate(applicant_ids, start=1):
        theme = themes[n % len(themes)]
        group = rng.choice(GROUPS[theme.code])
        proposal_rows.append({
            "contest_id": contest.id, "applicant_id": applicant_id, "theme_id": theme.id,
            "entrant_type_id": entrant_types[n % len(entrant_types)].id,
            "organization": user_rows[n - 1]["organization"],
            "status": ProposalStatus.SUBMITTED, "reference": f"{contest.reference_prefix}-{n:05d}",
            "title": f"{rng.choice(PLACES)}{group}{rng.choice(ACTIONS)}",
            "summary": _text(rng, theme.code)[:480], "need": _text(rng, theme.code),
            "beneficiaries": group, "beneficiary_count": rng.randint(20, 2000),
            "plan": _text(rng, theme.code), "budget_total": Decimal(rng.randint(5, 200) * 1000),
            "outcomes": _text(rng, theme.code), "innovation": _text(rng, theme.code),
            "team": "项目团队由社工师和志愿者组成。", "sustainability": _text(rng, theme.code),
            "contact_name": user_rows[n - 1]["contact_name"],
            "contact_phone": user_rows[n - 1]["phone"], "publish_consent": n % 3 != 0,
            "submitted_at": now - timedelta(minutes=proposals - n), "created_at": now,
            "updated_at": now, "version": 1})
    proposal_ids = _insert_returning_ids(Proposal, proposal_rows)
    db.session.execute(db.update(Contest).where(Contest.id == contest.id)
                       .values(reference_counter=proposals))
    db.session.execute(db.insert(BudgetLine), [
        {"proposal_id": pid, "position": 1, "item": "活动物资",
         "amount": row["budget_total"], "note": None}
        for pid, row in zip(proposal_ids, proposal_rows)])
    review_count = _seed_reviews(rng, proposal_ids, judge_ids, first_round, criteria,
                                 reviews_per_proposal, now)
    db.session.flush()
    grant_count = seed_grants(contest, grants, rng) if grants else 0
    return {"contest": contest.slug, "proposals": proposals, "judges": judges,
            "reviews": review_count, "grants": grant_count}


def _insert_returning_ids(model, rows, batch=2000):
    ids = []
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        ids.extend(db.session.scalars(db.insert(model).returning(model.id), chunk).all())
    return ids


def _seed_reviews(rng, proposal_ids, judge_ids, contest_round, criteria, k, now):
    if not judge_ids or not k:
        return 0
    k = min(k, len(judge_ids))
    bias = {judge: rng.gauss(0, 1) for judge in judge_ids}
    assignment_rows, qualities = [], {}
    for index, proposal_id in enumerate(proposal_ids):
        qualities[proposal_id] = rng.gauss(6, 1.5)
        for seat in range(k):
            judge = judge_ids[(index * k + seat) % len(judge_ids)]
            assignment_rows.append({"round_id": contest_round.id, "proposal_id": proposal_id,
                                    "judge_id": judge, "created_at": now})
    assignment_ids = _insert_returning_ids(Assignment, assignment_rows)
    review_ids = _insert_returning_ids(Review, [
        {"assignment_id": aid, "submitted_at": now, "created_at": now, "updated_at": now}
        for aid in assignment_ids])
    score_rows = []
    for review_id, row in zip(review_ids, assignment_rows):
        centre = qualities[row["proposal_id"]] + bias[row["judge_id"]]
        for criterion in criteria:
            value = round(centre + rng.gauss(0, 1))
            value = max(int(criterion.scale_min), min(int(criterion.scale_max), value))
            score_rows.append({"review_id": review_id, "criterion_id": criterion.id,
                               "value": Decimal(value)})
    for start in range(0, len(score_rows), 5000):
        db.session.execute(db.insert(Score), score_rows[start:start + 5000])
    return len(review_ids)
