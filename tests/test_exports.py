"""Exports: the XLSX workbook, the ranking CSV, the ZIP of CSVs, the CLI, and who may have them."""
import csv
import io
import re
import zipfile
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from markupsafe import Markup
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.exports.formats import Sheet, cell_value, csv_cell, sheet_title, write_xlsx
from portal.exports.sheets import ExportOptions
from portal.exports.workbook import contest_sheets
from portal.extensions import db
from portal.models import AuditEvent, Award
from portal.results.ranking import round_ranking
from portal.timezones import to_beijing_naive
from tests.factories import assign, make_judge, make_proposal, make_user, \
    open_server_cursors, review

EN = {"Accept-Language": "en"}
HYPERLINK = '=HYPERLINK("http://evil.example/","点击")'


def build_contest(contest, organizer):
    """Four proposals (three with formula-like titles), two judges, comments, one award."""
    judges = [make_judge(contest, "wang@example.org", name="王评委", organization="郑州大学"),
              make_judge(contest, "li@example.org", name="李评委")]
    a = make_proposal(contest, make_user("a@example.org"), title="社区空巢老人关爱行动")
    b = make_proposal(contest, make_user("b@example.org"), title="@SUM(1)", theme_index=1)
    c = make_proposal(contest, make_user("c@example.org"), title=HYPERLINK, theme_index=4)
    d = make_proposal(contest, make_user("d@example.org"), title="-2+3", theme_index=4)
    first, second = assign(a, *judges, actor=organizer)
    review(first, 9, 8, 7, comment="需求调研扎实")
    review(second, 7, 8, 9, comment="=1+1")
    (only,) = assign(b, judges[0], actor=organizer)
    review(only, 9, 9, 9)
    (third,) = assign(c, judges[1], actor=organizer)
    review(third, 6, 6, 6)
    assign(d, judges[1], actor=organizer)  # not reviewed
    tier = contest.award_tiers[0]
    db.session.add(Award(contest_id=contest.id, proposal_id=a.id, tier_id=tier.id,
                         grant=Decimal("50000.00"), decided_by_id=organizer.id))
    db.session.commit()
    return judges, (a, b, c, d)


def download(client, contest, fmt, headers=EN, **options):
    query = {"format": fmt, "round": contest.rounds[0].code,
             **{key: "y" for key, chosen in options.items() if chosen}}
    return client.get(f"/admin/contests/{contest.slug}/exports/download", query_string=query,
                      headers=headers)


def rows_of(worksheet):
    return [list(row) for row in worksheet.iter_rows(values_only=True)]


def as_dicts(rows):
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def every_cell(workbook):
    return [cell for sheet in workbook.worksheets for row in rows_of(sheet) for cell in row]


def test_the_exports_page_offers_every_download(client, auth, contest, organizer):
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/exports", headers=EN).get_data(True)
    for text in ("Download XLSX", "Download ZIP", "ranking as CSV", "Award list (PDF)",
                 "Certificates (PDF", "Import paper scores", 'for="judge_names"',
                 'for="comments"', 'for="round"'):
        assert text in page


def test_download_forms_are_marked_for_the_double_submit_guard(client, auth, contest, organizer):
    # static/js/portal.js lets a form marked data-download send again: its answer is a file
    # and the page stays. Forms that change data stay unmarked, so a double-click sends once.
    auth.login(organizer)
    exports = client.get(f"/admin/contests/{contest.slug}/exports").get_data(True)
    assert re.search(r'<form[^>]*action="[^"]*/exports/download"[^>]*data-download', exports)
    account = client.get("/account").get_data(True)
    assert re.search(r'<form[^>]*action="/account/data"[^>]*data-download', account)
    assert not re.search(r'<form[^>]*action="/account/delete"[^>]*data-download', account)
    ranking = client.get(f"/admin/contests/{contest.slug}/ranking").get_data(True)
    assert "<form" in ranking and "data-download" not in ranking


