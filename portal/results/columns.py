"""The ranking's columns, defined once: each column's key, header, value, format and meaning.

The ranked list (portal.results.views, templates/results/ranking.html) shows some of them and
the ranking sheet and CSV (portal.exports.ranking_sheets) write all of them, both from here, so
that the page and the file cannot call a column differently or show another figure in it
(tests/test_ranking_columns.py). A value is what a spreadsheet cell holds (a number stays a
number); its format gives the cell's number format and the text the page shows.
"""
from dataclasses import dataclass
from typing import Callable, NamedTuple

from flask_babel import gettext as _

from portal.i18n import part_names
from portal.results.forms import METHOD_LABELS
from portal.scoring import METHODS, SUBMISSION_TIME
from portal.scoring.bias_model import PRIOR_REVIEWS
from portal.scoring.methods import MIN_REVIEWS_TO_STANDARDIZE, SPREAD_FLOOR_PER_NINE_POINTS, \
    TRIM_FROM
from portal.scoring.uncertainty import DEFAULT_DRAWS, UNCERTAIN_HIGH, UNCERTAIN_LOW
from portal.timezones import to_beijing_naive


@dataclass(frozen=True)
class Format:
    """How a column's values are shown: `number_format` in the XLSX sheet, `text` on the page."""

    number_format: str | None
    text: Callable


def _text(value):
    return "" if value is None else str(value)


def _fixed(places):
    return lambda value: "" if value is None else f"{value:.{places}f}"


PLAIN = Format(None, _text)
# Scores in two decimals; the unclipped official score at the precision ranks are compared at.
SCORE = Format("0.00", _fixed(2))
PRECISE = Format("0.000000000", _fixed(9))
CHANCE = Format("0%", lambda value: "" if value is None else f"{round(100 * value)}%")
MONEY = Format("#,##0.00", lambda value: "" if value is None else f"{value:,.2f}")


class Line(NamedTuple):
    """What one proposal's columns are read from: its ranking row, the proposal's facts (a
    plain row), its interval, its award, and the round's figures about it (a tuple: made once
    per row of a 10,000-row sheet)."""

    row: object
    fact: object
    interval: dict
    award: object
    planned: int
    incomplete: int
    under_reviewed: bool


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    value: Callable          # Line -> the cell's value
    explanation: str
    format: Format = PLAIN

    def text(self, line):
        """The cell as the page shows it."""
        return self.format.text(self.value(line))


def lines(ranked, rows, awards=()):
    """The Line of each ranking row, in the order given."""
    award_of = {award.proposal_id: award for award in awards}
    return [Line(row, ranked.facts[row.proposal_id], ranked.intervals.get(row.proposal_id, {}),
                 award_of.get(row.proposal_id), ranked.planned.get(row.proposal_id, 0),
                 ranked.incomplete.get(row.proposal_id, 0), ranked.under_reviewed(row))
            for row in rows]


def clipped(score, scale):
    """A score within the scale (lowest, highest): the ranking itself uses the unclipped score,
    so two scores shown as 10.00 may rank 1 and 2."""
    if score is None:
        return None
    value = float(score)
    return value if scale is None else min(max(value, float(scale[0])), float(scale[1]))


def _number(value, places=4):
    return None if value is None else round(float(value), places)


def tie_break_name(contest, key, locale):
    """A tie-break key in words: "mean score on 创新性" or "earlier submission"."""
    if key == SUBMISSION_TIME:
        return _("earlier submission")
    criterion = next((c for c in contest.criteria if c.id == key), None)
    name = criterion.localized("name", locale) if criterion is not None else str(key)
    return _("mean score on %(criterion)s", criterion=name)


def method_settings(ranked):
    """The official method's settings and the uncertainty figures' settings, in words."""
    official = ranked.result.official
    if official == "bias_model":
        method = _("each judge's bias is shrunk toward 0 as if the judge had also given "
                   "%(prior)s reviews at the common level", prior=f"{PRIOR_REVIEWS:g}")
    elif official == "standardized":
        method = _("a judge's spread is taken as at least %(floor)s point on a 1-10 scale; "
                   "judges with fewer than %(reviews)d reviews keep their raw totals",
                   floor=f"{SPREAD_FLOOR_PER_NINE_POINTS:g}", reviews=MIN_REVIEWS_TO_STANDARDIZE)
    elif official == "trimmed":
        method = _("the highest and the lowest review are dropped from %(count)d reviews up",
                   count=TRIM_FROM)
    else:
        method = _("the mean of the review totals")
    return _("%(method)s; boundary: top %(boundary)d; too close to call: a chance inside "
             "between %(low)s and %(high)s, or fewer reviews than planned; 95%% intervals from "
             "%(draws)d posterior draws", method=method, boundary=ranked.boundary,
             low=CHANCE.text(UNCERTAIN_LOW), high=CHANCE.text(UNCERTAIN_HIGH),
             draws=DEFAULT_DRAWS)


def _tie_break_value(key, value):
    if key == SUBMISSION_TIME:
        moment = to_beijing_naive(value)
        return moment.isoformat(" ", timespec="microseconds") if moment is not None else None
    return value


