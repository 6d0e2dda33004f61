"""Criterion kinds (portal.rules.criteria): one description of a criterion's scale and step,
read by the review form, the score service, the paper import and the ranking."""
from decimal import Decimal

import pytest
from flask_babel import force_locale

from portal.errors import DomainError
from portal.rules.contest import ScoreRefused, check_score
from portal.rules.criteria import SCALE, kind_of
from tests.factories import Auth, assign, make_judge, make_proposal


def _criterion(contest):
    criterion = contest.criteria[0]
    criterion.scale_min, criterion.scale_max, criterion.scale_step = \
        Decimal(1), Decimal(10), Decimal("0.5")
    return criterion


@pytest.fixture
def english(app_context):
    with force_locale("en"):
        yield


def test_a_scale_reads_checks_and_shows_scores(english, contest):
    criterion = _criterion(contest)
    kind = kind_of(criterion)
    assert kind is SCALE
    assert kind.bounds(criterion) == (Decimal(1), Decimal(10))
    assert kind.parse(criterion, " ７.5 ") == (Decimal("7.5"), None)          # full-width digits too
    assert kind.parse(criterion, 8.0) == (Decimal("8.0"), None)
    for bad in ("", None, "seven", True, "NaN"):
        number, message = kind.parse(criterion, bad)
        assert number is None and str(message) in ("Enter a score.", "Enter a number.")
    assert kind.refusal(criterion, Decimal("9.5")) is None
    assert str(kind.refusal(criterion, Decimal(11))) == "Give a score from 1 to 10."
    assert str(kind.refusal(criterion, Decimal("7.25"))) == "Scores go in steps of 0.5."
    assert kind.show(criterion, Decimal("7.50")) == "7.5" and kind.show(criterion, None) == ""
    assert kind.input_attributes(criterion) == {"inputmode": "decimal", "min": "1",
                                                "max": "10", "step": "0.5"}
    assert str(kind.explanation(criterion)) == "Scale: 1 to 10, in steps of 0.5."


def test_the_score_check_names_the_criterion_not_a_form_field(english, contest):
    criterion = _criterion(contest)
    check_score(criterion, Decimal(10))
    with pytest.raises(ScoreRefused) as refused:
        check_score(criterion, Decimal(0))
    assert isinstance(refused.value, DomainError)
    assert refused.value.criterion_id == criterion.id and refused.value.field is None


def test_the_review_form_shows_a_refused_score_beside_its_own_field(client, contest,
                                                                    applicant, organizer):
    judge = make_judge(contest)
    proposal = make_proposal(contest, applicant, submit=True)
    (assignment,) = assign(proposal, judge, actor=organizer)
    first, second = contest.criteria[0], contest.criteria[1]
    Auth(client).login(judge)
    page = client.post(f"/judge/assignments/{assignment.id}", data={
        f"criterion_{first.id}": "5", f"criterion_{second.id}": "999",
        "submit_review": "y"}, headers={"Accept-Language": "en"}).get_data(True)
    # Beside the field, and once in the error summary above the form (issue 20), no more.
    assert page.count("Give a score from") == 2
    assert page.index("Give a score from") < page.index(f'name="criterion_{first.id}"')
    assert page.rindex("Give a score from") > page.index(f'name="criterion_{second.id}"')


# ---- the second kind: a yes-or-no answer, through every stage that reads scores ----

from portal.contests.loader import ContestFileError, parse_contest  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.models import Review, utcnow  # noqa: E402
from portal.models.contests import CRITERION_KINDS  # noqa: E402
from portal.results.ranking import round_ranking  # noqa: E402
from portal.rules.criteria import KIND_CODES, YES_NO  # noqa: E402
from tests.factories import SEED_FILE, review  # noqa: E402


def _yes_no(contest):
    """The contest's third criterion (operability) becomes a yes-or-no answer on 1-10."""
    criterion = contest.criteria[2]
    criterion.kind = YES_NO.code
    db.session.commit()
    return criterion


def test_the_database_constraint_lists_the_kinds_of_the_rules():
    assert CRITERION_KINDS == KIND_CODES == ("scale", "yes_no")