def test_the_workbook_has_every_sheet_with_numbers_kept_and_formulas_as_text(
        client, auth, contest, organizer):
    judges, (a, b, c, d) = build_contest(contest, organizer)
    auth.login(organizer)
    response = download(client, contest, "xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Cache-Control"] == "no-store"
    assert f"{contest.slug}-first-export.xlsx" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Ranking", "About the ranking", "Review records", "Proposals",
                                   "Judges", "Awards"]

    ranking = workbook["Ranking"]
    assert ranking["A1"].font.b and ranking.freeze_panes == "A2"
    rows = {row["Reference"]: row for row in as_dicts(rows_of(ranking))}
    assert set(rows) == {a.reference, b.reference, c.reference, d.reference}
    # Formula-like text is the exact text, in a string cell marked to stay text: no apostrophe.
    assert rows[b.reference]["Rank"] == 1 and rows[b.reference]["Title"] == "@SUM(1)"
    assert rows[c.reference]["Title"] == HYPERLINK
    assert rows[d.reference]["Title"] == "-2+3" and rows[d.reference]["Rank"] is None
    formula_like = [cell for row in ranking.iter_rows() for cell in row
                    if cell.value in ("@SUM(1)", HYPERLINK, "-2+3")]
    assert len(formula_like) == 3
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in formula_like)
    assert rows[a.reference]["Title"] == "社区空巢老人关爱行动"
    assert rows[a.reference]["Organization"] == "绿城志愿者协会"
    assert isinstance(rows[a.reference]["Score"], (int, float))
    assert rows[a.reference]["Mean of the review totals: score"] == 8.0
    assert rows[a.reference]["Mean of the review totals: rank"] == 2
    assert rows[a.reference]["Award tier"] == "First prize"
    assert rows[a.reference]["Grant (yuan)"] == 50000
    assert rows[a.reference]["Too close to call"] in ("yes", None)
    chance = next(key for key in rows[a.reference] if key.startswith("Chance in top "))
    assert 0 <= rows[a.reference][chance] <= 1
    assert isinstance(rows[a.reference]["Interval low"], (int, float))
    assert rows[a.reference]["Official method"] == "Judge-bias model (strict and lenient " \
                                                   "judges evened out)"
    notes = {}
    for item, meaning in rows_of(workbook["About the ranking"])[1:]:
        notes.setdefault(item, meaning)   # the settings first, then each column
    assert notes["Official method"] == rows[a.reference]["Official method"]
    assert "Sort by" in notes["How to recompute a rank"]
    assert set(rows[a.reference]) - {"", None} <= set(notes)   # every column is explained
    # Formula-like text stays text: no cell of the workbook is a formula.
    assert not any(cell.data_type == "f" for sheet in workbook.worksheets
                   for row in sheet.iter_rows() for cell in row)

    reviews = as_dicts(rows_of(workbook["Review records"]))
    assert len(reviews) == 4
    assert {row["Judge code"] for row in reviews} == {"J001", "J002"}
    assert "Judge name" not in reviews[0] and "Comment" not in reviews[0]
    by_judge = {(row["Reference"], row["Judge code"]): row for row in reviews}
    first = by_judge[(a.reference, "J001")]
    assert (first["Innovation"], first["Practicality"], first["Operability"]) == (9, 8, 7)
    assert first["Review total"] == 8.0
    assert all(name not in every_cell(workbook) for name in ("王评委", "李评委", "郑州大学"))

    proposals = {row["Reference"]: row for row in as_dicts(rows_of(workbook["Proposals"]))}
    assert proposals[a.reference]["Budget total (yuan)"] == 35000
    assert proposals[a.reference]["Number of beneficiaries"] == 120
    assert proposals[a.reference]["Status"] == "Submitted"
    assert proposals[a.reference]["Contact mobile phone"] == "13912345678"
    submitted = proposals[a.reference]["Submitted at"]
    assert abs(submitted - to_beijing_naive(a.submitted_at)) < timedelta(seconds=1)
    assert proposals[c.reference]["Project title"] == HYPERLINK

    judge_rows = as_dicts(rows_of(workbook["Judges"]))
    assert [row["Judge code"] for row in judge_rows] == ["J001", "J002"]
    assert judge_rows[0]["Assigned"] == 2 and judge_rows[0]["Submitted"] == 2
    assert judge_rows[1]["Assigned"] == 3 and judge_rows[1]["Submitted"] == 2
    assert isinstance(judge_rows[0]["Mean total"], (int, float))

    awards = as_dicts(rows_of(workbook["Awards"]))
    assert awards == [{"Award tier": "First prize", "Reference": a.reference,
                       "Title": "社区空巢老人关爱行动", "Theme": "Elderly care",
                       "Organization or applicant": "绿城志愿者协会",
                       "Requested budget (yuan)": 35000,
                       "Grant (yuan)": 50000}]


def test_judge_names_and_comments_only_when_chosen(client, auth, contest, organizer):
    judges, (a, b, c, d) = build_contest(contest, organizer)
    auth.login(organizer)
    workbook = load_workbook(io.BytesIO(
        download(client, contest, "xlsx", judge_names=True, comments=True).data))
    reviews = {(row["Reference"], row["Judge code"]): row
               for row in as_dicts(rows_of(workbook["Review records"]))}
    assert reviews[(a.reference, "J001")]["Judge name"] == "王评委"
    assert reviews[(a.reference, "J001")]["Comment"] == "需求调研扎实"
    assert reviews[(a.reference, "J002")]["Comment"] == "=1+1"
    judge_rows = as_dicts(rows_of(workbook["Judges"]))
    assert judge_rows[0]["Judge name"] == "王评委" and judge_rows[0]["Organization"] == "郑州大学"


