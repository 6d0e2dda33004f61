"""Set-up of the grant journey, run in the server's environment: the other applicant's
proposal (tests/e2e/seed.py) awarded 12,000 yuan, ready to be published and finalized.

Usage: python -m tests.e2e.grant_seed SLUG (from the repository's folder)
"""
import sys
from decimal import Decimal

from portal import create_app
from portal.contests.services import contest_by_slug
from portal.extensions import db
from portal.models import Award
from tests.e2e.seed import other_applicants_proposal


def main():
    app = create_app()
    with app.app_context():
        contest = contest_by_slug(sys.argv[1])
        proposal = other_applicants_proposal()
        db.session.add(Award(contest_id=contest.id, proposal_id=proposal.id,
                             tier_id=contest.award_tiers[0].id, grant=Decimal("12000.00")))
        db.session.commit()


if __name__ == "__main__":
    main()
