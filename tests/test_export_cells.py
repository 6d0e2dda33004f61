"""The whole export's per-cell and per-row work kept small (issue 26): common XLSX cells written
by their exact type, the proposals sheet's texts translated once per distinct value."""
import io
from datetime import datetime
from decimal import Decimal

from openpyxl import load_workbook

from portal.exports import formats, sheets as sheets_module
from portal.exports.formats import Sheet, write_xlsx
from portal.extensions import db
from tests.factories import count_calls
from tests.test_results import build_contest


def test_common_cells_skip_the_general_checks_and_keep_their_values(monkeypatch):
    general = count_calls(monkeypatch, formats, "cell_value")
    rows = [["text", 1.5, 7, None, "", "=1+1", float("nan")],
            [True, Decimal("2.50"), datetime(2026, 12, 2, 8, 30), "末", 0.0, -3, "+86"]]
    out = io.BytesIO()
    write_xlsx([Sheet("s", "S", ["a", "b", "c", "d", "e", "f", "g"], rows)], out)
    # Only the header (7 cells) and the four cells of other types (None, bool, Decimal,
    # datetime) take the general path.
    assert len(general) == 7 + 4
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [["text", 1.5, 7, None, None, "=1+1", None],
                      ["True", 2.5, datetime(2026, 12, 2, 8, 30), "末", 0, -3, "+86"]]
    assert sheet["F2"].data_type == "s" and sheet["F2"].quotePrefix


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
