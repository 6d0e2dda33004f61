"""Set-up of the awards-proposal journey, run in the server's environment: the other
applicant's proposal (tests/e2e/seed.py, theme disability_aid) scored by a judge, and a chair
of that theme with a password.

Usage: python -m tests.e2e.award_proposal_seed SLUG (from the repository's folder)
"""
import sys
from decimal import Decimal

from portal import create_app
from portal.accounts.invitations import accept, invite
from portal.contests.services import contest_by_slug
from portal.extensions import db
from portal.judging.services import assign_judges, invite_judge, save_review
from portal.models import InvitationRole
from tests.e2e.seed import other_applicants_proposal

CHAIR_EMAIL = "chair.awards@partner-e2e.example.org"
CHAIR_PASSWORD = "theme chair proposes 2014"
THEME = "disability_aid"


def main():
    app = create_app()
    with app.app_context():
        contest = contest_by_slug(sys.argv[1])
        proposal = other_applicants_proposal()
        invitation, _token = invite_judge(None, contest, "judge.awards@judges-e2e.example.com")
        judge = accept(invitation, display_name="王教授", password="judge scores 2014 once")
        (assignment,) = assign_judges(None, proposal, [judge.id], contest.current_round)
        save_review(judge, assignment, {criterion.id: Decimal("8") for criterion in
                                        contest.criteria}, "", submit=True)
        invitation, _token = invite(None, InvitationRole.CHAIR, CHAIR_EMAIL, contest=contest,
                                    theme_codes=[THEME])
        accept(invitation, display_name="周主任", password=CHAIR_PASSWORD)
        db.session.commit()


if __name__ == "__main__":
    main()
