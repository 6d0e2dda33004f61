"""The ranked list's rows for display, their texts made by the ranking's columns
(portal.results.columns); the spreadsheet-safe CSV lives in portal.exports.formats."""
from dataclasses import dataclass, field

from portal.results.columns import SCORE, clipped, lines


@dataclass
class TableRow:
    """One line of the ranked list: its ranking row, its interval, the proposal's facts and the
    text of each column the page shows (portal.results.columns)."""

    ranking: object
    interval: dict
    fact: object        # the proposal's reference, title, theme, entrant type (a plain row)
    planned: int
    under_reviewed: bool
    incomplete: int
    # Texts made in Python: 250 rows of function calls in the template cost the ranked list a
    # third of its time.
    texts: dict = field(default_factory=dict)


def ranked_rows(ranked, theme=None, entrant_type=None, sort="rank"):
    """The ranking's rows to show, filtered and sorted; within a theme, by the theme ranks."""
    facts, rows = ranked.facts, list(ranked.result.rows)
    if theme is not None:
        rows = [row for row in rows if facts[row.proposal_id].theme_id == theme.id]
        rows.sort(key=lambda row: (row.theme_rank is None, row.theme_rank or 0))
    if entrant_type is not None:
        rows = [row for row in rows if facts[row.proposal_id].entrant_type_id == entrant_type.id]
    if sort == "reference":
        rows.sort(key=lambda row: facts[row.proposal_id].reference or "")
    elif sort == "reviews":
        rows.sort(key=lambda row: -row.review_count)
    elif sort.startswith("score:"):
        method = sort.split(":", 1)[1]
        rows.sort(key=lambda row: (row.scores.get(method) is None,
                                   -(row.scores.get(method) or 0)))
    return rows


def table_rows(ranked, rows, columns):
    """The TableRows of these ranking rows, with the text of each of `columns` (the page's):
    made for the rows shown only (a page shows 250 of 10,000, and making them all took a
    quarter of the page's time)."""
    return [TableRow(line.row, line.interval, line.fact, line.planned, line.under_reviewed,
                     line.incomplete, {column.key: column.text(line) for column in columns})
            for line in lines(ranked, rows)]


def chart_points(rows, theme=None):
    """The score chart's points of these TableRows: (label, rank, score, low, high, flagged),
    the rank within the theme when the list is a theme's."""
    return [(row.fact.reference or "", row.ranking.theme_rank if theme else row.ranking.rank,
             row.ranking.score, row.interval.get("score_low"), row.interval.get("score_high"),
             bool(row.interval.get("flagged"))) for row in rows]


def display_score(score, scale=None):
    """A score with two decimals; with the scale (lowest, highest), clipped to it: the ranking
    itself uses the unclipped score, so two scores shown as 10.00 may rank 1 and 2."""
    return SCORE.text(clipped(score, scale))
