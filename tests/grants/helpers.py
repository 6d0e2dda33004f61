"""A funded project: a contest finalized with one award, so that its grant exists."""
from decimal import Decimal

from portal.awards import publishing
from portal.extensions import db
from portal.models import Award, Grant
from tests.factories import make_proposal

PLAN = "1. 招募并培训志愿者\n2. 每周上门探访\n\n3. 中期总结"


def funded(contest, organizer, applicant, grant=Decimal("30000.00"), **fields):
    """Award the applicant's proposal (35,000 yuan budget in two lines) `grant` yuan, publish
    and finalize at once; returns the grant created at finalization."""
    proposal = make_proposal(contest, applicant, plan=PLAN, **fields)
    db.session.add(Award(contest_id=contest.id, proposal_id=proposal.id,
                         tier_id=contest.award_tiers[0].id, grant=grant))
    contest.objection_days = 0
    db.session.flush()
    publishing.publish_provisional(organizer, contest)
    publishing.finalize(organizer, contest)
    db.session.commit()
    return db.session.scalar(db.select(Grant).filter_by(proposal_id=proposal.id))


def report_of(grant, kind):
    return next(report for report in grant.reports if report.kind == kind)
