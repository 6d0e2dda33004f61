"""The follow-up dashboard and the ledger issue as many statements for 2 grants as for 8."""
from portal.extensions import db
from portal.grants import reports, services
from portal.models import Award
from tests.factories import make_proposal, make_user


def _grow(contest, count, start):
    for number in range(start, start + count):
        applicant = make_user(f"g{number}@example.org")
        proposal = make_proposal(contest, applicant, title=f"项目{number}")
        db.session.add(Award(contest_id=contest.id, proposal_id=proposal.id,
                             tier_id=contest.award_tiers[0].id))
        db.session.flush()
        (grant,) = services.create_grants(None, contest)
        report = grant.reports[0]
        reports.save_report(applicant, report, "进展", 3, None,
                            {grant.lines[0].id: 100 * number}, submit=True)
        reports.request_change(applicant, grant, grant.lines[0].id, grant.lines[1].id,
                               grant.lines[0].planned_fen // 2, "调整")
    db.session.commit()


def test_the_follow_up_pages_have_a_bounded_number_of_queries(client, auth, contest, organizer,
                                                             count_queries):
    auth.login(organizer)
    urls = [f"/admin/contests/{contest.slug}/grants",
            f"/admin/contests/{contest.slug}/grants/ledger.csv"]

    def statements():
        totals = []
        for url in urls:
            assert client.get(url).status_code == 200
            with count_queries() as counted:
                assert client.get(url).status_code == 200
            totals.append(counted.total)
        return totals

    _grow(contest, 2, 0)
    small = statements()
    _grow(contest, 6, 2)
    assert statements() == small
