"""Floors of the whole export: the workbook's six sheets written bare, as XLSX and as a ZIP of CSVs.

    python bench/floor_workbook.py DSN CONTEST_SLUG [--runs 3]

The sheets of `portal.exports.workbook.SHEET_KEYS`, each from one query with the DB-API module
and nothing around it (no ORM, no translation, no cell formats):
- ranking: the round's scores (bench/floor_ranking.py's query), ranked by the contest's official
  method bare, beside one query of the proposals' reference, title, theme, entrant type and
  organization (bench/floor_export.py's rows, 27 cells);
- ranking notes: the about-the-ranking sheet's 45 rows of two texts (no query);
- reviews: one joined query, a row per review with its scores pivoted and its weighted total;
- proposals: one query of every column of every proposal but drafts, its applicant, theme and
  entrant type joined, and its budget lines joined (a proposal's lines become one text);
- judges: one query of the contest's judges, their expertise joined and their assignments and
  submitted reviews of the round counted, with each judge's count, mean and spread of totals
  and bias from the ranking's fit;
- awards: one query of the awards with their tier and proposal.
XLSX: XlsxWriter in constant-memory mode (the portal's writer), `write_row` per row. ZIP: a
deflated CSV per sheet with the csv module. Prints the medians as JSON.
"""
import csv
import io
import itertools
import sys
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import emit, placeholder, timed  # noqa: E402
from floor_export import review_rows, sheet_rows  # noqa: E402
from floor_ranking import (FLOORS, competition_ranks, fetch_scores, fit_bias_model,  # noqa: E402
                           method_of, open_contest, review_totals)

NOTES_ROWS = 45
PROPOSAL_SHEET_SQL = """
SELECT p.id, p.reference, p.title, t.name_zh, e.name_zh, p.organization, u.display_name,
       u.email, p.contact_name, p.contact_phone, p.contact_email, p.status, p.status_note,
       p.submitted_at, p.summary, p.need, p.beneficiaries, p.beneficiary_count, p.plan,
       p.budget_total, p.outcomes, p.innovation, p.team, p.sustainability, p.publish_consent,
       b.item, b.amount, b.note
FROM proposals p JOIN themes t ON t.id = p.theme_id
LEFT JOIN entrant_types e ON e.id = p.entrant_type_id LEFT JOIN users u ON u.id = p.applicant_id
LEFT JOIN budget_lines b ON b.proposal_id = p.id
WHERE p.contest_id = {p} AND p.status <> 'draft'
ORDER BY p.reference, p.id, b.position
"""
JUDGES_SQL = """
SELECT m.id, m.user_id, u.display_name, u.organization, m.active, u.active, t.name_zh,
       (SELECT COUNT(*) FROM assignments a WHERE a.round_id = {p} AND a.judge_id = m.user_id),
       (SELECT COUNT(r.submitted_at) FROM assignments a JOIN reviews r ON r.assignment_id = a.id
        WHERE a.round_id = {p} AND a.judge_id = m.user_id)
FROM judge_memberships m JOIN users u ON u.id = m.user_id
LEFT JOIN judge_expertise x ON x.membership_id = m.id LEFT JOIN themes t ON t.id = x.theme_id
WHERE m.contest_id = {p}
ORDER BY m.id, t.position
"""
AWARDS_SQL = """
SELECT w.name_zh, p.reference, p.title, t.name_zh, COALESCE(p.organization, p.contact_name),
       p.budget_total, a."grant"
FROM awards a JOIN award_tiers w ON w.id = a.tier_id JOIN proposals p ON p.id = a.proposal_id
JOIN themes t ON t.id = p.theme_id
WHERE a.contest_id = {p}
ORDER BY w.position, p.reference, p.id
"""


def ranking_and_judges(connection, round_id, contest_id, criteria, method):
    """The ranking sheet's rows and each judge's statistics (count, mean, sd, bias)."""
    scores = fetch_scores(connection, round_id)
    totals, judges, proposals, proposal_ids, judge_count, _scale = review_totals(scores,
                                                                                 criteria)
    quality, bias = fit_bias_model(totals, judges, proposals, judge_count)
    if method == "bias_model":
        ranked = competition_ranks(proposal_ids, quality)
    else:
        ranked = FLOORS[method](scores, criteria)
    rows = sheet_rows(connection, contest_id, *ranked)
    count = np.bincount(judges, minlength=judge_count)
    mean = np.bincount(judges, totals, minlength=judge_count) / count
    squares = np.bincount(judges, (totals - mean[judges]) ** 2, minlength=judge_count)
    sd = np.sqrt(np.divide(squares, count - 1, out=np.full(judge_count, np.nan),
                           where=count > 1)).round(4)
    judge_ids = np.unique(scores[:, 1]).astype(np.int64).tolist()
    statistics = dict(zip(judge_ids, zip(count.tolist(), mean.round(4).tolist(),
                                         [None if v != v else v for v in sd.tolist()],
                                         bias.round(4).tolist())))
    return rows, statistics


