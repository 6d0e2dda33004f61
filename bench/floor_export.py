"""Floors of the exports: the same rows written with the csv module and XlsxWriter, nothing else.

    python bench/floor_export.py DSN CONTEST_SLUG [--runs 5]

csv_rows and xlsx_rows write 10,000 prepared rows of the ranking sheet's shape (27 cells: ranks,
reference, title, theme, entrant type, organization, reviews, eight method columns, interval,
flags); csv_export also fetches them and computes the ranking bare (bench/floor_ranking.py);
reviews_csv is one joined query (a row per review, its criterion scores pivoted) written with
the csv module. XLSX: XlsxWriter in constant-memory mode, the library the portal uses (the
issue names it as the floor). Prints medians.
"""
import csv
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import emit, placeholder, timed  # noqa: E402
from floor_ranking import fetch_scores, open_contest, rank_standardized  # noqa: E402

PROPOSALS_SQL = """
SELECT p.id, p.reference, p.title, t.name_zh, e.name_zh, p.organization
FROM proposals p JOIN themes t ON t.id = p.theme_id
LEFT JOIN entrant_types e ON e.id = p.entrant_type_id
WHERE p.contest_id = {p}
"""
REVIEWS_SQL = """
SELECT p.reference, t.name_zh, a.judge_id, s.criterion_id, s.value
FROM scores s JOIN reviews r ON r.id = s.review_id JOIN assignments a ON a.id = r.assignment_id
JOIN proposals p ON p.id = a.proposal_id JOIN themes t ON t.id = p.theme_id
WHERE a.round_id = {p} AND r.submitted_at IS NOT NULL
ORDER BY p.reference, a.judge_id, s.criterion_id
"""


def ranking_rows(connection, round_id, contest_id, criteria, rank=rank_standardized):
    """The ranking sheet's rows, ranked by `rank` (a floor_ranking method)."""
    return sheet_rows(connection, contest_id, *rank(fetch_scores(connection, round_id),
                                                    criteria))


def sheet_rows(connection, contest_id, ids, scores, ranks):
    """The ranking sheet's rows of a ranking (ids, scores, ranks), with one query of the
    proposals' texts."""
    info = {row[0]: row[1:] for row in connection.execute(
        PROPOSALS_SQL.format(p=placeholder(connection)), (contest_id,)).fetchall()}
    rows = []
    for pid, score, rank in zip(ids.tolist(), scores.tolist(), ranks.tolist()):
        reference, title, theme, entrant_type, organization = info[pid]
        score = round(score, 4)
        rows.append([rank, rank, reference, title, theme, entrant_type or "", organization, 5,
                     score, score, rank, score, rank, score, rank, score, rank, score, score,
                     rank, rank, "", "", "", None, None, None])
    return rows


def write_csv(rows, out):
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([f"column {n}" for n in range(len(rows[0]))])
    writer.writerows(rows)
    text.flush()
    text.detach()


def write_xlsx(rows, out):
    import xlsxwriter
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = workbook.add_worksheet("ranking")
    sheet.write_row(0, 0, [f"column {n}" for n in range(len(rows[0]))])
    for number, row in enumerate(rows, start=1):
        sheet.write_row(number, 0, row)
    workbook.close()


def review_rows(connection, round_id):
    """A row per review (reference, theme, judge code, its scores by criterion id), from one
    query."""
    reviews, current, key = [], None, None
    for reference, theme, judge, _criterion, value in connection.execute(
            REVIEWS_SQL.format(p=placeholder(connection)), (round_id,)):
        if (reference, judge) != key:
            key, current = (reference, judge), [reference, theme, f"J{judge:03d}"]
            reviews.append(current)
        current.append(value)
    return reviews


def reviews_csv(connection, round_id, out):
    write_csv(review_rows(connection, round_id), out)


def main(argv=None):
    runs, connection, round_id, contest_id, criteria = open_contest(argv, __doc__, 5)
    rows = ranking_rows(connection, round_id, contest_id, criteria)
    figures = {
        "csv_export": timed(lambda: write_csv(ranking_rows(connection, round_id, contest_id,
                                                           criteria), io.BytesIO()), runs),
        "csv_rows": timed(lambda: write_csv(rows, io.BytesIO()), runs),
        "xlsx_rows": timed(lambda: write_xlsx(rows, io.BytesIO()), max(3, runs // 2), 1),
        "reviews_csv": timed(lambda: reviews_csv(connection, round_id, io.BytesIO()),
                             max(3, runs // 2), 1),
    }
    emit({name: figure["median_ms"] for name, figure in figures.items()}
         | {"rows": len(rows), "columns": len(rows[0]), "detail": figures})


if __name__ == "__main__":
    main()
