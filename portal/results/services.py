"""The ranked list's rows for display, and spreadsheet-safe CSV."""
import csv
import io
from dataclasses import dataclass


@dataclass
class TableRow:
    """One line of the ranked list: the proposal, its ranking row and its interval."""

    proposal: object
    ranking: object
    interval: dict


SORT_KEYS = {
    "reference": lambda row: row.proposal.reference or "",
    "reviews": lambda row: -row.ranking.review_count,
    "rank": lambda row: (row.ranking.rank is None, row.ranking.rank or 0),
}


def ranking_table_rows(ranked, theme=None, entrant_type=None, sort="rank"):
    """The rows to show, filtered and sorted; within a theme, ranks are the theme ranks."""
    rows = [TableRow(ranked.proposals[r.proposal_id], r, ranked.intervals.get(r.proposal_id, {}))
            for r in ranked.result.rows]
    if theme is not None:
        rows = [row for row in rows if row.proposal.theme_id == theme.id]
        rows.sort(key=lambda row: (row.ranking.theme_rank is None, row.ranking.theme_rank or 0))
    if entrant_type is not None:
        rows = [row for row in rows if row.proposal.entrant_type_id == entrant_type.id]
    if sort in SORT_KEYS and sort != "rank":
        rows.sort(key=SORT_KEYS[sort])
    elif sort.startswith("score:"):
        method = sort.split(":", 1)[1]
        rows.sort(key=lambda row: (row.ranking.scores.get(method) is None,
                                   -(row.ranking.scores.get(method) or 0)))
    return rows


def display_score(score):
    return "" if score is None else f"{float(score):.2f}"


# Cells that a spreadsheet would run as a formula start with one of these.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text that Excel shows as text: formula-like cells get a leading apostrophe."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(_FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_with_bom(header, rows):
    """CSV that Excel opens with Chinese text intact: UTF-8 with a byte-order mark, CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([spreadsheet_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()
