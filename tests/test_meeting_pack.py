"""The meeting pack: the PDF (cover, contents, each proposal in full, a score sheet each; blind
in a blind contest) and the ZIP of attachments as judges download them, direct for a small
selection and prepared by a job for a large one (the 200-proposal demo contest)."""
import io
import re
import zipfile

import pytest
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage
from werkzeug.http import parse_options_header

from portal.extensions import db
from portal.models import Assignment, Contest, FileStatus, Proposal, PreparedFile, User
from portal.ops.demo import ORGS
from portal.proposals.attachments import add_attachment
from tests.factories import Auth, assign, make_contest, make_judge, make_proposal, make_user, \
    pdf_file
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
