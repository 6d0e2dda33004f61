"""The meeting pack: the PDF (cover, contents, each proposal in full, a score sheet each; blind
in a blind contest) and the ZIP of attachments as judges download them, direct for a small
selection and prepared by a job for a large one (the 200-proposal demo contest); of a round or
theme, or of the proposals ticked in the proposal table."""
import io
import re
import zipfile

import pytest
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage
from werkzeug.http import parse_options_header

from portal.extensions import db
from portal.models import Assignment, AuditEvent, Contest, FileStatus, Proposal, PreparedFile, \
    User
from portal.ops.demo import ORGS
from portal.proposals.attachments import add_attachment
from tests.factories import Auth, assign, make_chair, make_contest, make_judge, make_proposal, \
    make_user, pdf_file
from tests.test_blind_files import word_file

EN = {"Accept-Language": "en"}


def pack(client, contest, fmt, theme=None, headers=None):
    query = {"pack-round": contest.rounds[0].code, "pack-format": fmt}
    if theme:
        query["pack-theme"] = theme
    return client.get(f"/admin/contests/{contest.slug}/exports/meeting-pack",
                      query_string=query, headers=headers or {})


def pdf_text(content):
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def blind_world(app_context):
    """A blind contest: two proposals with attachments (a Word file naming its author), judges."""
    contest = make_contest(blind=True)
    organizer = make_user("organizer@example.org", organizer=True)
    judge = make_judge(contest, "judge@example.org", name="钱评委")
    other = make_judge(contest, "other@example.org", name="孙评委")
    first = make_proposal(contest, make_user("a@example.org", name="赵申报"),
                          title="社区空巢老人关爱行动")
    second = make_proposal(contest, make_user("b@example.org", name="周申报"),
                           title="留守儿童阅读陪伴", theme_index=1)
    unassigned = make_proposal(contest, make_user("c@example.org"), title="不在本轮的项目")
    for proposal, files in ((first, [("计划书-王芳.docx", word_file()), ("预算.pdf", pdf_file(
            Author="王芳"))]), (second, [("照片说明.pdf", pdf_file())]),
                            (unassigned, [("其他.pdf", pdf_file())])):
        for name, content in files:
            add_attachment(proposal.applicant, proposal, FileStorage(io.BytesIO(content), name))
    db.session.commit()
    assign(first, judge, other, actor=organizer)
    assign(second, judge, actor=organizer)
    return contest, organizer, judge, (first, second)


