"""The whole export of a contest as the job builds it: the XLSX workbook and the ZIP of CSVs.

    python bench/workbook_figures.py CONTEST_SLUG [--runs 3]

Needs the portal's environment. A contest above PORTAL_BACKGROUND_EXPORT_ROWS proposals gets its
XLSX and ZIP from a job (portal.prepared): each run asks for the file as the download button
does (the organizer, the current round, no names, no comments; a PreparedFile row, committed),
then runs the job's own function, `build_prepared_file`, in this process and times it: claim,
ranking, the six sheets read and written to the instance folder, done. The process's ranking
cache is emptied before each run, so that the build computes its ranking (the uncertainty
figures read from their stored snapshot) as a job does after a change. Also the process's peak
RSS after the builds. Prints medians as JSON.
"""
import argparse
import resource
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ORGANIZER_EMAIL, emit  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("contest")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    from portal import create_app
    from portal.contests.services import contest_by_slug
    from portal.extensions import db
    from portal.models import FileStatus, PreparedFile, User, utcnow
    from portal.prepared.services import build_prepared_file, file_path
    from portal.results.ranking import forget_computed_rankings

    app = create_app({"JOBS_IMMEDIATE": False})
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    def asked(fmt):
        """A file asked for and committed, as the download does (the job is not queued)."""
        with app.test_request_context():
            organizer = db.session.scalar(db.select(User).filter_by(email=ORGANIZER_EMAIL))
            contest = contest_by_slug(args.contest)
            prepared = PreparedFile(requested_by_id=organizer.id, contest_id=contest.id,
                                    kind=fmt, status=FileStatus.QUEUED, progress=0,
                                    attempts=0,
                                    arguments={"round": contest.current_round.code,
                                               "judge_names": False, "comments": False,
                                               "themes": None, "locale": "zh_Hans_CN"},
                                    expires_at=utcnow() + timedelta(hours=1))
            db.session.add(prepared)
            db.session.commit()
            return prepared.id

    def built(file_id):
        with app.app_context():
            prepared = db.session.get(PreparedFile, file_id)
            path = file_path(prepared)
            if path is None:
                raise RuntimeError(f"file {file_id} not built: {prepared.status} {prepared.error}")
            size = path.stat().st_size
            path.unlink()
            db.session.delete(prepared)
            db.session.commit()
            return size

    figures, sizes = {}, {}
    for fmt in ("xlsx", "zip"):
        times = []
        for run in range(args.runs + 1):    # the first run warms up
            file_id = asked(fmt)
            forget_computed_rankings()
            with app.app_context():     # the job's own context is made inside
                started = time.perf_counter()
                build_prepared_file.call_local(file_id)
                elapsed = (time.perf_counter() - started) * 1000
            sizes[fmt] = built(file_id)
            if run:
                times.append(elapsed)
        times.sort()
        figures[fmt] = {"median_ms": round(times[len(times) // 2], 1),
                        "min_ms": round(times[0], 1), "max_ms": round(times[-1], 1),
                        "runs": len(times)}
    emit({name: figure["median_ms"] for name, figure in figures.items()}
         | {"bytes": sizes, "detail": figures, "peak_rss_mb_before": round(rss_before, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)})


if __name__ == "__main__":
    main()
