"""Floor of the ranking: one plain SQL query for the round's scores, then numpy.

    python bench/floor_ranking.py DSN CONTEST_SLUG [--runs 9]

What the contest's official method needs and nothing more, for the method the contest is set
to (`contests.ranking_method`; a seeded contest has the default, `bias_model` since migration
0007). The scores of the round's submitted reviews are fetched with the DB-API module and turned
into review totals (weighted mean of the criteria); then, for `bias_model` (the floor re-derived
in issue 26, when it was found to be still the standardized method's): the judge-bias model's
normal equations, reduced to the judges, (diag(n_j) + lambda I - N diag(1/n_p) N^T) b = s_j -
N (s_p / n_p), built with scipy.sparse and solved by sparse LU as docs/ranking.md defines them,
each proposal's quality (s_p - N^T b) / n_p, and competition ranks; for `standardized`, each
judge's mean and spread, z-scores mapped onto the totals' scale, each proposal's mean, clipped,
and competition ranks. `floor_ms` is the official method's floor; `standardized_floor_ms` the
standardized floor that was the official one until issue 26 (kept for comparison), and a
second standardized floor does it in one SQL query with window functions. No tie-break, no
conflict check, no judge statistics: what the bare method needs. Prints the medians as JSON.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, diags
from scipy.sparse.linalg import spsolve

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import connect, emit, placeholder, timed  # noqa: E402

SCORES_SQL = """
SELECT a.proposal_id, a.judge_id, s.review_id, s.criterion_id, s.value
FROM scores s JOIN reviews r ON r.id = s.review_id JOIN assignments a ON a.id = r.assignment_id
WHERE a.round_id = {p} AND r.submitted_at IS NOT NULL
"""

# The same method in SQL alone: totals, per-judge moments, z-scores, proposal means, ranks.
WINDOW_SQL = """
WITH totals AS (
  SELECT a.proposal_id, a.judge_id, SUM(s.value * c.weight) * 1.0 / SUM(c.weight) AS total
  FROM scores s JOIN reviews r ON r.id = s.review_id JOIN assignments a ON a.id = r.assignment_id
  JOIN criteria c ON c.id = s.criterion_id
  WHERE a.round_id = {p} AND r.submitted_at IS NOT NULL
  GROUP BY r.id, a.proposal_id, a.judge_id),
moments AS (
  SELECT proposal_id, total,
         AVG(total) OVER (PARTITION BY judge_id) AS judge_mean,
         AVG(total * total) OVER (PARTITION BY judge_id) AS judge_square,
         COUNT(*) OVER (PARTITION BY judge_id) AS judge_count,
         AVG(total) OVER () AS overall_mean,
         AVG(total * total) OVER () AS overall_square,
         COUNT(*) OVER () AS overall_count
  FROM totals),
scored AS (
  SELECT proposal_id, AVG(overall_mean + (total - judge_mean)
         / SQRT((judge_square - judge_mean * judge_mean) * judge_count / (judge_count - 1))
         * SQRT((overall_square - overall_mean * overall_mean) * overall_count
                / (overall_count - 1))) AS score
  FROM moments GROUP BY proposal_id)
SELECT proposal_id, score, RANK() OVER (ORDER BY score DESC) FROM scored
ORDER BY score DESC, proposal_id
"""


# The judge-bias model's ridge penalty, in reviews (portal.scoring.bias_model.PRIOR_REVIEWS; a
# floor imports nothing of the portal).
PRIOR_REVIEWS = 2.0


def round_of(connection, slug):
    p = placeholder(connection)
    return connection.execute(
        f"SELECT r.id, c.id FROM rounds r JOIN contests c ON c.id = r.contest_id "
        f"WHERE c.slug = {p} ORDER BY r.position LIMIT 1", (slug,)).fetchone()


def criteria_of(connection, contest_id):
    p = placeholder(connection)
    return connection.execute(
        f"SELECT id, weight, scale_min, scale_max FROM criteria WHERE contest_id = {p}",
        (contest_id,)).fetchall()


def fetch_scores(connection, round_id):
    rows = connection.execute(SCORES_SQL.format(p=placeholder(connection)),
                              (round_id,)).fetchall()
    return np.array(rows, dtype=float).reshape(len(rows), 5)


def method_of(connection, contest_id):
    """The contest's official ranking method."""
    return connection.execute(
        f"SELECT ranking_method FROM contests WHERE id = {placeholder(connection)}",
        (contest_id,)).fetchone()[0]


