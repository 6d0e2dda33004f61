"""A publication to many applicants: the organizer's POST answers at once (p95 target < 1 s),
and the emails, one per applicant, are written and queued in the background by the job consumer.

    .venv/bin/python bench/publication.py --database sqlite|postgresql [--applicants 2000]
        [--contests 5] [--workers 2] [--json FILE]

Seeds `--contests` demo contests of `--applicants` proposals each (seed-demo), gives each the
awards of its first ten proposals, serves the portal with gunicorn and its job consumer, and
publishes each contest's provisional list through the publication page as the organizer would.
Reports the POST's latency (p50/p95 over the contests) and the seconds until every applicant's
message is in the outbox. Used by `make bench`-style runs; never part of the tests.
"""
import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ORGANIZER_EMAIL, ORGANIZER_PASSWORD, SEED, BenchDatabase, emit, log  # noqa: E402
from loadlib import Gunicorn, percentiles  # noqa: E402
from pages import sign_in  # noqa: E402

WINNERS = 10


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


def outbox_count(app):
    """Messages in the outbox (seed-demo sends none: these are the publications')."""
    from portal.extensions import db as database
    from portal.models import OutboxMessage
    with app.app_context():
        count = database.session.scalar(database.select(database.func.count(OutboxMessage.id)))
        database.session.remove()
        return count


def publish_all(server, slugs):
    """POST each contest's publication as the organizer; returns the seconds each POST took."""
    client, _cookie = sign_in(server.base, ORGANIZER_EMAIL, ORGANIZER_PASSWORD)
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
        started = time.perf_counter()
        seconds = publish_all(server, slugs)
        answered = time.perf_counter() - started
        expected = args.contests * args.applicants   # one message per applicant
        while outbox_count(app) < expected:
            if time.perf_counter() - started > 600:
                raise RuntimeError("the messages were not all queued within 10 minutes")
            time.sleep(0.5)
        result = {"database": args.database, "applicants": args.applicants,
                  "contests": args.contests, "publish": percentiles(seconds),
                  "posts_seconds": round(answered, 2),
                  "all_messages_queued_seconds": round(time.perf_counter() - started, 2),
                  "server_errors": server.server_errors(),
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
