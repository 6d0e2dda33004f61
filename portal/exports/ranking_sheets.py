"""The ranking sheet (also the ranking CSV) and the sheet that explains its columns.

Every rank can be recomputed from the sheet alone: sort by the official score (scores within
0.000000001 of each other are equal), then by each tie-break column in the tie-break order
(a mean score: higher first; a submission time: earlier first); proposals equal on all of them
share a rank, and the next rank skips as many places (1, 2, 2, 4).
"""
from flask_babel import gettext as _

from portal.exports.formats import Sheet
from portal.exports.sheets import MONEY, SCORE, _name, _number
from portal.i18n import current_locale, part_names
from portal.results.forms import METHOD_LABELS
from portal.results.services import display_probability, display_score
from portal.scoring import METHODS, SUBMISSION_TIME
from portal.scoring.bias_model import PRIOR_REVIEWS
from portal.scoring.methods import MIN_REVIEWS_TO_STANDARDIZE, SPREAD_FLOOR_PER_NINE_POINTS, \
    TRIM_FROM
from portal.scoring.uncertainty import DEFAULT_DRAWS, UNCERTAIN_HIGH, UNCERTAIN_LOW
from portal.timezones import to_beijing_naive

PRECISE = "0.000000000"


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
             low=display_probability(UNCERTAIN_LOW), high=display_probability(UNCERTAIN_HIGH),
             draws=DEFAULT_DRAWS)


def _key_value(key, value):
    if key == SUBMISSION_TIME:
        moment = to_beijing_naive(value)
        return moment.isoformat(" ", timespec="microseconds") if moment is not None else None
    return value


def ranking_columns(ranked, locale):
    """(label, number format, explanation) of each column of the ranking sheet, in order."""
    contest = ranked.contest_round.contest
    boundary = ranked.boundary
    columns = [
        (_("Rank"), None, _("Overall rank by the official method (equal scores share a rank "
                            "unless the tie-break separates them).")),
        (_("Rank in theme"), None, _("Rank among the proposals of the same theme.")),
        (_("Reference"), None, _("The proposal's reference number.")),
        (_("Title"), None, _("The proposal's title.")),
        (_("Theme"), None, _("The proposal's theme.")),
        (_("Entrant type"), None, _("The applicant's entrant type.")),
        (_("Organization"), None, _("The applicant's organization.")),
        (_("Reviews"), None, _("Submitted reviews counted in the ranking.")),
        (_("Reviews planned"), None, _("Judges assigned to the proposal in this round.")),
        (_("Fewer reviews than planned"), None, _("“yes” when some assigned judges have not "
                                                  "submitted: the figures are less certain.")),
        (_("Reviews left out"), None, _("Submitted reviews without a score on a criterion "
                                        "added after they were sent: not counted until "
                                        "completed.")),
        (_("Score"), SCORE, _("The official score, shown within the scale.")),
        (_("Official score (unclipped)"), PRECISE, _(
            "The official score at full precision, not clipped to the scale: the ranking "
            "sorts on it. Scores within 0.000000001 of each other are equal.")),
    ]
    for position, key in enumerate(ranked.result.tie_break, start=1):
        columns.append((_("Tie-break %(position)d: %(key)s", position=position,
                          key=tie_break_name(contest, key, locale)),
                        None if key == SUBMISSION_TIME else PRECISE,
                        _("Compared when the official scores are equal: a higher mean wins; "
                          "an earlier submission (Beijing time) wins.")))
    columns += [
        (_("Tied"), None, _("“yes” when the proposal shares its rank after every tie-break.")),
        (_("Tie broken by"), None, _("The tie-break that separated this proposal from one "
                                     "with an equal official score.")),
    ]
    for method in METHODS:
        label = str(METHOD_LABELS[method])
        columns += [(_("%(method)s: score", method=label), SCORE,
                     _("The score by this method, for comparison (unclipped).")),
                    (_("%(method)s: rank", method=label), None,
                     _("The rank by this method, for comparison."))]
    columns += [
        (_("Interval low"), SCORE, _("The quality's 95-percent credible interval, low end "
                                     "(unclipped); wider with fewer reviews.")),
        (_("Interval high"), SCORE, _("The interval's high end (unclipped).")),
        (_("Best rank in the interval"), None, _("The best rank in 95 percent of the posterior "
                                                 "draws.")),
        (_("Worst rank in the interval"), None, _("The worst rank in 95 percent of the posterior "
                                                  "draws.")),
        (_("Chance in top %(boundary)d", boundary=boundary), "0.000", _(
            "The probability (0 to 1) that the proposal truly belongs among the top "
            "%(boundary)d, from a statistical model of all the round's scores.",
            boundary=boundary)),
        (_("Too close to call"), None, _("“yes” when the chance lies between %(low)s and "
                                         "%(high)s, or when it has fewer reviews than "
                                         "planned and the chance is not below %(low)s.",
                                         low=display_probability(UNCERTAIN_LOW),
                                         high=display_probability(UNCERTAIN_HIGH))),
        (_("Official method"), None, _("The method that sets the rank.")),
        (_("Method settings"), None, _("The method's settings and the uncertainty "
                                       "figures' settings.")),
        (_("Tie-break order"), None, _("The tie-breaks in the order they are applied.")),
        (_("Award tier"), None, _("The award given, if any.")),
        (_("Grant (yuan)"), MONEY, _("The grant of the award, if any.")),
    ]
    return columns