def ranking_columns(ranked, locale):
    """Every column of the ranking, in the sheet's order (the page picks from them by key)."""
    contest = ranked.contest_round.contest
    result, boundary = ranked.result, ranked.boundary
    scale = result.scale
    themes = part_names(contest.themes, locale)
    entrant_types = part_names(contest.entrant_types, locale)
    yes = _("yes")
    key_names = {key: tie_break_name(contest, key, locale) for key in result.tie_break}
    method = str(METHOD_LABELS[result.official])
    settings = method_settings(ranked)
    order = " > ".join(key_names[key] for key in result.tie_break) or _("none")
    columns = [
        Column("rank", _("Rank"), lambda line: line.row.rank, _(
            "Overall rank by the official method (equal scores share a rank unless the "
            "tie-break separates them).")),
        Column("theme_rank", _("Rank in theme"), lambda line: line.row.theme_rank,
               _("Rank among the proposals of the same theme.")),
        Column("reference", _("Reference"), lambda line: line.fact.reference,
               _("The proposal's reference number.")),
        Column("title", _("Title"), lambda line: line.fact.title, _("The proposal's title.")),
        Column("theme", _("Theme"), lambda line: themes.get(line.fact.theme_id, ""),
               _("The proposal's theme.")),
        Column("entrant_type", _("Entrant type"),
               lambda line: entrant_types.get(line.fact.entrant_type_id, ""),
               _("The applicant's entrant type.")),
        Column("organization", _("Organization"), lambda line: line.fact.organization,
               _("The applicant's organization.")),
        Column("reviews", _("Reviews"), lambda line: line.row.review_count,
               _("Submitted reviews counted in the ranking.")),
        Column("planned", _("Reviews planned"), lambda line: line.planned,
               _("Judges assigned to the proposal in this round.")),
        Column("under_reviewed", _("Fewer reviews than planned"),
               lambda line: yes if line.under_reviewed else "",
               _("“yes” when some assigned judges have not submitted: the figures are less "
                 "certain.")),
        Column("incomplete", _("Reviews left out"), lambda line: line.incomplete, _(
            "Submitted reviews without a score on a criterion added after they were sent: not "
            "counted until completed.")),
        Column("score", _("Score"), lambda line: _number(clipped(line.row.score, scale), 2),
               _("The official score, shown within the scale."), SCORE),
        Column("official_unclipped", _("Official score (unclipped)"),
               lambda line: line.row.score, _(
                   "The official score at full precision, not clipped to the scale: the "
                   "ranking sorts on it. Scores within 0.000000001 of each other are equal."),
               PRECISE),
    ]
    for position, key in enumerate(result.tie_break, start=1):
        columns.append(Column(
            f"tie_break:{position}", _("Tie-break %(position)d: %(key)s", position=position,
                                       key=key_names[key]),
            lambda line, at=position - 1, key=key: None if line.row.score is None else
            _tie_break_value(key, line.row.tie_break_values[at]),
            _("Compared when the official scores are equal: a higher mean wins; an earlier "
              "submission (Beijing time) wins."),
            PLAIN if key == SUBMISSION_TIME else PRECISE))
    columns += [
        Column("tied", _("Tied"), lambda line: yes if line.row.tied else "",
               _("“yes” when the proposal shares its rank after every tie-break.")),
        Column("tie_broken_by", _("Tie broken by"),
               lambda line: "" if line.row.tie_broken_by is None
               else key_names[line.row.tie_broken_by],
               _("The tie-break that separated this proposal from one with an equal official "
                 "score.")),
    ]
    for name in METHODS:
        label = str(METHOD_LABELS[name])
        columns += [
            Column(f"score:{name}", _("%(method)s: score", method=label),
                   lambda line, name=name: _number(line.row.scores.get(name)),
                   _("The score by this method, for comparison (unclipped)."), SCORE),
            Column(f"rank:{name}", _("%(method)s: rank", method=label),
                   lambda line, name=name: line.row.ranks.get(name),
                   _("The rank by this method, for comparison."))]
    columns += [
        Column("interval_low", _("Interval low"),
               lambda line: _number(line.interval.get("score_low")),
               _("The quality's 95-percent credible interval, low end (unclipped); wider with "
                 "fewer reviews."), SCORE),
        Column("interval_high", _("Interval high"),
               lambda line: _number(line.interval.get("score_high")),
               _("The interval's high end (unclipped)."), SCORE),
        Column("rank_low", _("Best rank in the interval"),
               lambda line: line.interval.get("rank_low"),
               _("The best rank in 95 percent of the posterior draws.")),
        Column("rank_high", _("Worst rank in the interval"),
               lambda line: line.interval.get("rank_high"),
               _("The worst rank in 95 percent of the posterior draws.")),
        Column("chance", _("Chance in top %(boundary)d", boundary=boundary),
               lambda line: _number(line.interval.get("inside_probability"), 3), _(
                   "The probability (0 to 1) that the proposal truly belongs among the top "
                   "%(boundary)d, from a statistical model of all the round's scores.",
                   boundary=boundary), CHANCE),
        Column("flagged", _("Too close to call"),
               lambda line: yes if line.interval.get("flagged") else "", _(
                   "“yes” when the chance lies between %(low)s and %(high)s, or when it has "
                   "fewer reviews than planned and the chance is not below %(low)s.",
                   low=CHANCE.text(UNCERTAIN_LOW), high=CHANCE.text(UNCERTAIN_HIGH))),
        Column("method", _("Official method"), lambda line: method,
               _("The method that sets the rank.")),
        Column("method_settings", _("Method settings"), lambda line: settings,
               _("The method's settings and the uncertainty figures' settings.")),
        Column("tie_break_order", _("Tie-break order"), lambda line: order,
               _("The tie-breaks in the order they are applied.")),
        Column("award_tier", _("Award tier"),
               lambda line: line.award.tier.localized("name", locale) if line.award else "",
               _("The award given, if any.")),
        Column("grant", _("Grant (yuan)"),
               lambda line: line.award.grant if line.award else None,
               _("The grant of the award, if any."), MONEY),
    ]
    return columns
