"""The portal's ranking of a whole contest, in-process, as a request computes it.

    python bench/ranking_figures.py CONTEST_SLUG [--runs 7]

Needs the portal's environment (PORTAL_INSTANCE_PATH, DATABASE_URL). Each run is a fresh app
context, as a request is: the contest is read again and nothing is cached in the session.
Figures: the official method alone (the round's inputs read as round_ranking reads them, then
that method's scores and ranks), every method (round_ranking without intervals, what
compute_ranking returns, the process's ranking cache emptied first), a page view (round_ranking
as a view calls it: the ranking cached for the current inputs), the first view after a change
(the ranking computed again, the uncertainty read from its stored snapshot), and the uncertainty
(1,000 draws, once per change of scores). Prints medians as JSON.
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import emit, timed  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("contest")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    from portal import create_app
    from portal.contests.services import contest_by_slug
    from portal.extensions import db
    from portal.results import ranking
    from portal.scoring import compute_ranking, rank_uncertainty
    from portal.scoring.engine import rank_scores, tie_break_levels
    from portal.scoring.methods import METHODS, fit_adjustments, method_scores
    from portal.scoring.table import build_table

    app = create_app()

    def in_request(work):
        def run():
            with app.test_request_context():
                try:
                    return work(contest_by_slug(args.contest))
                finally:
                    db.session.rollback()
        return run

    def official_only(contest):
        reviews, criteria, proposals = ranking._inputs(contest, contest.current_round)[1:4]
        table = build_table(reviews, criteria, proposals)
        adjustments = fit_adjustments(table)
        scores = method_scores(METHODS[contest.ranking_method], table, adjustments)
        return rank_scores(scores, tie_break_levels(table, ranking.tie_break_keys(contest)))

    def inputs(contest):
        return ranking._inputs(contest, contest.current_round)

    captured = {}

    def capture(contest):
        captured["inputs"] = ranking._inputs(contest, contest.current_round)
        captured["keys"] = ranking.tie_break_keys(contest)
        captured["method"] = contest.ranking_method
        captured["boundary"] = ranking.ranking_boundary(contest)

    in_request(capture)()
    reviews, criteria, proposals = captured["inputs"][1:4]

    def engine_all():
        return compute_ranking(reviews, criteria, proposals, official=captured["method"],
                               tie_break=captured["keys"])

    def uncertainty():
        return rank_uncertainty(reviews, criteria, proposals, boundary=captured["boundary"])

    def page_view(contest):
        return ranking.round_ranking(contest)   # the first call stores the uncertainty

    def every_method(contest):
        ranking.forget_computed_rankings()
        return ranking.round_ranking(contest, with_intervals=False)

    def after_change(contest):
        ranking.forget_computed_rankings()
        return ranking.round_ranking(contest)

    def stale_cache(contest):
        db.session.execute(db.delete(ranking.RankingSnapshot))
        db.session.commit()
        return after_change(contest)

    runs = args.runs
    figures = {
        "official": timed(in_request(official_only), runs),
        "all_methods": timed(in_request(every_method), runs),
        "page_view": timed(in_request(page_view), runs),
        "first_view_after_change": timed(in_request(after_change), runs),
        "inputs": timed(in_request(inputs), runs),
        "engine_all_methods": timed(engine_all, runs),
        "uncertainty": timed(uncertainty, max(2, runs // 3), 0),
        "uncertainty_stored": timed(in_request(stale_cache), 1, 0),
    }
    in_request(page_view)()   # leave a fresh snapshot for the pages that follow
    emit({name: figure["median_ms"] for name, figure in figures.items()}
         | {"detail": figures, "reviews": len(reviews), "proposals": len(proposals)})


if __name__ == "__main__":
    main()