def test_a_scale_s_cells_have_as_many_decimals_as_its_step(english, contest):
    criterion = _criterion(contest)
    assert SCALE.number_format(criterion) == "0.0" and SCALE.cell(criterion, Decimal(7)) == 7
    criterion.scale_step = Decimal(1)
    assert SCALE.number_format(criterion) == "0" and SCALE.scale_text(criterion) == "1–10"
    assert SCALE.choices(criterion)[0] == ("1", "1") and len(SCALE.choices(criterion)) == 10
    criterion.scale_min, criterion.scale_max, criterion.scale_step = 0, 100, 5
    assert SCALE.choices(criterion) == []          # 21 steps: a number box


def test_a_yes_no_answer_reads_checks_and_shows_yes_and_no(english, contest):
    criterion = _yes_no(contest)
    assert kind_of(criterion) is YES_NO and YES_NO.bounds(criterion) == (1, 10)
    for yes in ("yes", " YES ", "是", "y", 10, "10"):
        assert YES_NO.parse(criterion, yes) == (Decimal(10), None), yes
    for no in ("no", "否", "N", 1):
        assert YES_NO.parse(criterion, no) == (Decimal(1), None), no
    assert str(YES_NO.parse(criterion, "maybe")[1]) == "Answer yes or no."
    assert str(YES_NO.parse(criterion, "")[1]) == "Enter a score."
    assert str(YES_NO.refusal(criterion, Decimal(5))) == "Answer yes or no."
    assert YES_NO.refusal(criterion, Decimal(10)) is None
    assert YES_NO.show(criterion, Decimal(10)) == "yes" and YES_NO.cell(criterion, None) is None
    assert YES_NO.choices(criterion) == [("10", "yes"), ("1", "no")]
    assert YES_NO.number_format(criterion) is None and YES_NO.input_attributes(criterion) == {}
    with force_locale("zh_Hans_CN"):
        assert YES_NO.show(criterion, Decimal(1)) == "否"
        assert str(YES_NO.explanation(criterion)) == "是或否：“是”计 10 分，“否”计 1 分。"
        assert YES_NO.scale_text(criterion) == "是 / 否"


def test_the_score_service_refuses_a_yes_no_score_that_is_neither(english, contest):
    criterion = _yes_no(contest)
    check_score(criterion, Decimal(1))
    with pytest.raises(ScoreRefused, match="Answer yes or no."):
        check_score(criterion, Decimal(7))


def test_the_review_form_offers_yes_and_no_and_saves_them(client, contest, applicant,
                                                          organizer):
    criterion = _yes_no(contest)
    judge = make_judge(contest)
    proposal = make_proposal(contest, applicant, submit=True)
    (assignment,) = assign(proposal, judge, actor=organizer)
    Auth(client).login(judge)
    url = f"/judge/assignments/{assignment.id}"
    page = client.get(url + "?read=1", headers={"Accept-Language": "zh-CN"}).get_data(True)
    field = f"criterion_{criterion.id}"
    group = page[page.index(f'id="{field}"'):]
    group = group[:group.index("</fieldset>")]
    assert 'value="10"' in group and 'value="1"' in group and group.count('type="radio"') == 2
    assert ">是</label>" in group and ">否</label>" in group
    first, second = contest.criteria[0], contest.criteria[1]
    refused = client.post(url, data={f"criterion_{first.id}": "5", f"criterion_{second.id}": "6",
                                     field: "5", "submit_review": "y"},
                          headers={"Accept-Language": "en"}).get_data(True)
    assert "Answer yes or no." in refused
    client.post(url, data={f"criterion_{first.id}": "5", f"criterion_{second.id}": "6",
                           field: "10", "submit_review": "y"})
    saved = db.session.scalar(db.select(Review).filter_by(assignment_id=assignment.id))
    assert saved.submitted_at is not None and saved.score_for(criterion.id) == Decimal(10)


def test_yes_counts_as_the_top_of_the_scale_in_the_ranking(contest, applicant, organizer):
    _yes_no(contest)
    judge = make_judge(contest)
    said_yes = make_proposal(contest, applicant, submit=True)
    said_no = make_proposal(contest, applicant, submit=True)
    review(assign(said_yes, judge, actor=organizer)[0], 6, 6, 10)
    review(assign(said_no, judge, actor=organizer)[0], 6, 6, 1)
    rows = {row.proposal_id: row for row in
            round_ranking(contest, with_intervals=False).result.rows}
    weights = [c.weight for c in contest.criteria]
    assert rows[said_yes.id].rank == 1 and rows[said_no.id].rank == 2
    assert rows[said_yes.id].scores["plain"] == pytest.approx(
        float((6 * weights[0] + 6 * weights[1] + 10 * weights[2]) / sum(weights)))