def test_judge_codes_follow_the_order_judges_joined(client, auth, contest, organizer):
    judges, (a, b, c, d) = build_contest(contest, organizer)
    late = make_judge(contest, "late@example.org", name="晚到评委")
    (assignment,) = assign(d, late, actor=organizer)
    review(assignment, 5, 5, 5)
    auth.login(organizer)
    workbook = load_workbook(io.BytesIO(download(client, contest, "xlsx",
                                                 judge_names=True).data))
    codes = {row["Judge name"]: row["Judge code"]
             for row in as_dicts(rows_of(workbook["Review records"]))}
    assert codes == {"王评委": "J001", "李评委": "J002", "晚到评委": "J003"}


def test_the_ranking_csv_opens_in_excel_with_chinese_text(client, auth, contest, organizer):
    judges, (a, b, c, d) = build_contest(contest, organizer)
    auth.login(organizer)
    response = download(client, contest, "csv", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:4] == ["排名", "主题内排名", "项目编号", "项目名称"]
    body = {row[2]: dict(zip(header, row)) for row in rows[1:]}
    assert body[a.reference]["项目名称"] == "社区空巢老人关爱行动"
    assert body[a.reference]["所在机构"] == "绿城志愿者协会"
    assert body[b.reference]["项目名称"] == "'@SUM(1)"
    assert body[c.reference]["项目名称"] == "'" + HYPERLINK
    assert body[d.reference]["项目名称"] == "'-2+3"
    assert float(body[b.reference]["得分"]) > float(body[a.reference]["得分"])
    assert body[b.reference]["排名"] == "1" and body[d.reference]["排名"] == ""
    assert "50000.00" in body[a.reference].values()


def test_the_zip_holds_one_csv_per_sheet(client, auth, contest, organizer):
    judges, (a, b, c, d) = build_contest(contest, organizer)
    auth.login(organizer)
    response = download(client, contest, "zip")
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == ["ranking.csv", "ranking_notes.csv", "reviews.csv",
                                  "proposals.csv", "judges.csv",
                                  "awards.csv"]
    sheets = {}
    for name in archive.namelist():
        data = archive.read(name)
        assert data.startswith(b"\xef\xbb\xbf"), name
        sheets[name] = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {row["Judge code"] for row in sheets["reviews.csv"]} == {"J001", "J002"}
    assert "王评委" not in archive.read("reviews.csv").decode("utf-8-sig")
    titles = {row["Reference"]: row["Project title"] for row in sheets["proposals.csv"]}
    assert titles[c.reference] == "'" + HYPERLINK and titles[d.reference] == "'-2+3"
    assert titles[a.reference] == "社区空巢老人关爱行动"
    assert sheets["awards.csv"][0]["Grant (yuan)"] == "50000.00"


def test_an_export_is_audited(client, auth, contest, organizer):
    build_contest(contest, organizer)
    auth.login(organizer)
    download(client, contest, "zip", judge_names=True)
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="contest.exported"))
    assert event.actor_id == organizer.id
    assert event.detail["format"] == "zip" and event.detail["judge_names"] is True


def test_a_download_without_a_format_is_refused(client, auth, contest, organizer):
    auth.login(organizer)
    response = client.get(f"/admin/contests/{contest.slug}/exports/download?round=first",
                          headers=EN)
    assert response.status_code == 400
    assert "Choose one of the download buttons." in response.get_data(True)


@pytest.mark.parametrize("fmt,check", [
    ("xlsx", lambda data: load_workbook(io.BytesIO(data)).sheetnames[0] == "排名"),
    ("csv", lambda data: data.startswith(b"\xef\xbb\xbf")),
    ("zip", lambda data: "reviews.csv" in zipfile.ZipFile(io.BytesIO(data)).namelist()),
    ("award-list", lambda data: "社区空巢老人关爱行动" in PdfReader(io.BytesIO(data)).pages[0]
     .extract_text()),
    ("certificates", lambda data: "绿城志愿者协会" in PdfReader(io.BytesIO(data)).pages[0]
     .extract_text()),
])
def test_the_cli_writes_what_the_buttons_give(runner, contest, organizer, tmp_path, fmt, check):
    build_contest(contest, organizer)
    out = tmp_path / f"export.{fmt}"
    result = runner.invoke(args=["export", "--contest", contest.slug, "--format", fmt,
                                 "--out", str(out), "--round", "first"])
    db.session.rollback()
    assert result.exit_code == 0, result.output
    assert check(out.read_bytes())
    assert not (tmp_path / f"export.{fmt}.part").exists()


