"""Import of paper scores: the template, row-by-row checks, all or nothing, the round trip."""
import io
import re
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from portal.extensions import db
from portal.models import Assignment, AuditEvent, ProposalStatus, Review, Round, utcnow
from portal.results.ranking import round_ranking
from tests.factories import assign, make_judge, make_proposal, make_user, review

EN = {"Accept-Language": "en"}
HEADER = ["Reference", "Theme", "Judge code", "Judge name", "Innovation", "Practicality",
          "Operability", "Comment"]


@pytest.fixture
def live(contest, organizer):
    return paper_world(contest, organizer)


def paper_world(contest, organizer):
    """Two judges (J001, J002) and three proposals in the first three themes; J002 is not
    assigned to the third."""
    judges = [make_judge(contest, f"j{n}@example.org", name=f"评委{n}") for n in (1, 2)]
    proposals = [make_proposal(contest, make_user(f"p{n}@example.org"), title=f"项目{n}",
                               theme_index=n) for n in range(3)]
    assign(proposals[0], *judges, actor=organizer)
    assign(proposals[1], *judges, actor=organizer)
    assign(proposals[2], judges[0], actor=organizer)
    return judges, proposals


def workbook_bytes(rows, header=HEADER, title="Sheet"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_rows(proposals):
    return [[proposals[0].reference, "", "J001", "评委1", 9, 8, 7, "现场表现好"],
            [proposals[0].reference, "", "J002", "", 7, 8, 9, None],
            [proposals[1].reference, "", "J001", "", 6, 6, 6, None],
            [proposals[1].reference, "", "J002", "", 5, 6, 7, None],
            [proposals[2].reference, "", "J001", "", 10, 10, 10, None]]


def upload(client, contest, content, name="scores.xlsx", round_code="first", **extra):
    return client.post(f"/admin/contests/{contest.slug}/score-import", headers=EN,
                       data={"round": round_code, "file": (io.BytesIO(content), name), **extra},
                       content_type="multipart/form-data", follow_redirects=True)


def saved_reviews():
    return db.session.scalars(db.select(Review)).all()


def test_the_template_has_a_row_per_assignment(client, auth, contest, organizer, live):
    judges, proposals = live
    auth.login(organizer)
    response = client.get(f"/admin/contests/{contest.slug}/score-import/template.xlsx"
                          "?round=first", headers=EN)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "score-template.xlsx" in response.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0] == ("Reference", "Title", "Theme", "Judge code", "Judge name", "Innovation",
                       "Practicality", "Operability", "Comment")
    assert len(rows) == 1 + 5
    assert {(row[0], row[3]) for row in rows[1:]} == {
        (proposals[0].reference, "J001"), (proposals[0].reference, "J002"),
        (proposals[1].reference, "J001"), (proposals[1].reference, "J002"),
        (proposals[2].reference, "J001")}
    assert all(cell is None for row in rows[1:] for cell in row[5:])
    assert rows[1][1] == "项目0" and rows[1][4] == "评委1"


def test_a_good_file_is_saved_as_submitted_reviews(client, auth, contest, organizer, live):
    judges, proposals = live
    auth.login(organizer)
    page = upload(client, contest, workbook_bytes(good_rows(proposals))).get_data(True)
    assert "Reviews imported: 5 (new: 5, replaced: 0, unchanged: 0)" in page
    reviews = saved_reviews()
    assert len(reviews) == 5 and all(review.submitted_at for review in reviews)
    first = db.session.scalar(db.select(Review).join(Review.assignment).filter(
        Assignment.proposal_id == proposals[0].id, Assignment.judge_id == judges[0].id))
    criteria = contest.criteria
    assert [first.score_for(c.id) for c in criteria] == [Decimal(9), Decimal(8), Decimal(7)]
    assert first.comment == "现场表现好"
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="scores.imported"))
    assert event.actor_id == organizer.id and event.detail["created"] == 5
    assert event.detail["rows"] == 5 and event.detail["file"] == "scores.xlsx"
    submitted = db.session.scalars(db.select(AuditEvent).filter_by(
        action="review.submitted")).all()
    assert len(submitted) == 5  # the same code path as judges' scoring
    # Importing the same file again changes nothing.
    page = upload(client, contest, workbook_bytes(good_rows(proposals))).get_data(True)
    assert "unchanged: 5" in page