def review_totals(scores, criteria):
    """(totals, judge index, proposal index, proposal ids, judge count, scale): a total, a
    judge and a proposal per review."""
    ids, weights = np.array([[c[0], float(c[1])] for c in criteria]).T
    weight_of = np.zeros(int(ids.max()) + 1)
    weight_of[ids.astype(np.intp)] = weights
    low = float(np.dot([float(c[2]) for c in criteria], weights) / weights.sum())
    high = float(np.dot([float(c[3]) for c in criteria], weights) / weights.sum())
    proposal, judge, review, criterion, value = scores.T
    _reviews, first, review_index = np.unique(review, return_index=True, return_inverse=True)
    weight = weight_of[criterion.astype(np.intp)]
    totals = np.bincount(review_index, value * weight) / np.bincount(review_index, weight)
    judge_ids, judge_index = np.unique(judge[first], return_inverse=True)
    proposal_ids, proposal_index = np.unique(proposal[first], return_inverse=True)
    return totals, judge_index, proposal_index, proposal_ids, len(judge_ids), (low, high)


def competition_ranks(proposal_ids, score):
    """(proposal ids, scores, competition ranks), best first; equal scores by id."""
    order = np.lexsort((proposal_ids, -score))
    ordered = score[order]
    new_value = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    ranks = np.maximum.accumulate(np.where(new_value, np.arange(1, len(order) + 1), 0))
    return proposal_ids[order].astype(np.int64), ordered, ranks


def fit_bias_model(totals, judges, proposals, judge_count):
    """(each proposal's quality, each judge's bias) of the judge-bias model."""
    per_proposal = 1.0 / np.bincount(proposals)
    proposal_sums = np.bincount(proposals, totals)
    counts = csr_matrix((np.ones(len(totals)), (judges, proposals)),
                        shape=(judge_count, len(per_proposal)))
    system = diags(np.bincount(judges, minlength=judge_count) + PRIOR_REVIEWS) \
        - counts.multiply(per_proposal) @ counts.T
    bias = spsolve(system.tocsc(), np.bincount(judges, totals, minlength=judge_count)
                   - counts @ (proposal_sums * per_proposal))
    return (proposal_sums - counts.T @ bias) * per_proposal, bias


def rank_bias_model(scores, criteria):
    """(proposal ids, qualities, competition ranks), best first, by the judge-bias model."""
    totals, judges, proposals, proposal_ids, judge_count, _scale = review_totals(scores,
                                                                                 criteria)
    quality, _bias = fit_bias_model(totals, judges, proposals, judge_count)
    return competition_ranks(proposal_ids, quality)


def rank_standardized(scores, criteria):
    """(proposal ids, scores, competition ranks), best first, by per-judge standardized
    scores (the official method's floor until issue 26)."""
    totals, judges, proposals, proposal_ids, _judge_count, (low, high) = review_totals(
        scores, criteria)
    count = np.bincount(judges)
    mean = np.bincount(judges, totals) / count
    sd = np.sqrt(np.bincount(judges, (totals - mean[judges]) ** 2) / (count - 1))
    standardized = totals.mean() + (totals - mean[judges]) / sd[judges] * totals.std(ddof=1)
    score = np.clip(np.bincount(proposals, standardized) / np.bincount(proposals), low, high)
    return competition_ranks(proposal_ids, score)


def window_ranking(connection, round_id):
    return connection.execute(WINDOW_SQL.format(p=placeholder(connection)),
                              (round_id,)).fetchall()


def open_contest(argv, description, runs):
    """A floor's command line (DSN CONTEST [--runs N]): the runs, a connection, the contest's
    first round id, its id and its criteria."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("dsn")
    parser.add_argument("contest")
    parser.add_argument("--runs", type=int, default=runs)
    args = parser.parse_args(argv)
    connection = connect(args.dsn)
    round_id, contest_id = round_of(connection, args.contest)
    return args.runs, connection, round_id, contest_id, criteria_of(connection, contest_id)


FLOORS = {"bias_model": rank_bias_model, "standardized": rank_standardized}


def main(argv=None):
    runs, connection, round_id, contest_id, criteria = open_contest(argv, __doc__, 9)
    method = method_of(connection, contest_id)
    if method not in FLOORS:
        raise SystemExit(f"no floor for the ranking method {method!r}")
    rank = FLOORS[method]
    query = timed(lambda: fetch_scores(connection, round_id), runs)
    scores = fetch_scores(connection, round_id)
    compute = timed(lambda: rank(scores, criteria), runs)
    floor = timed(lambda: rank(fetch_scores(connection, round_id), criteria), runs)
    standardized = timed(lambda: rank_standardized(fetch_scores(connection, round_id), criteria),
                         runs)
    window = timed(lambda: window_ranking(connection, round_id), max(3, runs // 2), 1)
    ids, _score, _ranks = rank(scores, criteria)
    emit({"method": method, "floor_ms": floor["median_ms"], "query_ms": query["median_ms"],
          "numpy_ms": compute["median_ms"], "standardized_floor_ms": standardized["median_ms"],
          "window_sql_ms": window["median_ms"], "score_rows": len(scores),
          "proposals": len(ids), "detail": floor, "top": ids[:5].tolist(),
          "started": time.time()})


if __name__ == "__main__":
    main()
