"""Judges scoring at once: N judges save reviews concurrently; every saved review must be there.

    python bench/judges_load.py --database sqlite --judges 50 --reviews-each 4
"""
import argparse
import concurrent.futures
import json
import random
import re
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loadlib import Client, Gunicorn, flask, log, percentiles, portal_env  # noqa: E402
from surge import database_url, drop_database  # noqa: E402

ASSIGNMENT_RE = re.compile(r'href="/judge/assignments/(\d+)')
DEMO_PASSWORD = "demo password 2014"


def judge_session(base, slug, number, reviews_each, timings):
    client = Client(base, timings)
    form = client.page("login_form", "/login")
    client.request("login", "/login", {"csrf_token": client.csrf(form),
                                       "email": f"judge{number}@judges.{slug}.demo",
                                       "password": DEMO_PASSWORD})
    assignments = list(dict.fromkeys(ASSIGNMENT_RE.findall(client.page("workspace", "/judge"))))
    rng, saved = random.Random(number), {}
    for assignment in assignments[:reviews_each]:
        page = client.page("review_form", f"/judge/assignments/{assignment}?read=1")
        fields = re.findall(r'name="(criterion_\d+)"', page)
        scores = {field: str(rng.randint(1, 10)) for field in fields}
        status, _body, _location = client.request("save_review", f"/judge/assignments/{assignment}",
                                                  {"csrf_token": client.csrf(page), **scores,
                                                   "comment": f"评审意见 {number}",
                                                   "submit_review": "1"})
        if status in (302, 303):
            saved[int(assignment)] = {int(k.split("_")[1]): int(v) for k, v in scores.items()}
    return saved


def verify(env, saved):
    import os
    os.environ.update({key: env[key] for key in ("PORTAL_INSTANCE_PATH", "DATABASE_URL",
                                                 "SECRET_KEY")})
    from portal import create_app
    from portal.extensions import db
    from portal.models import Review
    problems = []
    with create_app().app_context():
        for assignment_id, scores in saved.items():
            review = db.session.scalar(db.select(Review).filter_by(assignment_id=assignment_id))
            stored = {s.criterion_id: int(s.value) for s in review.scores} if review else {}
            if stored != scores or review.submitted_at is None:
                problems.append(f"assignment {assignment_id}: saved {scores}, stored {stored}")
        db.session.remove()
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--judges", type=int, default=50)
    parser.add_argument("--reviews-each", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    slug = f"load-{uuid.uuid4().hex[:6]}"
    with tempfile.TemporaryDirectory() as temporary:
        instance = Path(temporary)
        url, created = database_url(args.database, instance)
        env = portal_env(instance, url)
        server = None
        try:
            flask(env, "db", "upgrade")
            flask(env, "seed-demo", "--contest", slug, "--proposals", str(args.judges * 2),
                  "--judges", str(args.judges), "--reviews-per-proposal", "2")
            server = Gunicorn(env, workers=args.workers)
            timings = {}
            with concurrent.futures.ThreadPoolExecutor(args.judges) as pool:
                results = list(pool.map(lambda n: judge_session(
                    server.base, slug, n, args.reviews_each, timings), range(1, args.judges + 1)))
        finally:
            if server is not None:
                server.stop()
        saved = {key: value for result in results for key, value in result.items()}
        problems = verify(env, saved)
        # Exceptions the portal logged: a retried request would otherwise hide them.
        problems += [f"server error: {error}" for error in server.server_errors()]
        drop_database(created)
    report = {"database": args.database, "judges": args.judges, "reviews_saved": len(saved),
              "problems": problems,
              "latency": {step: percentiles(values) for step, values in sorted(timings.items())}}
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    log("judges:", "ok" if not problems and saved else "FAILED", f"{len(saved)} reviews saved")
    return 0 if not problems and saved else 1


if __name__ == "__main__":
    sys.exit(main())