def test_the_exports_write_yes_and_no_and_the_paper_import_reads_them_back(
        client, contest, applicant, organizer):
    import io

    from openpyxl import load_workbook

    from tests.test_exports import download
    from tests.test_score_import import upload
    criterion = _yes_no(contest)
    judge = make_judge(contest)
    proposal = make_proposal(contest, applicant, submit=True)
    (assignment,) = assign(proposal, judge, actor=organizer)
    review(assignment, 6, 7, 10)
    Auth(client).login(organizer)
    workbook = load_workbook(io.BytesIO(download(
        client, contest, "xlsx", headers={"Accept-Language": "zh-CN"}).data))
    sheet = next(sheet for sheet in workbook.worksheets
                 if sheet.cell(1, 4).value == contest.criteria[0].name_zh)
    assert [sheet.cell(2, column).value for column in (4, 5, 6)] == [6, 7, "是"]
    assert sheet.cell(2, 4).number_format == "0" and sheet.cell(2, 6).number_format == "General"
    # The sheet goes back in with 否 typed over 是: the import reads the kind's words.
    sheet.cell(2, 6).value = "否"
    buffer = io.BytesIO()
    workbook.save(buffer)
    for other in [s for s in workbook.worksheets if s is not sheet]:
        workbook.remove(other)
    buffer = io.BytesIO()
    workbook.save(buffer)
    page = upload(client, contest, buffer.getvalue(), replace="y").get_data(True)
    db.session.expire_all()
    saved = db.session.scalar(db.select(Review).filter_by(assignment_id=assignment.id))
    assert saved.score_for(criterion.id) == Decimal(1), page
    sheet.cell(2, 6).value = "也许"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert "Answer yes or no." in upload(client, contest, buffer.getvalue(),
                                         replace="y").get_data(True)


def test_the_contest_file_names_a_criterion_s_kind(app_context):
    text = SEED_FILE.read_text(encoding="utf-8")
    marker = "  - code: innovation\n"
    parsed = parse_contest(text.replace(marker, marker + "    kind: yes_no\n"), utcnow())
    kinds = [item["kind"] for item in parsed["criteria"]]
    assert kinds == ["yes_no", "scale", "scale"]
    with pytest.raises(ContestFileError, match=r"criteria\[0\]\.kind|kind"):
        parse_contest(text.replace(marker, marker + "    kind: stars\n"), utcnow())


def test_the_setup_form_sets_a_kind_and_refuses_changing_it_once_scored(
        client, auth, contest, applicant, organizer):
    from tests.test_setup import criterion_rows
    auth.login(organizer)
    data = criterion_rows(contest)
    data["items-2-kind"] = "yes_no"
    page = client.get(f"/admin/contests/{contest.slug}/parts/criteria",
                      headers={"Accept-Language": "zh-CN"}).get_data(True)
    assert "评分方式" in page and "是或否" in page
    assert client.post(f"/admin/contests/{contest.slug}/parts/criteria",
                       data=data).status_code == 302
    db.session.expire_all()
    assert [c.kind for c in contest.criteria] == ["scale", "scale", "yes_no"]
    judge = make_judge(contest)
    (assignment,) = assign(make_proposal(contest, applicant, submit=True), judge,
                           actor=organizer)
    review(assignment, 5, 5, 10)
    data = criterion_rows(contest)
    data["items-2-kind"] = "scale"
    response = client.post(f"/admin/contests/{contest.slug}/parts/criteria",
                           headers={"Accept-Language": "en"}, data=data)
    assert "its scale cannot change" in response.get_data(as_text=True)


def test_the_public_page_names_each_criterion_s_scale_by_its_kind(client, contest):
    _yes_no(contest)
    page = client.get(f"/contests/{contest.slug}", headers={"Accept-Language": "zh-CN"}) \
        .get_data(True)
    assert page.count("评分范围 1–10") == 2 and "是或否" in page
