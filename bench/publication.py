"""A publication to many applicants: the organizer's POST answers at once (p95 target < 1 s),
and the emails, one per applicant, are written and queued in the background by the job consumer.

    .venv/bin/python bench/publication.py --database sqlite|postgresql [--applicants 2000]
        [--contests 5] [--workers 2] [--json FILE]

Seeds `--contests` demo contests of `--applicants` proposals each (seed-demo), gives each the
awards of its first ten proposals, serves the portal with gunicorn and its job consumer, and
publishes each contest's provisional list through the publication page as the organizer would.
Reports the POST's latency (p50/p95 over the contests), the seconds until every applicant's
message is in the outbox, and the seconds until the consumer has delivered them all (without
MAIL_SERVER, `.eml` files in instance/outbox/): the mail page's progress bars then read 100 %,
which is checked on the page itself. `make bench` runs it (bench/run.py, the publication
section; --publication-applicants sets the size); never part of the tests.
"""
import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ORGANIZER_EMAIL, ORGANIZER_PASSWORD, SEED, BenchDatabase, emit, log  # noqa: E402
from loadlib import Gunicorn, percentiles  # noqa: E402
from pages import sign_in  # noqa: E402

WINNERS = 10
PROGRESS_RE = re.compile(r'aria-valuenow="(\d+)"')


def seed(db, contests, applicants):
    db.flask("db", "upgrade")
    db.flask("ensure-organizer")
    slugs = [f"pub{n}" for n in range(1, contests + 1)]
    for slug in slugs:
        db.flask("seed-demo", "--contest", slug, "--proposals", applicants, "--judges", 20,
                 "--reviews-per-proposal", 3, "--seed", SEED)
    return slugs, _award_first_proposals(db, slugs)


def _award_first_proposals(db, slugs):
    """The set-up only: awards as the organizer would have allocated them."""
    os.environ.update(db.env)
    from portal import create_app
    from portal.extensions import db as database
    from portal.models import Award, Contest, Proposal
    app = create_app()
    with app.app_context():
        for slug in slugs:
            contest = database.session.scalar(database.select(Contest).filter_by(slug=slug))
            ids = database.session.scalars(
                database.select(Proposal.id).filter_by(contest_id=contest.id)
                .order_by(Proposal.reference).limit(WINNERS)).all()
            database.session.add_all(Award(contest_id=contest.id, proposal_id=proposal_id,
                                           tier_id=contest.award_tiers[0].id)
                                     for proposal_id in ids)
        database.session.commit()
    return app


def outbox_counts(app):
    """(messages in the outbox, of which delivered or failed for good): seed-demo sends none,
    so these are the publications'."""
    from portal.extensions import db as database
    from portal.models import MailStatus, OutboxMessage
    with app.app_context():
        done = database.func.sum(database.case(
            (OutboxMessage.status.in_([MailStatus.SENT, MailStatus.FAILED]), 1), else_=0))
        total, finished = database.session.execute(
            database.select(database.func.count(OutboxMessage.id), done)).one()
        database.session.remove()
        return total, finished or 0


def wait_for(app, started, expected, index, what):
    """Seconds from `started` until outbox_counts(app)[index] reaches `expected`."""
    while outbox_counts(app)[index] < expected:
        if time.perf_counter() - started > 1800:
            raise RuntimeError(f"the messages were not all {what} within 30 minutes")
        time.sleep(0.5)
    return round(time.perf_counter() - started, 2)


def mail_page_progress(client):
    """The percentages the organizer's mail page shows on its bulk sends' bars."""
    _status, body, _location = client.request("mail_page", "/admin/mail")
    return [int(value) for value in PROGRESS_RE.findall(body)]


def publish_all(client, slugs):
    """POST each contest's publication as the organizer; returns the seconds each POST took."""
    for slug in slugs:
        page = client.page("publication_page", f"/admin/contests/{slug}/publication")
        status, _body, _location = client.request(
            "publish", f"/admin/contests/{slug}/publication/provisional",
            {"csrf_token": client.csrf(page)})
        if status not in (302, 303):
            raise RuntimeError(f"publishing {slug}: HTTP {status}")
    return client.timings["publish"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--applicants", type=int, default=2000)
    parser.add_argument("--contests", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    db = BenchDatabase(args.database)
    server = None
    try:
        log(f"== {args.database}: seeding {args.contests} x {args.applicants} applicants")
        slugs, app = seed(db, args.contests, args.applicants)
        server = Gunicorn(db.env, workers=args.workers)
        client, _cookie = sign_in(server.base, ORGANIZER_EMAIL, ORGANIZER_PASSWORD)
        load_before = os.getloadavg()
        started = time.perf_counter()
        seconds = publish_all(client, slugs)
        answered = time.perf_counter() - started
        expected = args.contests * args.applicants   # one message per applicant
        queued = wait_for(app, started, expected, 0, "queued")
        delivered = wait_for(app, started, expected, 1, "delivered")
        progress = mail_page_progress(client)
        result = {"database": args.database, "applicants": args.applicants,
                  "contests": args.contests, "publish": percentiles(seconds),
                  "publish_seconds": [round(value, 3) for value in seconds],
                  "posts_seconds": round(answered, 2),
                  "all_messages_queued_seconds": queued,
                  "all_messages_delivered_seconds": delivered,
                  "mail_page_progress": progress,
                  "server_errors": server.server_errors(),
                  "load_average_before": load_before,
                  "load_average": os.getloadavg()}
    finally:
        if server is not None:
            server.stop()
        db.close()
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