def review_sheet_rows(connection, round_id, criteria):
    weights = [float(criterion[1]) for criterion in sorted(criteria)]
    total_weight = sum(weights)
    for row in review_rows(connection, round_id):
        values = row[3:]
        row.append(round(sum(w * float(v) for w, v in zip(weights, values)) / total_weight, 4))
        yield row


def proposal_rows(connection, contest_id):
    rows = connection.execute(PROPOSAL_SHEET_SQL.format(p=placeholder(connection)),
                              (contest_id,))
    for _id, lines in itertools.groupby(rows, key=lambda row: row[0]):
        lines = list(lines)
        budget = "; ".join(f"{item} {amount} ({note})" if note else f"{item} {amount}"
                           for *_row, item, amount, note in lines if item is not None)
        first = lines[0]
        yield [*first[1:18], budget, *first[18:25]]


def judge_rows(connection, round_id, contest_id, statistics):
    rows = connection.execute(JUDGES_SQL.format(p=placeholder(connection)),
                              (round_id, round_id, contest_id))
    for position, (_id, lines) in enumerate(itertools.groupby(rows, key=lambda row: row[0]),
                                            start=1):
        lines = list(lines)
        _membership, user_id, name, organization, active, user_active, _theme, assigned, \
            submitted = lines[0]
        expertise = "、".join(line[6] for line in lines if line[6] is not None)
        yield [f"J{position:03d}", name, organization, expertise,
               "yes" if active and user_active else "", assigned, submitted,
               *statistics.get(user_id, (0, None, None, None))]


def sheets(connection, round_id, contest_id, criteria, method):
    """(name, header, rows) of each sheet, in the workbook's order."""
    ranking, statistics = ranking_and_judges(connection, round_id, contest_id, criteria, method)
    notes = [[f"column {n}", "what the column means, in a sentence or two " * 3]
             for n in range(NOTES_ROWS)]
    awards = connection.execute(AWARDS_SQL.format(p=placeholder(connection)),
                                (contest_id,)).fetchall()
    return [("ranking", 27, ranking), ("ranking_notes", 2, notes),
            ("reviews", 4 + len(criteria), review_sheet_rows(connection, round_id, criteria)),
            ("proposals", 24, proposal_rows(connection, contest_id)),
            ("judges", 10, judge_rows(connection, round_id, contest_id, statistics)),
            ("awards", 7, awards)]


def write_xlsx(sheets_, out):
    import xlsxwriter
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    for name, width, rows in sheets_:
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, [f"column {n}" for n in range(width)])
        for number, row in enumerate(rows, start=1):
            sheet.write_row(number, 0, row)
    workbook.close()


def write_zip(sheets_, out):
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, width, rows in sheets_:
            with archive.open(f"{name}.csv", "w") as entry:
                text = io.TextIOWrapper(entry, encoding="utf-8-sig", newline="")
                writer = csv.writer(text, lineterminator="\r\n")
                writer.writerow([f"column {n}" for n in range(width)])
                writer.writerows(rows)
                text.flush()
                text.detach()


def main(argv=None):
    runs, connection, round_id, contest_id, criteria = open_contest(argv, __doc__, 3)
    method = method_of(connection, contest_id)
    sizes = {}

    def build(writer, key):
        def run():
            out = io.BytesIO()
            writer(sheets(connection, round_id, contest_id, criteria, method), out)
            sizes[key] = out.tell()
        return run

    figures = {"xlsx": timed(build(write_xlsx, "xlsx"), runs, 1),
               "zip": timed(build(write_zip, "zip"), runs, 1)}
    emit({name: figure["median_ms"] for name, figure in figures.items()}
         | {"method": method, "bytes": sizes, "detail": figures})


if __name__ == "__main__":
    main()
