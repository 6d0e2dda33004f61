"""Fairness simulation of the portal's own pipeline: its planner, its default method, its flags.

    python bench/fairness.py [--seed 2014] [--min-repetitions 20] [--max-repetitions 400]

Each repetition simulates a contest of 500 proposals in ten themes, four judges per theme, each
proposal reviewed by three judges assigned by the portal's planner at its default settings
(portal.assignment.plan_assignments: two from the theme's pool, one from another theme). The
proposals are ranked by every method of portal.scoring, the official one being the default of a
new contest (Contest.ranking_method), and the boundary figures come from
portal.scoring.rank_uncertainty at the top 20. Prints, per theme-effect scenario (the spread of
the true quality between themes: 0, 0.3, 0.6), each method's Kendall tau against the truth,
then one line
    scenario theme_sd=<sd> official=<method> tau=<t> plain_tau=<p> oracle_tau=<o> top20=<k>
    flagged=<n> se=<s> flag_in=<x> unflagged_in=<y>
and last `official=<method> tau=<t> oracle_tau=<o> top20=<k>` for the scenario without a theme
effect. Repetitions continue until each tau's standard error is at most 0.005.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np
from scipy.stats import kendalltau

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from portal.assignment import Judge, Proposal, plan_assignments  # noqa: E402
from portal.assignment.planner import CROSS_THEME_SEATS  # noqa: E402
from portal.scoring import METHODS, ProposalInput, ReviewInput, compute_ranking, \
    rank_uncertainty  # noqa: E402

PROPOSALS, POOLS, JUDGES_PER_POOL, JUDGES_PER_PROPOSAL = 500, 10, 4, 3
MEAN, QUALITY_SD, BIAS_SD, NOISE_SD, SCALE_SPREAD = 5.5, 1.5, 1.0, 1.0, 0.3
LOWEST, HIGHEST, TOP = 1, 10, 20
THEME_SDS = (0.0, 0.3, 0.6)
ORACLE = "oracle"
TARGET_SE = 0.005
# The posterior's draws for the flags: enough for a probability to within about 0.02.
DRAWS = 400


def default_method():
    """The official method of a new contest, as the model declares it."""
    from portal.models import Contest
    return Contest.__table__.c.ranking_method.default.arg


def planned_panels(cross_theme_seats=CROSS_THEME_SEATS):
    """(proposals, judges) of the portal's plan (by default, at its default settings): the same
    every repetition, as a contest's judges and themes are; who is strict, and how good each
    proposal is, vary."""
    pool = np.arange(PROPOSALS) % POOLS
    judges = [Judge(j, expertise={f"theme{j // JUDGES_PER_POOL}"})
              for j in range(POOLS * JUDGES_PER_POOL)]
    plan = plan_assignments([Proposal(p, f"theme{pool[p]}") for p in range(PROPOSALS)], judges,
                            JUDGES_PER_PROPOSAL, cross_theme_seats=cross_theme_seats)
    pairs = np.array([(a.proposal_id, a.judge_id) for a in plan.new])
    return pool, pairs[:, 0], pairs[:, 1], plan.component_count


def simulate_round(rng, theme_sd, pool, proposals, judges):
    """True qualities, judges' biases and scales, and one total per review.

    quality = 5.5 + theme effect + N(0, 1.5), the theme effect N(0, theme_sd) per theme; a
    judge's score is clip(round(5.5 + scale_j × (quality - 5.5) + bias_j + noise), 1, 10) with
    bias_j ~ N(0, 1), scale_j ~ U(0.7, 1.3), noise ~ N(0, 1).
    """
    theme_effect = rng.normal(0, theme_sd, POOLS) if theme_sd else np.zeros(POOLS)
    quality = MEAN + theme_effect[pool] + rng.normal(0, QUALITY_SD, PROPOSALS)
    judge_count = POOLS * JUDGES_PER_POOL
    bias = rng.normal(0, BIAS_SD, judge_count)
    scale = rng.uniform(1 - SCALE_SPREAD, 1 + SCALE_SPREAD, judge_count)
    noise = rng.normal(0, NOISE_SD, len(judges))
    raw = MEAN + scale[judges] * (quality[proposals] - MEAN) + bias[judges] + noise
    return quality, bias, scale, np.clip(np.round(raw), LOWEST, HIGHEST)


def evaluate(rng, theme_sd, design, official):
    """Per method its (tau, top-20 share); and the official flags' (count, in, unflagged in)."""
    pool, proposals, judges, _components = design
    quality, bias, scale, scores = simulate_round(rng, theme_sd, pool, proposals, judges)
    reviews = [ReviewInput(int(p), int(j), {"total": float(s)})
               for p, j, s in zip(proposals, judges, scores)]
    inputs = [ProposalInput(p, theme=int(pool[p])) for p in range(PROPOSALS)]
    result = compute_ranking(reviews, {"total": 1}, inputs, official=official)
    estimates = {name: np.empty(PROPOSALS) for name in METHODS}
    for row in result.rows:
        for name in METHODS:
            estimates[name][row.proposal_id] = row.scores[name]
    unbiased = MEAN + (scores - MEAN - bias[judges]) / scale[judges]
    estimates[ORACLE] = np.bincount(proposals, unbiased) / np.bincount(proposals)
    truly_in = np.zeros(PROPOSALS, dtype=bool)
    truly_in[np.argsort(-quality)[:TOP]] = True
    figures = {name: (kendalltau(estimate, quality).statistic,
                      truly_in[np.argsort(-estimate, kind="stable")[:TOP]].mean())
               for name, estimate in estimates.items()}
    return figures, flag_figures(reviews, inputs, result, truly_in)