def test_the_cli_names_judges_only_when_asked(runner, contest, organizer, tmp_path):
    build_contest(contest, organizer)
    out = tmp_path / "export.xlsx"
    for flags, named in (([], False), (["--judge-names", "--comments"], True)):
        result = runner.invoke(args=["export", "--contest", contest.slug, "--format", "xlsx",
                                     "--out", str(out), "--locale", "en", *flags])
        assert result.exit_code == 0, result.output
        reviews = as_dicts(rows_of(load_workbook(out)["Review records"]))
        assert ("Judge name" in reviews[0]) is named and ("Comment" in reviews[0]) is named
    db.session.rollback()


def test_the_cli_refuses_an_unknown_contest_or_round(runner, contest, tmp_path):
    out = tmp_path / "x.csv"
    result = runner.invoke(args=["export", "--contest", "nope", "--format", "csv",
                                 "--out", str(out)])
    assert result.exit_code != 0 and "no contest" in result.output
    result = runner.invoke(args=["export", "--contest", contest.slug, "--format", "csv",
                                 "--out", str(out), "--round", "final", "--locale", "en"])
    assert result.exit_code != 0 and "no round final" in result.output
    assert not out.exists()


def grow(contest, organizer, judge, count, start):
    for number in range(start, start + count):
        proposal = make_proposal(contest, make_user(f"u{number}@example.org"),
                                 theme_index=number % 10, title=f"项目{number}")
        (assignment,) = assign(proposal, judge, actor=organizer)
        review(assignment, 7, 8, number % 10 + 1, comment=f"意见{number}")
        if number % 3 == 0:
            db.session.add(Award(contest_id=contest.id, proposal_id=proposal.id,
                                 tier_id=contest.award_tiers[number % 4].id, grant=1000))
    db.session.commit()


@pytest.mark.parametrize("path", [
    "exports/download?format=xlsx&judge_names=y&comments=y", "exports/download?format=zip",
    "exports/download?format=csv", "exports/award-list.pdf", "exports/certificates.pdf",
    "score-import/template.xlsx"])
def test_a_bounded_number_of_queries_whatever_the_size(client, auth, contest, organizer,
                                                       count_queries, path):
    judge = make_judge(contest)
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/{path}"
    grow(contest, organizer, judge, 3, 0)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    grow(contest, organizer, judge, 12, 3)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.total == small.total


def test_the_long_sheets_are_read_as_they_are_written(contest, organizer, count_queries):
    build_contest(contest, organizer)
    ranked = round_ranking(contest)
    sheets = {sheet.key: sheet for sheet in contest_sheets(
        contest, ExportOptions(contest.rounds[0], comments=True), ranked)}
    for key in ("ranking", "reviews", "proposals"):
        assert iter(sheets[key].rows) is sheets[key].rows, key   # an iterator, not a list
    with count_queries() as reading:
        reviews = list(sheets["reviews"].rows)
    assert reading.total == 1 and len(reviews) == 4
    assert [line[-1] for line in reviews[:2]] == ["需求调研扎实", "=1+1"]   # by judge order
    assert reviews[0][3:6] == [Decimal("9.00"), Decimal("8.00"), Decimal("7.00")]


@pytest.mark.parametrize("fmt", ["xlsx", "zip"])
def test_the_progress_follows_the_sheets_as_they_are_written(contest, organizer, fmt,
                                                             monkeypatch):
    """The progress bar of a prepared export moves as each sheet is written, not all at once
    before the first row (the rows, the reviews' above all, are read as they are written)."""
    from portal.exports import services

    build_contest(contest, organizer)
    finished, seen = [], []   # keys of the sheets read to their end; (fraction, how many)

    def read_to_the_end(key, rows):
        yield from rows
        finished.append(key)

    def watched(*args, **kwargs):
        return [replace(sheet, rows=read_to_the_end(sheet.key, sheet.rows))
                for sheet in contest_sheets(*args, **kwargs)]

    monkeypatch.setattr(services, "contest_sheets", watched)
    services.build_export(contest, fmt, ExportOptions(contest.rounds[0]), io.BytesIO(),
                          lambda fraction: seen.append((fraction, len(finished))))
    fractions = [fraction for fraction, _finished in seen]
    assert fractions == sorted(fractions) and fractions[0] == 0.3 and 0.9 < fractions[-1] < 1
    # After the ranking no sheet is read yet; after the k-th sheet is written, k are.
    sheets = len(services.FORMATS[fmt].sheets)
    assert [count for _fraction, count in seen] == list(range(sheets + 1))


