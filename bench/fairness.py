"""Fairness simulation: how well each ranking method recovers true quality from biased judges."""
import argparse
import time

import numpy as np
from scipy.stats import kendalltau

from portal.scoring import METHODS, ProposalInput, ReviewInput, compute_ranking

PROPOSALS, POOLS, JUDGES_PER_POOL, JUDGES_PER_PROPOSAL = 500, 10, 4, 3
MEAN, QUALITY_SD, BIAS_SD, NOISE_SD, SCALE_SPREAD = 5.5, 1.5, 1.0, 1.0, 0.3
LOWEST, HIGHEST, TOP = 1, 10, 20
ORACLE = "oracle"


def simulate_round(rng, open_panels=False):
    """True qualities, judges' biases and scales, and the reviews: (proposal, judge, score).

    500 proposals in ten theme pools of 4 judges; each proposal is scored by 3 of its pool's
    judges (a random one left out), or by 3 of all 40 with `open_panels`. A judge's score is
        clip(round(5.5 + scale_j × (quality - 5.5) + bias_j + noise), 1, 10)
    with quality ~ N(5.5, 1.5), bias_j ~ N(0, 1), scale_j ~ U(0.7, 1.3), noise ~ N(0, 1): one
    total per review.
    """
    quality = rng.normal(MEAN, QUALITY_SD, PROPOSALS)
    judge_count = POOLS * JUDGES_PER_POOL
    bias = rng.normal(0, BIAS_SD, judge_count)
    scale = rng.uniform(1 - SCALE_SPREAD, 1 + SCALE_SPREAD, judge_count)
    pool = np.arange(PROPOSALS) % POOLS
    if open_panels:
        panels = [rng.choice(judge_count, JUDGES_PER_PROPOSAL, replace=False)
                  for _ in range(PROPOSALS)]
    else:
        left_out = rng.integers(0, JUDGES_PER_POOL, PROPOSALS)
        seats = np.arange(JUDGES_PER_POOL)
        panels = [pool[p] * JUDGES_PER_POOL + seats[seats != left_out[p]]
                  for p in range(PROPOSALS)]
    proposals = np.repeat(np.arange(PROPOSALS), JUDGES_PER_PROPOSAL)
    judges = np.concatenate(panels)
    noise = rng.normal(0, NOISE_SD, len(judges))
    raw = MEAN + scale[judges] * (quality[proposals] - MEAN) + bias[judges] + noise
    scores = np.clip(np.round(raw), LOWEST, HIGHEST)
    return quality, bias, scale, pool, proposals, judges, scores


def estimates(pool, proposals, judges, scores, bias, scale):
    """Method name -> estimated quality per proposal, the oracle's among them."""
    reviews = [ReviewInput(int(p), int(j), {"total": float(s)})
               for p, j, s in zip(proposals, judges, scores)]
    result = compute_ranking(reviews, {"total": 1},
                             [ProposalInput(p, theme=int(pool[p])) for p in range(PROPOSALS)])
    by_method = {name: np.empty(PROPOSALS) for name in METHODS}
    for row in result.rows:
        for name in METHODS:
            by_method[name][row.proposal_id] = row.scores[name]
    unbiased = MEAN + (scores - MEAN - bias[judges]) / scale[judges]
    by_method[ORACLE] = np.bincount(proposals, unbiased) / np.bincount(proposals)
    return by_method


def top_share(estimate, quality):
    # a stable sort leaves ties in proposal order, which is unrelated to quality
    chosen = np.argsort(-estimate, kind="stable")[:TOP]
    return len(set(chosen.tolist()) & set(np.argsort(-quality)[:TOP].tolist())) / TOP


def run(repetitions, seed, open_panels=False):
    """Method name -> (taus, top-20 shares) over the repetitions."""
    taus, tops = {}, {}
    for repetition in range(repetitions):
        rng = np.random.default_rng([seed, repetition])
        quality, bias, scale, pool, proposals, judges, scores = simulate_round(rng, open_panels)
        for name, estimate in estimates(pool, proposals, judges, scores, bias, scale).items():
            taus.setdefault(name, []).append(kendalltau(estimate, quality).statistic)
            tops.setdefault(name, []).append(top_share(estimate, quality))
    return {name: (np.array(taus[name]), np.array(tops[name])) for name in taus}


def main(argv=None):
    """Print each method's mean Kendall tau and top-20 share beside the oracle's, then the verdict.

    The oracle knows each judge's bias and scale and undoes them. The verdict line names the
    method closest to the oracle: the highest tau, as the oracle is in practice their ceiling.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repetitions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--open-panels", action="store_true",
                        help="draw each proposal's judges from all 40, not its theme pool")
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    results = run(arguments.repetitions, arguments.seed, arguments.open_panels)
    design = "open panels" if arguments.open_panels else "theme pools"
    print(f"{design}, {arguments.repetitions} repetitions, seed {arguments.seed}, "
          f"{time.perf_counter() - started:.1f} s")
    print("| method | Kendall tau (± s.e.) | true top 20 recovered |")
    print("|---|---|---|")
    for name, (taus, tops) in results.items():
        error = taus.std(ddof=1) / np.sqrt(len(taus)) if len(taus) > 1 else 0.0
        print(f"| {name} | {taus.mean():.3f} ± {error:.3f} | {tops.mean():.3f} |")
    best = max(METHODS, key=lambda name: results[name][0].mean())
    print(f"official={best} tau={results[best][0].mean():.3f} "
          f"oracle_tau={results[ORACLE][0].mean():.3f} top20={results[best][1].mean():.3f}")


if __name__ == "__main__":
    main()
