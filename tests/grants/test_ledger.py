"""The grants ledger, checked cell by cell against the database on a seeded contest."""
import csv
import io
from decimal import Decimal

import openpyxl

from portal.extensions import db
from portal.models import Contest, Grant, GrantLine, GrantReport, Proposal, ReportSpending, \
    Tranche
from tests.factories import Auth, make_user


def _expected_rows(slug):
    """The ledger's rows, computed here straight from the tables (not by the portal's code)."""
    contest = db.session.scalar(db.select(Contest).filter_by(slug=slug))
    rows = []
    grants = db.session.execute(
        db.select(Grant.id, Grant.amount_fen, Proposal.reference, Proposal.title)
        .join(Proposal, Grant.proposal_id == Proposal.id)
        .filter(Grant.contest_id == contest.id).order_by(Proposal.reference)).all()
    for grant in grants:
        released = db.session.scalar(
            db.select(db.func.coalesce(db.func.sum(Tranche.amount_fen), 0))
            .filter(Tranche.grant_id == grant.id, Tranche.released_on.is_not(None)))
        lines = db.session.execute(db.select(GrantLine.id, GrantLine.item, GrantLine.planned_fen)
                                   .filter_by(grant_id=grant.id).order_by(GrantLine.position))
        for line in lines:
            spent = db.session.scalar(
                db.select(db.func.coalesce(db.func.sum(ReportSpending.spent_fen), 0))
                .join(GrantReport, ReportSpending.report_id == GrantReport.id)
                .filter(ReportSpending.line_id == line.id,
                        GrantReport.status.in_(("submitted", "accepted"))))
            cents = [grant.amount_fen, released, line.planned_fen, 0, line.planned_fen, spent,
                     line.planned_fen - spent]
            money = [Decimal(value) / 100 for value in cents]
            rows.append([grant.reference, grant.title, *money[:2], line.item, *money[2:]])
    return rows


def test_the_ledger_matches_the_database_cell_by_cell(runner, client, app_context):
    result = runner.invoke(args=["seed-demo", "--contest", "ledger", "--proposals", "8",
                                 "--judges", "3", "--reviews-per-proposal", "2", "--grants", "5"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    expected = _expected_rows("ledger")
    assert len(expected) == 5 and any(row[3] for row in expected)  # some tranches released
    assert any(row[8] for row in expected)  # some spending reported
    Auth(client).login(make_user("organizer@example.org", organizer=True))

    response = client.get("/admin/contests/ledger/grants/ledger.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0][0] == "项目编号" and len(cells[0]) == 10
    assert len(cells) == len(expected) + 1
    for got, want in zip(cells[1:], expected):
        assert got[:2] == want[:2] and got[4] == want[4]
        for column in (2, 3, 5, 6, 7, 8, 9):
            assert Decimal(str(got[column])) == want[column], (column, got, want)

    response = client.get("/admin/contests/ledger/grants/ledger.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [row[:2] + [row[4]] for row in table[1:]] == [w[:2] + [w[4]] for w in expected]
    for got, want in zip(table[1:], expected):
        assert [Decimal(got[c]) for c in (2, 3, 5, 6, 7, 8, 9)] == \
            [want[c] for c in (2, 3, 5, 6, 7, 8, 9)]


def test_formula_like_text_stays_text_in_the_ledger(client, app_context, contest, organizer,
                                                    applicant):
    from tests.grants.helpers import funded
    funded(contest, organizer, applicant, title="=HYPERLINK(\"http://x\")")
    Auth(client).login(organizer)
    response = client.get(f"/admin/contests/{contest.slug}/grants/ledger.csv")
    assert "'=HYPERLINK" in response.data.decode("utf-8-sig")
    response = client.get(f"/admin/contests/{contest.slug}/grants/ledger.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.cell(2, 2).value == "=HYPERLINK(\"http://x\")" and sheet.cell(2, 2).data_type == "s"
