"""The whole export's per-cell and per-row work kept small (issue 26): common XLSX cells written
by their exact type, the proposals sheet's texts translated once per distinct value."""
import codecs
import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from markupsafe import Markup
from openpyxl import load_workbook

from portal.exports import formats, sheets as sheets_module
from portal.exports.formats import Sheet, write_xlsx
from portal.extensions import db
from portal.models import Criterion, JudgeMembership
from tests.factories import count_calls
from tests.test_exports import build_contest as build_exports_contest
from tests.test_results import build_contest


def test_common_cells_skip_the_general_checks_and_keep_their_values(monkeypatch):
    general = count_calls(monkeypatch, formats, "cell_value")
    rows = [["text", 1.5, 7, None, "", "=1+1", float("nan")],
            [True, Decimal("2.50"), datetime(2026, 12, 2, 8, 30), "末", 0.0, -3, "+86"]]
    out = io.BytesIO()
    write_xlsx([Sheet("s", "S", ["a", "b", "c", "d", "e", "f", "g"], rows)], out)
    # Only the header (7 cells) and the two cells of other types (bool, datetime) take the
    # general path; None and Decimal (a score) are common cells too.
    assert len(general) == 7 + 2
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [["text", 1.5, 7, None, None, "=1+1", None],
                      ["True", 2.5, datetime(2026, 12, 2, 8, 30), "末", 0, -3, "+86"]]
    assert sheet["F2"].data_type == "s" and sheet["F2"].quotePrefix


def test_each_column_s_style_is_the_one_its_cells_had_cell_by_cell(tmp_path):
    """The common cells are written with their column's style looked up once: a number format
    where the sheet gives one, else 0.00 for a float or a Decimal and none for an int; text
    marked when formula-like; a cell beyond the header not written."""
    rows = [[Decimal("7.50"), 2.25, 3, "-1", "", None, "beyond"],
            [Decimal("-1"), 1.0, -4, "x", "=y", Decimal("2.125"), "beyond"]]
    out = tmp_path / "styles.xlsx"
    with open(out, "wb") as handle:
        write_xlsx([Sheet("s", "S", ["a", "b", "c", "d", "e", "f"], rows,
                          formats={1: "0.0", 2: "0"})], handle)
    sheet = load_workbook(out).active
    assert sheet.max_column == 6
    cells = [[(cell.value, cell.number_format, bool(cell.quotePrefix)) for cell in row]
             for row in sheet.iter_rows(min_row=2)]
    assert cells == [
        [(7.5, "0.00", False), (2.25, "0.0", False), (3, "0", False), ("-1", "General", True),
         (None, "General", False), (None, "General", False)],
        [(-1, "0.00", False), (1, "0.0", False), (-4, "0", False), ("x", "General", False),
         ("=y", "General", True), (2.125, "0.00", False)]]


def test_the_proposals_sheet_translates_each_status_once(app, contest, organizer, monkeypatch):
    build_contest(contest, organizer)
    db.session.commit()
    labels = count_calls(monkeypatch, sheets_module, "proposal_status_label")
    consents = count_calls(monkeypatch, sheets_module, "_yes")
    with app.test_request_context():
        rows = list(sheets_module.proposals_sheet(db.session.merge(contest)).rows)
    assert len(rows) == 4
    assert len(labels) == 1 and len(consents) <= 2   # one status, consent given or not
    assert {row[9] for row in rows} == {str(sheets_module.proposal_status_label("submitted"))}
    assert all(row[11] is None or row[11].tzinfo is None for row in rows)