def test_chinese_headers_and_blank_template_rows(client, auth, contest, organizer, live):
    judges, proposals = live
    auth.login(organizer)
    # "项目编号" is the Chinese "Reference"; criteria are named as the contest names them.
    header = ["项目编号", "Judge code", "创新性", "实践性", "可操作性"]
    rows = [[proposals[0].reference, "j001", 8, "7", "６"],   # lower case, text, full width
            [proposals[0].reference, "J002", None, None, None]]  # not scored on paper
    page = upload(client, contest, workbook_bytes(rows, header=header)).get_data(True)
    assert "Rows without any score skipped: 1" in page
    (saved,) = saved_reviews()
    assert [saved.score_for(c.id) for c in contest.criteria] == [8, 7, 6]


def problems(page):
    """The rows of the problems table: (row, column, message)."""
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(
        r"<td[^>]*>(.*?)</td>", row, re.S)) for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


def test_one_bad_row_saves_nothing_and_is_reported(client, auth, contest, organizer, live):
    judges, proposals = live
    rows = good_rows(proposals)
    rows[3][5] = 11    # row 5 of the sheet, column F (Practicality)
    auth.login(organizer)
    page = upload(client, contest, workbook_bytes(rows)).get_data(True)
    assert "Nothing was saved" in page
    assert problems(page) == [("5", "F (Practicality)", "Give a score from 1 to 10.")]
    assert saved_reviews() == []
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="scores.imported")) is None


def test_every_kind_of_problem_is_reported_with_its_row(client, auth, contest, organizer, live):
    judges, proposals = live
    outsider = make_judge(contest, "j3@example.org")   # J003, assigned to nothing
    rows = good_rows(proposals) + [
        [proposals[2].reference, "", "J002", "", 5, 5, 5, None],   # 7: J002 not assigned
        [proposals[2].reference, "", "J099", "", 5, 5, 5, None],   # 8: unknown code
        ["ZZCF-2014-9999", "", "J001", "", 5, 5, 5, None],         # 9: unknown reference
        [proposals[1].reference, "", "J001", "", 5, 5, 5, None],   # 10: twice the same
        [proposals[0].reference, "", "J003", "", 7.5, "x", None, None],  # 11
    ]
    auth.login(organizer)
    found = problems(upload(client, contest, workbook_bytes(rows)).get_data(True))
    assert ("7", "C (Judge code)", "Judge J002 is not assigned to "
            f"{proposals[2].reference} in this round: assign the proposal to the judge "
            "first.") in found
    assert ("8", "C (Judge code)", "No judge of this contest has the code J099.") in found
    assert ("9", "A (Reference)",
            "No proposal of this contest has the reference ZZCF-2014-9999.") in found
    assert ("10", "A (Reference)", "This judge and proposal are already in row 4.") in found
    assert ("11", "E (Innovation)", "Scores go in steps of 1.") in found
    assert ("11", "F (Practicality)", "Enter a number.") in found
    assert ("11", "G (Operability)", "Enter a score.") in found
    assert len(found) == 8 and outsider.id
    assert saved_reviews() == []


def test_a_submitted_review_is_replaced_only_when_asked(client, auth, contest, organizer, live):
    judges, proposals = live
    (first, _second) = db.session.scalars(db.select(Assignment).filter_by(
        proposal_id=proposals[0].id).order_by(Assignment.judge_id)).all()
    review(first, 3, 3, 3, comment="线上评分")
    rows = good_rows(proposals)[:1]
    auth.login(organizer)
    found = problems(upload(client, contest, workbook_bytes(rows)).get_data(True))
    assert found == [("2", "C (Judge code)", "Judge J001 has already submitted other scores "
                      f"for {proposals[0].reference}: tick “Replace scores already submitted” "
                      "to overwrite them.")]
    page = upload(client, contest, workbook_bytes(rows), replace="y").get_data(True)
    assert "replaced: 1" in page
    db.session.refresh(first.review)
    assert first.review.score_for(contest.criteria[0].id) == 9
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="review.revised"))


@pytest.mark.parametrize("content,name", [
    (b"Reference,Judge code\n", "scores.xlsx"),
    (b"%PDF-1.4 not a workbook", "scores.xlsx"),
    (b"", "scores.xlsx"),
])
def test_only_a_real_xlsx_is_accepted(client, auth, contest, organizer, live, content, name):
    auth.login(organizer)
    page = upload(client, contest, content, name=name).get_data(True)
    assert "Upload an Excel workbook (.xlsx)" in page or "The file is empty." in page
    assert saved_reviews() == []


def test_a_word_document_named_xlsx_is_refused(client, auth, contest, organizer, live):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    auth.login(organizer)
    page = upload(client, contest, buffer.getvalue()).get_data(True)
    assert "Upload an Excel workbook (.xlsx)" in page