def test_the_blind_pack_names_no_applicant_and_no_judge(client, auth, blind_world):
    contest, organizer, _judge, (first, second) = blind_world
    auth.login(organizer)
    response = pack(client, contest, "pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader, text = pdf_text(response.data)
    # Cover, contents, and for each proposal its pages and its score sheet.
    assert len(reader.pages) >= 2 + 2 * 2
    for expected in ("社区空巢老人关爱行动", "留守儿童阅读陪伴", first.reference, second.reference,
                     "为社区空巢老人提供每周上门探访", "J001", "J002", "评分表"):
        assert expected in text
    for identity in ("赵申报", "周申报", "王芳", "13912345678", "wangfang@example.org",
                     "钱评委", "孙评委", "绿城志愿者协会", "不在本轮的项目", "计划书"):
        assert identity not in text
    # The score sheet carries the template's headings: judge code and each criterion's name.
    for criterion in contest.criteria:
        assert criterion.name_zh in text


def test_the_attachments_zip_holds_what_the_judge_downloads(client, auth, blind_world):
    contest, organizer, judge, (first, second) = blind_world
    auth.login(organizer)
    response = pack(client, contest, "zip")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert len(names) == len(set(names)) == 3
    Auth(client).login(judge)
    for proposal in (first, second):
        for attachment in proposal.attachments:
            as_judge = client.get(f"/attachments/{attachment.id}")
            assert as_judge.status_code == 200
            _kind, options = parse_options_header(as_judge.headers["Content-Disposition"])
            entry = f"{proposal.reference}/{options['filename']}"
            assert archive.read(entry) == as_judge.data
            assert b"\xe7\x8e\x8b\xe8\x8a\xb3" not in archive.read(entry)   # 王芳, cleaned


def test_an_open_contest_pack_names_applicants_and_judges(client, auth, app_context):
    contest = make_contest()
    organizer = make_user("organizer@example.org", organizer=True)
    judge = make_judge(contest, "judge@example.org", name="钱评委")
    proposal = make_proposal(contest, make_user("a@example.org"), title="社区空巢老人关爱行动")
    add_attachment(proposal.applicant, proposal, FileStorage(io.BytesIO(pdf_file()), "计划书.pdf"))
    db.session.commit()
    assign(proposal, judge, actor=organizer)
    auth.login(organizer)
    _reader, text = pdf_text(pack(client, contest, "pdf").data)
    assert "钱评委" in text and "王芳" in text and "绿城志愿者协会" in text
    archive = zipfile.ZipFile(io.BytesIO(pack(client, contest, "zip").data))
    assert archive.namelist() == [f"{proposal.reference}/计划书.pdf"]
    assert archive.read(archive.namelist()[0]) == pdf_file()


def test_one_theme_only_and_bad_choices(client, auth, blind_world):
    contest, organizer, _judge, (first, second) = blind_world
    auth.login(organizer)
    _reader, text = pdf_text(pack(client, contest, "pdf", theme=contest.themes[1].code).data)
    assert second.reference in text and first.reference not in text
    assert pack(client, contest, "pdf", theme="nope", headers=EN).status_code == 400
    assert pack(client, contest, "docx", headers=EN).status_code == 400


def test_the_demo_contest_pack_is_built_by_a_job(client, auth, runner, web_app, monkeypatch,
                                                 app_context):
    result = runner.invoke(args=["seed-demo", "--contest", "demo-pack", "--proposals", "200",
                                 "--judges", "20", "--reviews-per-proposal", "3"])
    assert result.exit_code == 0, result.output
    db.session.rollback()
    contest = db.session.scalar(db.select(Contest).filter_by(slug="demo-pack"))
    contest.blind = True
    organizer = make_user("organizer@example.org", organizer=True)
    db.session.commit()
    monkeypatch.setitem(web_app.config, "PORTAL_BACKGROUND_EXPORT_ROWS", 100)
    auth.login(organizer)
    response = pack(client, contest, "pdf")
    prepared = db.session.scalar(db.select(PreparedFile))
    assert response.status_code == 302 and prepared.kind == "meeting-pack"
    assert prepared.status == FileStatus.DONE, prepared.error
    reader, text = pdf_text(client.get(f"{response.location}/download").data)
    assert len(reader.pages) >= 2 + 200 * 2
    references = db.session.scalars(db.select(Proposal.reference)
                                    .filter_by(contest_id=contest.id)).all()
    assert len(references) == 200 and all(reference in text for reference in references)
    assert "评分表" in text
    judges = db.session.scalars(db.select(User.display_name).where(User.id.in_(
        db.select(Assignment.judge_id)))).all()
    assert judges and not re.search(r"评审专家\d", text)
    assert not re.search(r"申报人\d", text) and not re.search(r"联系人\d", text)
    assert not any(organization in text for organization in ORGS)
    assert not re.search(r"1\d{10}", text)   # the contacts' mobile numbers


def page_of(answer):
    """The page without its CSRF tokens, which carry the second they were signed in."""
    return re.sub(r'name="csrf_token" value="[^"]*"', "", answer.get_data(as_text=True))


def pack_of(client, contest, fmt, ids, headers=None, query=None):
    """The meeting pack of the proposals ticked in the proposal table (its buttons' POST)."""
    return client.post(f"/admin/contests/{contest.slug}/exports/meeting-pack/selection",
                       query_string=query or {}, data={"proposal_ids": ids, "format": fmt},
                       headers=headers or {})


@pytest.fixture
def five(app_context):
    """An open contest of five proposals in two themes, the first two assigned to a judge."""
    contest = make_contest()
    organizer = make_user("organizer@example.org", organizer=True)
    judge = make_judge(contest, "judge@example.org", name="钱评委")
    titles = ["社区空巢老人关爱行动", "留守儿童阅读陪伴", "乡村图书角", "残障青年就业培训",
              "环卫工人爱心驿站"]
    proposals = [make_proposal(contest, make_user(f"p{n}@example.org"), title=title,
                               theme_index=n % 2) for n, title in enumerate(titles)]
    for proposal in proposals:
        add_attachment(proposal.applicant, proposal,
                       FileStorage(io.BytesIO(pdf_file()), f"计划书{proposal.id}.pdf"))
    db.session.commit()
    assign(proposals[0], judge, actor=organizer)
    assign(proposals[1], judge, actor=organizer)
    return contest, organizer, proposals


def test_a_selection_of_three_gives_exactly_those_three(client, auth, five):
    contest, organizer, proposals = five
    auth.login(organizer)
    table = client.get(f"/admin/contests/{contest.slug}/proposals", headers=EN)
    assert "/exports/meeting-pack/selection" in table.get_data(as_text=True)
    ticked, left = [proposals[0], proposals[2], proposals[4]], [proposals[1], proposals[3]]
    response = pack_of(client, contest, "pdf", [p.id for p in ticked])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    _kind, options = parse_options_header(response.headers["Content-Disposition"])
    assert options["filename"] == f"{contest.slug}-selection-3-meeting-pack.pdf"
    reader, text = pdf_text(response.data)
    assert len(reader.pages) >= 2 + 3 * 2
    assert "选定的项目（3 项）" in text and "钱评委" in text   # the current round's judge
    for proposal in ticked:
        assert proposal.reference in text and proposal.title in text
    for proposal in left:
        assert proposal.reference not in text and proposal.title not in text
    archive = zipfile.ZipFile(io.BytesIO(pack_of(client, contest, "zip",
                                                 [p.id for p in ticked]).data))
    assert sorted(archive.namelist()) == sorted(
        f"{p.reference}/计划书{p.id}.pdf" for p in ticked)


def test_a_blind_selection_names_no_one(client, auth, blind_world):
    contest, organizer, _judge, (first, second) = blind_world
    auth.login(organizer)
    response = pack_of(client, contest, "pdf", [first.id])
    _reader, text = pdf_text(response.data)
    assert first.reference in text and second.reference not in text and "J001" in text
    for identity in ("赵申报", "王芳", "13912345678", "钱评委", "孙评委", "绿城志愿者协会"):
        assert identity not in text
    archive = zipfile.ZipFile(io.BytesIO(pack_of(client, contest, "zip", [first.id]).data))
    assert len(archive.namelist()) == 2
    assert not any("计划书" in name or "王芳" in name for name in archive.namelist())


def test_an_empty_selection_is_sent_back_with_a_message(client, auth, five):
    contest, organizer, _proposals = five
    auth.login(organizer)
    response = pack_of(client, contest, "pdf", [], headers=EN, query={"theme": "nope"})
    assert response.status_code == 302
    assert response.location == f"/admin/contests/{contest.slug}/proposals?theme=nope"
    page = client.get(response.location, headers=EN).get_data(as_text=True)
    assert "Tick the proposals for the meeting pack first." in page
    assert pack_of(client, contest, "docx", [_proposals[0].id]).status_code == 400


def test_the_tables_query_string_is_kept_but_never_read_as_link_options(client, auth, five):
    """The forms of the proposal table keep its filter; a query naming url_for's own options
    (or the contest) neither breaks the page nor sends the forms elsewhere."""
    contest, organizer, proposals = five
    auth.login(organizer)
    query = {"theme": contest.themes[0].code, "slug": "other", "_external": "1",
             "_scheme": "javascript"}
    page = client.get(f"/admin/contests/{contest.slug}/proposals", query_string=query)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f'formaction="/admin/contests/{contest.slug}/exports/meeting-pack/selection?theme=' in text
    assert f'action="/admin/contests/{contest.slug}/screening?theme=' in text
    assert "javascript:" not in text
    ranking = client.get(f"/admin/contests/{contest.slug}/ranking", query_string=query)
    assert ranking.status_code == 200 and "javascript:" not in ranking.get_data(as_text=True)
    response = pack_of(client, contest, "pdf", [], query=query)
    assert response.status_code == 302
    assert response.location.startswith(f"/admin/contests/{contest.slug}/proposals?theme=")


def test_a_tampered_selection_tells_nothing(client, auth, five):
    """A proposal of another contest, a draft, one that does not exist and one that is not a
    number get the same answer, and nothing is exported or recorded."""
    contest, organizer, proposals = five
    other = make_contest(slug="other-contest")
    foreign = make_proposal(other, make_user("foreign@example.org"), title="别的大赛的项目")
    draft = make_proposal(contest, make_user("draft@example.org"), submit=False, title="草稿")
    auth.login(organizer)
    answers = [pack_of(client, contest, "pdf", [proposals[0].id, bad], headers=EN)
               for bad in (foreign.id, draft.id, 999999, "abc", 2 ** 40)]
    assert {answer.status_code for answer in answers} == {404}
    assert len({page_of(answer) for answer in answers}) == 1
    assert db.session.scalar(db.select(db.func.count(PreparedFile.id))) == 0
    events = db.session.scalars(db.select(AuditEvent).filter_by(action="contest.exported"))
    assert list(events) == []


def test_a_chair_selects_within_their_themes_only(client, auth, five):
    contest, _organizer, proposals = five
    chair = make_chair(contest, "chair@example.org", themes=[contest.themes[0].code])
    mine = [p for p in proposals if p.theme_id == contest.themes[0].id]
    theirs = [p for p in proposals if p.theme_id != contest.themes[0].id]
    auth.login(chair)
    table = client.get(f"/admin/contests/{contest.slug}/proposals", headers=EN)
    assert "/exports/meeting-pack/selection" in table.get_data(as_text=True)
    _reader, text = pdf_text(pack_of(client, contest, "pdf", [p.id for p in mine]).data)
    assert all(p.reference in text for p in mine)
    assert not any(p.reference in text for p in theirs)
    outside = pack_of(client, contest, "pdf", [mine[0].id, theirs[0].id], headers=EN)
    unknown = pack_of(client, contest, "pdf", [mine[0].id, 999999], headers=EN)
    assert outside.status_code == unknown.status_code == 404
    assert page_of(outside) == page_of(unknown)


def test_a_large_selection_is_built_by_a_job(client, auth, web_app, monkeypatch, five):
    contest, organizer, proposals = five
    monkeypatch.setitem(web_app.config, "PORTAL_BACKGROUND_EXPORT_ROWS", 2)
    auth.login(organizer)
    ticked = proposals[1:4]
    response = pack_of(client, contest, "pdf", [p.id for p in ticked])
    prepared = db.session.scalar(db.select(PreparedFile))
    assert response.status_code == 302 and prepared.kind == "meeting-pack"
    assert prepared.arguments["proposals"] == sorted(p.id for p in ticked)
    assert prepared.status == FileStatus.DONE, prepared.error
    shown = client.get(response.location, headers=EN).get_data(as_text=True)
    assert "Meeting pack (PDF)" in shown and f"{response.location}/download" in shown
    _reader, text = pdf_text(client.get(f"{response.location}/download").data)
    assert all(p.reference in text for p in ticked)
    assert not any(p.reference in text for p in (proposals[0], proposals[4]))
