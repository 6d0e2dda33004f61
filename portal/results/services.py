"""The ranked list's rows for display (spreadsheet-safe CSV lives in portal.exports.formats)."""
from dataclasses import dataclass


@dataclass
class TableRow:
    """One line of the ranked list: its ranking row, its interval and the proposal's facts."""

    ranking: object
    interval: dict
    fact: object        # the proposal's reference, title, theme, entrant type (a plain row)
    # Texts for display, made in Python: 250 rows of function calls in the template cost the
    # ranked list a third of its time.
    score: str = ""                 # the official method's score within the scale, or "—"
    other_scores: tuple = ()        # the other methods' scores, in the order asked for
    interval_scores: str = ""       # "7.12–7.58", or "" without an interval
    probability: str = ""           # the chance of being inside the boundary, "62%"
    planned: int = 0                # reviews planned (its assignments)
    under_reviewed: bool = False    # fewer submitted reviews than planned
    incomplete: int = 0             # reviews left out: a criterion added after they were sent


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


def table_rows(ranked, rows, other_methods):
    """The TableRows of these ranking rows: made for the rows shown only (a page shows 250 of
    10,000, and making them all took a quarter of the page's time)."""
    made = []
    scale = ranked.result.scale
    for row in rows:
        interval = ranked.intervals.get(row.proposal_id, {})
        low = interval.get("score_low")
        made.append(TableRow(
            row, interval, ranked.facts[row.proposal_id],
            score=display_score(row.score, scale) or "—",
            other_scores=tuple(display_score(row.scores.get(method), scale)
                               for method in other_methods),
            interval_scores="" if low is None else
            f"{display_score(low, scale)}–{display_score(interval['score_high'], scale)}",
            probability=display_probability(interval.get("inside_probability")),
            planned=ranked.planned.get(row.proposal_id, 0),
            under_reviewed=ranked.under_reviewed(row),
            incomplete=ranked.incomplete.get(row.proposal_id, 0)))
    return made


def display_score(score, scale=None):
    """A score with two decimals; with the scale (lowest, highest), clipped to it: the ranking
    itself uses the unclipped score, so two scores shown as 10.00 may rank 1 and 2."""
    if score is None:
        return ""
    value = float(score)
    if scale is not None:
        value = min(max(value, scale[0]), scale[1])
    return f"{value:.2f}"


def display_probability(probability):
    return "" if probability is None else f"{round(100 * probability)}%"
