"""A publication to many applicants answers before any mail is written: the POST stores one
batch, a job writes a message per applicant, delivery jobs of 100 send them, and the mail page's
progress bar follows (the queue is held here, as a consumer that has not run yet, and its jobs
are run one at a time)."""
import re

import pytest
from huey.storage import MemoryStorage

from portal.extensions import db
from portal.jobs.queue import huey
from portal.mail.delivery import MESSAGES_PER_JOB
from portal.models import Award, Contest, MailBatch, MailStatus, OutboxMessage, Proposal, \
    ProposalStatus, Publication
from tests.factories import make_user

EN = {"Accept-Language": "en"}
APPLICANTS = 150


@pytest.fixture
def held_queue():
    """Jobs wait in memory until the test runs them (the suite's queue runs them at once)."""
    huey.immediate = False
    huey.storage = MemoryStorage("portal-held")
    yield
    huey.immediate = True


def drain():
    """Every job waiting, taken off the queue: (to run now, scheduled for later)."""
    tasks = []
    while (task := huey.dequeue()) is not None:
        tasks.append(task)
    return [t for t in tasks if t.eta is None], [t for t in tasks if t.eta is not None]


def counts():
    db.session.expire_all()
    return dict(db.session.execute(db.select(OutboxMessage.status, db.func.count())
                                   .group_by(OutboxMessage.status)).all())


def progress(client):
    """(sent, total) and the bar's value, as the organizer's mail page shows them."""
    page = client.get("/admin/mail", headers=EN).get_data(as_text=True)
    sent = [tuple(map(int, found)) for found in re.findall(r"(\d+) of (\d+) sent", page)]
    return sent, re.findall(r'aria-valuenow="(\d+)"', page)


def test_a_publication_to_many_applicants_returns_before_the_mail(client, auth, runner, outbox,
                                                                  app_context, held_queue):
    result = runner.invoke(args=["seed-demo", "--contest", "many", "--proposals",
                                 str(APPLICANTS), "--judges", "5",
                                 "--reviews-per-proposal", "1"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    contest = db.session.scalar(db.select(Contest).filter_by(slug="many"))
    winners = db.session.scalars(db.select(Proposal.id).filter_by(contest_id=contest.id)
                                 .order_by(Proposal.reference).limit(3)).all()
    db.session.add_all(Award(contest_id=contest.id, proposal_id=proposal_id,
                             tier_id=contest.award_tiers[0].id) for proposal_id in winners)
    organizer = make_user("organizer@example.org", organizer=True)
    db.session.commit()
    applicants = db.session.scalar(
        db.select(db.func.count(db.distinct(Proposal.applicant_id)))
        .filter(Proposal.contest_id == contest.id,
                Proposal.status.in_(ProposalStatus.IN_COMPETITION)))
    assert applicants == APPLICANTS
    auth.login(organizer)

    response = client.post(f"/admin/contests/{contest.slug}/publication/provisional",
                           headers=EN)
    assert response.status_code == 302
    # Published, one batch stored: no message written, none sent, one job waiting.
    assert db.session.scalar(db.select(Publication).filter_by(contest_id=contest.id))
    assert db.session.scalar(db.select(db.func.count(MailBatch.id))) == 1
    assert counts() == {} and outbox() == []
    now, later = drain()
    assert [task.name for task in now] == ["write_bulk_email"] and later == []
    page = client.get(f"/admin/contests/{contest.slug}/publication", headers=EN)
    assert 'href="/admin/mail">Progress of the emails</a>' in page.get_data(as_text=True)

    huey.execute(now[0])                        # the job writes a message per applicant
    assert counts() == {MailStatus.QUEUED: APPLICANTS}
    assert progress(client) == ([(0, APPLICANTS)], ["0"])
    deliveries, safety = drain()
    assert len(deliveries) == len(safety) == -(-APPLICANTS // MESSAGES_PER_JOB)

    huey.execute(deliveries[0])                 # the first group of 100
    assert counts() == {MailStatus.QUEUED: APPLICANTS - MESSAGES_PER_JOB,
                        MailStatus.SENT: MESSAGES_PER_JOB}
    assert progress(client) == ([(MESSAGES_PER_JOB, APPLICANTS)],
                                [str(round(100 * MESSAGES_PER_JOB / APPLICANTS))])
    for task in deliveries[1:] + safety:        # the safety deliveries find them sent
        huey.execute(task)
    assert counts() == {MailStatus.SENT: APPLICANTS} and len(outbox()) == APPLICANTS
    assert progress(client) == ([(APPLICANTS, APPLICANTS)], ["100"])
