"""Demo grants for `seed-demo --grants N`: awards, grants, reports and releases, deterministic
for a seed, so the follow-up pages and the ledger have something to show."""
from datetime import timedelta

from portal.extensions import db
from portal.grants import reports
from portal.grants.services import beijing_today, create_grants
from portal.models import Award, Proposal, ReportKind, ReportStatus, TrancheCondition, utcnow


def seed_grants(contest, count, rng):
    """Award the first `count` proposals (by reference) their budget, create their grants, and
    give them a history: the first tranche released, mid-term reports submitted (a third of
    them late; every second one accepted and its tranche released). Returns their number."""
    proposals = db.session.scalars(
        db.select(Proposal).filter_by(contest_id=contest.id).order_by(Proposal.reference)
        .limit(count)).all()
    tier = contest.award_tiers[0]
    for proposal in proposals:
        db.session.add(Award(contest_id=contest.id, proposal_id=proposal.id, tier_id=tier.id,
                             grant=proposal.budget_total))
    db.session.flush()
    now = utcnow()
    today = beijing_today(now)
    grants = create_grants(None, contest, now)
    for index, grant in enumerate(grants):
        grant.starts_on = today - timedelta(days=200)
        grant.ends_on = grant.starts_on + timedelta(days=365)
        midterm = next(r for r in grant.reports if r.kind == ReportKind.MIDTERM)
        midterm.due_on = today - timedelta(days=10 - index % 3 * 10)
        spending = {line.id: line.planned_fen * rng.randint(20, 60) // 100 for line in grant.lines}
        reports.save_report(None, midterm, "项目按计划推进，完成志愿者招募和前期走访。",
                            (grant.proposal.beneficiary_count or 0) * rng.randint(30, 60) // 100,
                            None, spending, submit=True, now=now)
        _release(grant, TrancheCondition.SIGNING, grant.starts_on, f"DEMO-{index + 1:03d}-1")
        if index % 2 == 0:
            midterm.status = ReportStatus.ACCEPTED
            _release(grant, TrancheCondition.MIDTERM, today, f"DEMO-{index + 1:03d}-2")
    db.session.flush()
    return len(grants)


def _release(grant, condition, day, reference):
    # Demo history written directly: the signed agreement of a demo grant is not a real file.
    tranche = next(t for t in grant.tranches if t.condition == condition)
    tranche.released_on, tranche.release_reference = day, reference