def reference_csv(header, rows):
    """The CSV that csv_cell gives cell by cell: what the csv module's fast path must equal."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in [header, *rows]:
        writer.writerow([formats.csv_cell(cell) for cell in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


CSV_CELLS = [
    ["plain", 7, -3, 1.5, -2.25, Decimal("7.00"), Decimal("-1.50"), None, ""],
    ["=1+1", "+86 139", "-x", "@SUM(1)", "\tx", "\rx", '=a,"b"', "a,-b", "a\n-b"],
    [float("nan"), float("inf"), float("-inf"), "nan", "inf", "x", 0.0, 10 ** 20, 1e-7],
    [True, False, date(2026, 12, 2), datetime(2026, 12, 2, 8, 30, 15), Markup("=m"),
     Markup("m"), None, 3, "末"],
    [None], [""], ["-"], ["nan"], [float("nan")],
    # Shaped like negative numbers: right as written when numbers, not when text.
    [-1, -2.5, Decimal("-1E+2"), -1e-05, "甲"], [-1, "-1", -2.5], ["-2.5", Decimal("-3.10")],
    [-1, "x-1", "-1e5", "a"], [-1, "-1,5", 2], [-1, "-", 3], [-1, "-inf", -float("inf")],
    ["a", None], ["a", ""], ["\r", "x\r"], ["a", "\r\n-"],
]


@pytest.mark.parametrize("chunk", [1, 2, 3, 500])
def test_csv_by_the_csv_module_equals_csv_cell_by_cell(monkeypatch, chunk):
    """Chunks of plain cells go through the csv module's own conversion; every cell csv_cell
    would change (formula-like text, nan, a time, a bool) still comes out as csv_cell writes
    it, in chunks of plain and mixed rows alike."""
    monkeypatch.setattr(formats, "CSV_ROWS_PER_CHUNK", chunk)
    rows = [*CSV_CELLS, *([["甲", 1, 2.5, Decimal("9.00"), None]] * 5), *CSV_CELLS]
    header = ["=h", "名称"]
    assert b"".join(formats.iter_csv(Sheet("s", "S", header, iter(rows)))) == \
        reference_csv(header, rows)


def test_plain_rows_skip_csv_cell(monkeypatch):
    calls = count_calls(monkeypatch, formats, "csv_cell")
    rows = [["甲", 1, 2.5, Decimal("9.00"), None, "a,b", ""]] * 1000 \
        + [["乙", -1, -2.5, Decimal("-1.00")]] * 500 + [["=1", -1, "x"]]
    out = io.BytesIO()
    formats.write_csv(Sheet("s", "S", ["a", "b"], rows), out)
    # The header, and the last chunk (one row, with a formula): negative numbers, text with a
    # comma or empty are written as they are.
    assert len(calls) == 2 + 3
    assert out.getvalue() == reference_csv(["a", "b"], rows)


def test_the_reviews_sheet_pivots_each_review_s_scores(app, contest, organizer):
    """A row per review with its scores by criterion, in the order judges joined (a judge
    without a membership any more last, coded by id), the comment kept as typed; a criterion
    added after the reviews leaves an empty cell and no total."""
    judges, (a, b, c, _d) = build_exports_contest(contest, organizer)
    criteria = contest.criteria
    db.session.add(Criterion(contest_id=contest.id, position=len(criteria) + 1, code="later",
                             name_zh="后加", weight=Decimal(1)))
    db.session.execute(db.delete(JudgeMembership).filter_by(contest_id=contest.id,
                                                            user_id=judges[0].id))
    db.session.commit()
    codes = sheets_module.judge_codes(contest)
    options = sheets_module.ExportOptions(contest.rounds[0], judge_names=True, comments=True)
    with app.test_request_context():
        sheet = sheets_module.reviews_sheet(db.session.merge(contest), options, codes)
        rows = list(sheet.rows)
    gone, kept = f"U{judges[0].id}", "J001"
    themes = {proposal.id: proposal.theme.name_zh for proposal in (a, b, c)}
    assert a.reference < b.reference < c.reference
    assert [row[0] for row in rows] == [a.reference, a.reference, b.reference, c.reference]
    assert [row[1:4] for row in rows] == [[themes[a.id], kept, "李评委"],
                                          [themes[a.id], gone, "王评委"],
                                          [themes[b.id], gone, "王评委"],
                                          [themes[c.id], kept, "李评委"]]
    assert rows[0][4:] == [Decimal("7.00"), Decimal("8.00"), Decimal("9.00"), None, None,
                           "=1+1"]
    assert rows[1][4:] == [Decimal("9.00"), Decimal("8.00"), Decimal("7.00"), None, None,
                           "需求调研扎实"]
    assert all(type(cell) is Decimal for row in rows for cell in row[4:7])
