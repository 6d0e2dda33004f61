"""The ranking sheet (also the ranking CSV) and the sheet that explains its columns: both are
written from the ranking's columns (portal.results.columns), the ones the ranked list shows.

Every rank can be recomputed from the sheet alone: sort by the official score (scores within
0.000000001 of each other are equal), then by each tie-break column in the tie-break order
(a mean score: higher first; a submission time: earlier first); proposals equal on all of them
share a rank, and the next rank skips as many places (1, 2, 2, 4).
"""
from flask_babel import gettext as _

from portal.exports.formats import Sheet
from portal.i18n import current_locale
from portal.results.columns import lines, method_settings, ranking_columns, tie_break_name
from portal.results.forms import METHOD_LABELS


def ranking_sheet(ranked, awards):
    """One row per proposal of the round, official order: ranks, scores, what broke each tie,
    reviews against planned, uncertainty figures, the method and its settings, the award. Its
    rows are made as they are written, from the ranking's plain rows (no Proposal object)."""
    columns = ranking_columns(ranked, current_locale())
    header = [column.label for column in columns]
    formats = {index: column.format.number_format for index, column in enumerate(columns)
               if column.format.number_format}
    award_list = list(awards)

    def rows():
        for line in lines(ranked, ranked.result.rows, award_list):
            yield [column.value(line) for column in columns]

    return Sheet("ranking", _("Ranking"), header, rows(), widths={3: 40}, formats=formats)


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
        [column.label, column.explanation] for column in ranking_columns(ranked, locale)]
    return Sheet("ranking_notes", _("About the ranking"),
                 [_("Column or setting"), _("What it means")], rows, widths={0: 30, 1: 90})