def ranking_sheet(ranked, awards):
    """One row per proposal of the round, official order: ranks, scores, what broke each tie,
    reviews against planned, uncertainty figures, the method and its settings, the award. Its
    rows are made as they are written, from the ranking's plain rows (no Proposal object)."""
    locale = current_locale()
    contest = ranked.contest_round.contest
    themes = part_names(contest.themes, locale)
    entrant_types = part_names(contest.entrant_types, locale)
    award_of = {award.proposal_id: award for award in awards}
    columns = ranking_columns(ranked, locale)
    header = [label for label, _format, _explanation in columns]
    formats = {index: number_format for index, (_label, number_format, _explanation)
               in enumerate(columns) if number_format}
    result = ranked.result
    yes = _("yes")
    key_names = {key: tie_break_name(contest, key, locale) for key in result.tie_break}
    method, settings = str(METHOD_LABELS[result.official]), method_settings(ranked)
    order = " > ".join(key_names[key] for key in result.tie_break) or _("none")

    def lines():
        for row in result.rows:
            fact = ranked.facts[row.proposal_id]
            interval = ranked.intervals.get(row.proposal_id, {})
            award = award_of.get(row.proposal_id)
            line = [row.rank, row.theme_rank, fact.reference, fact.title,
                    themes.get(fact.theme_id, ""), entrant_types.get(fact.entrant_type_id, ""),
                    fact.organization, row.review_count, ranked.planned.get(row.proposal_id, 0),
                    yes if ranked.under_reviewed(row) else "",
                    ranked.incomplete.get(row.proposal_id, 0),
                    _shown(row.score, result.scale), row.score]
            line += [_key_value(key, value) if row.score is not None else None
                     for key, value in zip(result.tie_break, row.tie_break_values)]
            line += [yes if row.tied else "",
                     key_names[row.tie_broken_by] if row.tie_broken_by is not None else ""]
            for name in METHODS:
                line += [_number(row.scores.get(name)), row.ranks.get(name)]
            line += [_number(interval.get("score_low")), _number(interval.get("score_high")),
                     interval.get("rank_low"), interval.get("rank_high"),
                     _number(interval.get("inside_probability"), 3),
                     yes if interval.get("flagged") else "", method, settings, order,
                     _name(award.tier, locale) if award else "", award.grant if award else None]
            yield line

    return Sheet("ranking", _("Ranking"), header, lines(), widths={3: 40}, formats=formats)


def _shown(score, scale):
    shown = display_score(score, scale)
    return float(shown) if shown else None


def ranking_notes_sheet(ranked):
    """What the ranking sheet's method and columns mean: the sheet that defends every rank."""
    locale = current_locale()
    result = ranked.result
    contest = ranked.contest_round.contest
    about = [
        (_("Official method"), str(METHOD_LABELS[result.official])),
        (_("Method settings"), method_settings(ranked)),
        (_("Tie-break order"), " > ".join(tie_break_name(contest, key, locale)
                                          for key in result.tie_break) or _("none")),
        (_("Assignment design"), _("connected: themes are compared fairly") if ranked.connected
         else _("%(count)d separate groups of judges: themes cannot be compared fairly; "
                "consider awards per theme", count=result.component_count)),
        (_("Too close to call"), str(ranked.flagged_count)),
        (_("How to recompute a rank"), _(
            "Sort by “Official score (unclipped)”, highest first (scores within 0.000000001 "
            "are equal), then by each tie-break column in order (a mean: higher first; a "
            "submission time: earlier first). Proposals equal on all of them share a rank; "
            "the next rank skips as many places.")),
    ]
    rows = [list(item) for item in about] + [["", ""]] + [
        [label, explanation] for label, _format, explanation in ranking_columns(ranked, locale)]
    return Sheet("ranking_notes", _("About the ranking"),
                 [_("Column or setting"), _("What it means")], rows, widths={0: 30, 1: 90})