def flag_figures(reviews, inputs, result, truly_in):
    """(flagged, flagged and truly in, unflagged ranked inside, of those truly in)."""
    uncertainty = rank_uncertainty(reviews, {"total": 1}, inputs, boundary=TOP,
                                   planned={p: JUDGES_PER_PROPOSAL for p in range(PROPOSALS)},
                                   draws=DRAWS)
    flagged = np.array([item.flagged for item in uncertainty.proposals])
    ranked_in = np.zeros(PROPOSALS, dtype=bool)
    ranked_in[[row.proposal_id for row in result.rows if row.rank <= TOP]] = True
    return (int(flagged.sum()), int((flagged & truly_in).sum()),
            int((ranked_in & ~flagged).sum()), int((ranked_in & ~flagged & truly_in).sum()))


def standard_error(values):
    return float(np.std(values, ddof=1) / np.sqrt(len(values))) if len(values) > 1 else np.inf


def run_scenario(theme_sd, seed, design, official, min_repetitions, max_repetitions):
    """Repeat until each of the official, plain and oracle taus has a standard error at most
    TARGET_SE (at least min_repetitions, at most max_repetitions)."""
    taus, tops, flags = {}, {}, []
    repetition = 0
    while repetition < max_repetitions:
        rng = np.random.default_rng([seed, int(theme_sd * 1000), repetition])
        figures, flag_counts = evaluate(rng, theme_sd, design, official)
        for name, (tau, top) in figures.items():
            taus.setdefault(name, []).append(tau)
            tops.setdefault(name, []).append(top)
        flags.append(flag_counts)
        repetition += 1
        if repetition >= min_repetitions and max(
                standard_error(taus[name]) for name in (official, "plain", ORACLE)) <= TARGET_SE:
            break
    return taus, tops, np.array(flags)


def scenario_line(theme_sd, official, taus, tops, flags):
    flagged, flagged_in, unflagged, unflagged_in = flags.sum(axis=0)
    se = max(standard_error(taus[name]) for name in (official, "plain", ORACLE))
    return (f"scenario theme_sd={theme_sd:g} official={official} "
            f"tau={np.mean(taus[official]):.3f} plain_tau={np.mean(taus['plain']):.3f} "
            f"oracle_tau={np.mean(taus[ORACLE]):.3f} top20={np.mean(tops[official]):.3f} "
            f"flagged={flagged / len(flags):.1f} se={se:.3f} "
            f"flag_in={flagged_in / max(flagged, 1):.3f} "
            f"unflagged_in={unflagged_in / max(unflagged, 1):.3f}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2014)
    parser.add_argument("--min-repetitions", type=int, default=20)
    parser.add_argument("--max-repetitions", type=int, default=400)
    parser.add_argument("--theme-sd", type=float, action="append",
                        help="a theme-effect scenario (repeatable); default 0, 0.3 and 0.6")
    parser.add_argument("--cross-theme-seats", type=int, default=CROSS_THEME_SEATS,
                        help="the planner's setting (0: theme pools only, not connected)")
    arguments = parser.parse_args(argv)
    official = default_method()
    design = planned_panels(arguments.cross_theme_seats)
    started = time.perf_counter()
    lines = []
    print(f"design: {PROPOSALS} proposals, {POOLS} themes of {JUDGES_PER_POOL} judges, "
          f"k={JUDGES_PER_PROPOSAL}, the portal's plan with {arguments.cross_theme_seats} "
          f"cross-theme seat(s) ({design[3]} component(s))")
    for theme_sd in arguments.theme_sd or THEME_SDS:
        taus, tops, flags = run_scenario(theme_sd, arguments.seed, design, official,
                                         arguments.min_repetitions, arguments.max_repetitions)
        print(f"theme_sd={theme_sd:g}: {len(flags)} repetitions, "
              f"{time.perf_counter() - started:.0f} s so far")
        print("| method | Kendall tau (± s.e.) | true top 20 recovered |")
        print("|---|---|---|")
        for name in taus:
            print(f"| {name} | {np.mean(taus[name]):.3f} ± {standard_error(taus[name]):.3f} "
                  f"| {np.mean(tops[name]):.3f} |")
        lines.append((theme_sd, taus, tops))
        print(scenario_line(theme_sd, official, taus, tops, flags))
    _sd, taus, tops = lines[0]
    print(f"official={official} tau={np.mean(taus[official]):.3f} "
          f"oracle_tau={np.mean(taus[ORACLE]):.3f} top20={np.mean(tops[official]):.3f}")


if __name__ == "__main__":
    main()
