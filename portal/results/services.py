"""The ranked list's rows for display (spreadsheet-safe CSV lives in portal.exports.formats)."""
from dataclasses import dataclass

from portal.exports.formats import csv_with_bom, spreadsheet_safe  # noqa: F401  (re-exported)


@dataclass
class TableRow:
    """One line of the ranked list: its ranking row, its interval and the proposal's facts."""

    ranking: object
    interval: dict
    fact: object        # the proposal's reference, title, theme, entrant type (a plain row)


SORT_KEYS = {
    "reference": lambda row: row.fact.reference or "",
    "reviews": lambda row: -row.ranking.review_count,
    "rank": lambda row: (row.ranking.rank is None, row.ranking.rank or 0),
}


def ranking_table_rows(ranked, theme=None, entrant_type=None, sort="rank"):
    """The rows to show, filtered and sorted; within a theme, ranks are the theme ranks."""
    rows = [TableRow(r, ranked.intervals.get(r.proposal_id, {}), ranked.facts[r.proposal_id])
            for r in ranked.result.rows]
    if theme is not None:
        rows = [row for row in rows if row.fact.theme_id == theme.id]
        rows.sort(key=lambda row: (row.ranking.theme_rank is None, row.ranking.theme_rank or 0))
    if entrant_type is not None:
        rows = [row for row in rows if row.fact.entrant_type_id == entrant_type.id]
    if sort in SORT_KEYS and sort != "rank":
        rows.sort(key=SORT_KEYS[sort])
    elif sort.startswith("score:"):
        method = sort.split(":", 1)[1]
        rows.sort(key=lambda row: (row.ranking.scores.get(method) is None,
                                   -(row.ranking.scores.get(method) or 0)))
    return rows


def display_score(score):
    return "" if score is None else f"{float(score):.2f}"