def test_a_file_over_the_size_cap_is_refused(client, auth, contest, organizer, live, web_app,
                                             monkeypatch):
    monkeypatch.setitem(web_app.config, "PORTAL_MAX_UPLOAD_MB", 0)
    auth.login(organizer)
    page = upload(client, contest, workbook_bytes(good_rows(live[1]))).get_data(True)
    assert "The file is larger than 0 MB." in page
    assert saved_reviews() == []


def test_a_sheet_without_the_columns_is_refused(client, auth, contest, organizer, live):
    auth.login(organizer)
    page = upload(client, contest, workbook_bytes([["x", 1]], header=["编号", "分数"]))
    found = problems(page.get_data(True))
    assert found[0][0] == "1" and "start from the template" in found[0][2]


def test_a_closed_round_takes_no_scores(client, auth, contest, organizer, live):
    contest.rounds[0].closed_at = utcnow()
    db.session.commit()
    auth.login(organizer)
    page = upload(client, contest, workbook_bytes(good_rows(live[1]))).get_data(True)
    assert "scores can only be imported into an open round" in page
    assert saved_reviews() == []


def test_a_final_round_with_a_live_session(client, auth, contest, organizer, live):
    """Scores of the final round go to its own assignments, not the first round's."""
    judges, proposals = live
    final = Round(contest=contest, position=2, code="final", name_zh="终审", name_en="Final")
    db.session.add(final)
    contest.rounds[0].closed_at = utcnow()
    proposals[0].status = ProposalStatus.ADVANCED
    db.session.commit()
    assign(proposals[0], judges[1], actor=organizer)   # in the current round: the final
    auth.login(organizer)
    rows = [[proposals[0].reference, "", "J002", "", 8, 8, 8, None]]
    page = upload(client, contest, workbook_bytes(rows), round_code="final").get_data(True)
    assert "new: 1" in page
    (saved,) = saved_reviews()
    assert saved.assignment.round_id == final.id


def ranking_snapshot(contest):
    ranked = round_ranking(contest, contest.rounds[0], with_intervals=False)
    return [(row.proposal_id, row.rank, row.theme_rank, row.tied,
             {method: None if score is None else round(score, 9)
              for method, score in row.scores.items()}) for row in ranked.result.rows]


def test_export_then_import_reproduces_the_ranking(client, auth, contest, organizer):
    judges = [make_judge(contest, f"r{n}@example.org") for n in range(3)]
    proposals = [make_proposal(contest, make_user(f"q{n}@example.org"), title=f"项目{n}",
                               theme_index=n % 3) for n in range(5)]
    marks = [(9, 8, 7), (7, 8, 9), (6, 6, 6), (10, 9, 8), (5, 6, 7)]
    for number, proposal in enumerate(proposals):
        for offset, assignment in enumerate(assign(proposal, *judges[:2 + number % 2],
                                                   actor=organizer)):
            scores = [max(1, min(10, mark - offset)) for mark in marks[number]]
            review(assignment, *scores, comment=f"意见{number}-{offset}" if offset else "=SUM(1)")
    before = ranking_snapshot(contest)
    auth.login(organizer)
    exported = client.get(f"/admin/contests/{contest.slug}/exports/download?format=xlsx"
                          "&round=first&comments=y&judge_names=y", headers=EN).data
    count = db.session.scalar(db.select(db.func.count(Review.id)))
    for old in db.session.scalars(db.select(Review)):
        db.session.delete(old)
    db.session.commit()
    assert ranking_snapshot(contest) != before
    page = upload(client, contest, exported, name="export.xlsx").get_data(True)
    assert f"Reviews imported: {count} (new: {count}" in page
    db.session.expire_all()
    assert ranking_snapshot(contest) == before
    comments = {review.comment for review in saved_reviews()}
    assert "意见0-1" in comments and "=SUM(1)" in comments   # read back as typed


ROUTES = ["score-import", "score-import/template.xlsx?round=first"]


@pytest.mark.parametrize("path", ROUTES)
def test_only_organizers_import(client, auth, contest, applicant, path):
    assert client.get(f"/admin/contests/{contest.slug}/{path}").status_code == 302
    judge = make_judge(contest)
    for user in (applicant, judge):
        auth.login(user)
        assert client.get(f"/admin/contests/{contest.slug}/{path}").status_code == 403
        response = client.post(f"/admin/contests/{contest.slug}/score-import",
                               data={"round": "first"})
        assert response.status_code == 403