def test_a_long_sheet_read_in_part_closes_its_cursor(contest, organizer):
    """A writer that stops early (an error, a client gone) leaves no server-side cursor open
    until the collector finds it: it would hold the transaction, and warn."""
    build_contest(contest, organizer)
    ranked = round_ranking(contest)
    for key in ("reviews", "proposals"):
        (sheet,) = contest_sheets(contest, ExportOptions(contest.rounds[0]), ranked, keys=[key])
        assert open_server_cursors() == [], key     # nothing read before the first row
        rows = iter(sheet.rows)
        next(rows)
        assert len(open_server_cursors()) == 1, key
        rows.close()
        assert open_server_cursors() == [], key
    assert len(list(contest_sheets(contest, ExportOptions(contest.rounds[0]), ranked,
                                   keys=["proposals"])[0].rows)) == 4
    assert open_server_cursors() == []


def test_cells_keep_numbers_and_csv_neutralizes_text():
    # XLSX cells keep the text as it is (a string cell, never a formula); CSV neutralizes it.
    assert cell_value(HYPERLINK) == HYPERLINK and cell_value("普通") == "普通"
    assert cell_value(-2) == -2 and cell_value(-1.5) == -1.5
    assert cell_value(Decimal("-3.50")) == Decimal("-3.50") and cell_value(None) is None
    for text in (HYPERLINK, "@SUM(1)", "-2+3", "+86 139", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
        assert csv_cell(Markup(text)) == "'" + text   # text of another type too
    assert csv_cell("普通") == "普通"
    assert csv_cell(-2) == "-2" and csv_cell(Decimal("8.00")) == "8.00" and csv_cell(None) == ""


def test_the_workbook_writer_on_its_own(tmp_path):
    out = tmp_path / "book.xlsx"
    with open(out, "wb") as handle:
        write_xlsx([Sheet("a", "评审记录", ["编号", "分数"], [["=1", 8], ["甲", Decimal("7.5")]]),
                    Sheet("b", "评审记录", ["-x"], [])], handle)
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["评审记录", "评审记录 2"]
    assert rows_of(workbook["评审记录"]) == [["编号", "分数"], ["=1", 8], ["甲", 7.5]]
    formula_like = workbook["评审记录"]["A2"]
    assert formula_like.data_type == "s" and formula_like.quotePrefix
    assert not workbook["评审记录"]["A3"].quotePrefix
    heading = workbook["评审记录 2"]["A1"]   # a heading too, still bold
    assert heading.value == "-x" and heading.data_type == "s" and heading.quotePrefix
    assert heading.font.b and workbook["评审记录"]["A1"].font.b
    assert sheet_title("a/b:c" + "x" * 40) == ("a b c" + "x" * 40)[:31]


def test_formatted_cells_keep_each_rows_value_and_format(tmp_path):
    out = tmp_path / "formats.xlsx"
    rows = [[Decimal("7.5"), 3, Decimal("1000")], [8.25, 4, None], [Decimal("9"), 5, 12]]
    with open(out, "wb") as handle:
        write_xlsx([Sheet("a", "分数", ["分数", "名次", "金额"], rows,
                          formats={0: "0.00", 2: "#,##0.00"})], handle)
    sheet = load_workbook(out)["分数"]
    assert rows_of(sheet)[1:] == [[7.5, 3, 1000], [8.25, 4, None], [9, 5, 12]]
    assert [sheet.cell(row, 1).number_format for row in (2, 3, 4)] == ["0.00"] * 3
    assert [sheet.cell(row, 3).number_format for row in (2, 4)] == ["#,##0.00"] * 2
    assert sheet.cell(2, 2).number_format == "General"


ROUTES = ["exports", "exports/download?format=csv", "exports/award-list.pdf",
          "exports/certificates.pdf", "score-import", "score-import/template.xlsx"]


@pytest.mark.parametrize("path", ROUTES)
def test_anonymous_visitors_are_sent_to_log_in(client, contest, path):
    response = client.get(f"/admin/contests/{contest.slug}/{path}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ROUTES)
def test_applicants_and_judges_are_refused(client, auth, contest, applicant, path):
    judge = make_judge(contest)
    for user in (applicant, judge):
        auth.login(user)
        assert client.get(f"/admin/contests/{contest.slug}/{path}").status_code == 403
    auth.login(applicant)
    response = client.post(f"/admin/contests/{contest.slug}/score-import", data={})
    assert response.status_code == 403
