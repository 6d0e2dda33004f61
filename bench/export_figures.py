"""The portal's exports of a whole contest, in-process, as the download buttons write them.

    python bench/export_figures.py CONTEST_SLUG [--runs 5]

Needs the portal's environment. Figures: the ranking as CSV (portal.exports write_export, the
ranking included), the same sheet's rows written as CSV and as XLSX (the sheet already built),
and the reviews sheet (one row per review) as CSV. Each run is a fresh app context; nothing is
committed, so the audit events of the runs are not kept. Prints medians as JSON.
"""
import argparse
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ORGANIZER_EMAIL, emit, timed  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("contest")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    from portal import create_app
    from portal.contests.services import contest_by_slug
    from portal.exports import services
    from portal.exports.formats import write_csv, write_xlsx
    from portal.exports.ranking_sheets import ranking_sheet
    from portal.exports.sheets import ExportOptions, judge_codes, reviews_sheet
    from portal.extensions import db
    from portal.models import User
    from portal.results.ranking import round_ranking

    app = create_app()
    sizes = {}

    def in_request(work):
        def run():
            with app.test_request_context():
                try:
                    contest = contest_by_slug(args.contest)
                    return work(contest, ExportOptions(contest.current_round))
                finally:
                    db.session.rollback()
        return run

    def csv_export(contest, options):
        organizer = db.session.scalar(db.select(User).filter_by(email=ORGANIZER_EMAIL))
        out = io.BytesIO()
        services.write_export(organizer, contest, "csv", options, out)
        sizes["csv_export"] = out.tell()

    built = {}

    def build(contest, options):
        ranked = round_ranking(contest, options.contest_round)
        db.session.commit()
        built["ranking"] = ranking_sheet(ranked, [])
        built["ranking"].rows = list(built["ranking"].rows)

    def reviews_csv(contest, options):
        out = io.BytesIO()
        write_csv(reviews_sheet(contest, options, judge_codes(contest)), out)
        sizes["reviews_csv"] = out.tell()

    def write(writer, key):
        def run():
            out = io.BytesIO()
            writer([built["ranking"]] if writer is write_xlsx else built["ranking"], out)
            sizes[key] = out.tell()
        return run

    in_request(build)()
    figures = {
        "csv_export": timed(in_request(csv_export), args.runs),
        "csv_rows": timed(write(write_csv, "csv_rows"), args.runs),
        "xlsx_rows": timed(write(write_xlsx, "xlsx_rows"), max(3, args.runs // 2), 1),
        "reviews_csv": timed(in_request(reviews_csv), max(3, args.runs // 2), 1),
    }
    emit({name: figure["median_ms"] for name, figure in figures.items()}
         | {"bytes": sizes, "rows": len(built["ranking"].rows),
            "columns": len(built["ranking"].header), "detail": figures})


if __name__ == "__main__":
    main()
