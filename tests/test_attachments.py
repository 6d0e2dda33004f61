"""Attachments: checked by content and size, stored outside static/, served only to those allowed."""
import io
import zipfile
from pathlib import Path

import pytest

from portal.extensions import db
from portal.models import Attachment
from tests.factories import pdf_file, assign, close_submissions, make_judge, make_proposal, make_user

EN = {"Accept-Language": "en"}
PDF = pdf_file()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def office_file(kind):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return buffer.getvalue()


def ole2_file(stream_name):
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + stream_name.encode("utf-16-le")


def zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * (30 * 1024 * 1024))
    return buffer.getvalue()


@pytest.fixture
def proposal(client, auth, contest, applicant):
    auth.login(applicant)
    return make_proposal(contest, applicant)


def upload(client, proposal, content, name):
    return client.post(f"/proposals/{proposal.id}/attachments", headers=EN,
                       data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", follow_redirects=True)


@pytest.mark.parametrize("content, name, kind", [
    (PDF, "计划书.pdf", "pdf"), (PNG, "photo.PNG", "png"), (JPG, "活动照片.jpeg", "jpg"),
    (office_file("docx"), "plan.docx", "docx"), (office_file("xlsx"), "budget.xlsx", "xlsx"),
    (ole2_file("WordDocument"), "old.doc", "doc"), (ole2_file("Workbook"), "old.xls", "xls"),
])
def test_accepted_files_are_stored_outside_static(client, app, proposal, content, name, kind):
    response = upload(client, proposal, content, name)
    assert "The file has been attached." in response.get_data(as_text=True)
    attachment = db.session.scalar(db.select(Attachment))
    assert attachment.kind == kind and attachment.size == len(content)
    stored = Path(app.config["PORTAL_UPLOAD_PATH"]) / attachment.stored_name[:2] / \
        attachment.stored_name
    assert stored.read_bytes() == content
    assert "static" not in str(stored) and name.rsplit(".")[0] not in str(stored)
    download = client.get(f"/attachments/{attachment.id}")
    assert download.data == content
    assert "attachment" in download.headers["Content-Disposition"]


@pytest.mark.parametrize("content, name, message", [
    (b"MZ\x90\x00" + b"\x00" * 100, "virus.pdf", "Only PDF, Word"),
    (b"", "empty.pdf", "The file is empty."),
    (zip_bomb(), "bomb.docx", "damaged or malicious archive"),
    (PDF, "disguised.docx", "does not match its name"),
    (b"PK\x03\x04not really a zip", "broken.xlsx", "Only PDF, Word"),
    (b"plain text", "notes.txt", "Only PDF, Word"),
])
def test_disguised_and_broken_files_are_refused(client, app, proposal, content, name, message):
    response = upload(client, proposal, content, name)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
    leftovers = [p for p in Path(app.config["PORTAL_UPLOAD_PATH"]).rglob("*") if p.is_file()]
    assert leftovers == []


def test_oversized_files_are_refused(client, app, proposal, monkeypatch):
    monkeypatch.setitem(app.config, "PORTAL_MAX_UPLOAD_MB", 1)
    from tests.conftest import make_test_app  # noqa: F401 (the request app reads its own config)
    web = client.application
    monkeypatch.setitem(web.config, "PORTAL_MAX_UPLOAD_MB", 1)
    response = upload(client, proposal, PDF + b"0" * (1024 * 1024), "big.pdf")
    assert "larger than 1 MB" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0


@pytest.mark.parametrize("name, cleaned", [
    ("../../etc/\x07pass\twd.pdf", "passwd.pdf"),
    ("..\\..\\计划\u202e书.pdf", "计划书.pdf"),
    ("   .pdf", "file.pdf"),
])
def test_a_dangerous_file_name_is_cleaned(client, proposal, name, cleaned):
    upload(client, proposal, PDF, name)
    assert db.session.scalar(db.select(Attachment.original_name)) == cleaned


def test_a_field_that_is_not_a_file_is_refused(client, proposal):
    response = client.post(f"/proposals/{proposal.id}/attachments", data={"file": "text"},
                           headers=EN, follow_redirects=True)
    assert response.status_code == 200 and "Choose a file" in response.get_data(as_text=True)


def test_at_most_five_attachments(client, proposal):
    for number in range(5):
        upload(client, proposal, PDF + str(number).encode(), f"file{number}.pdf")
    response = upload(client, proposal, PDF + b"6", "sixth.pdf")
    assert "at most 5 attachments" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 5


def test_deleting_an_attachment_removes_its_file(client, app, proposal):
    upload(client, proposal, PDF, "a.pdf")
    attachment = db.session.scalar(db.select(Attachment))
    client.post(f"/attachments/{attachment.id}/delete")
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
    assert [p for p in Path(app.config["PORTAL_UPLOAD_PATH"]).rglob("*") if p.is_file()] == []


def test_deleting_a_draft_removes_its_files(client, app, auth, contest, applicant):
    auth.login(applicant)
    draft = make_proposal(contest, applicant, submit=False)
    upload(client, draft, PDF, "a.pdf")
    client.post(f"/proposals/{draft.id}/delete")
    assert [p for p in Path(app.config["PORTAL_UPLOAD_PATH"]).rglob("*") if p.is_file()] == []


def test_attachments_are_frozen_after_the_deadline(client, contest, proposal):
    close_submissions(contest)
    response = upload(client, proposal, PDF, "late.pdf")
    assert "deadline has passed" in response.get_data(as_text=True)


@pytest.mark.parametrize("who, expected", [
    ("owner", 200), ("other applicant", 404), ("organizer", 200), ("assigned judge", 200),
    ("unassigned judge", 404), ("anonymous", 302)])
def test_who_may_download(client, auth, contest, proposal, organizer, who, expected):
    upload(client, proposal, PDF, "计划书.pdf")
    attachment_id = db.session.scalar(db.select(Attachment.id))
    judge = make_judge(contest, "judge@example.org")
    assign(proposal, judge, actor=organizer)
    users = {"other applicant": lambda: make_user("other@example.org"),
             "organizer": lambda: organizer, "assigned judge": lambda: judge,
             "unassigned judge": lambda: make_judge(contest, "idle@example.org")}
    client.post("/logout")
    if who == "owner":
        auth.login(proposal.applicant)
    elif who in users:
        auth.login(users[who]())
    assert client.get(f"/attachments/{attachment_id}").status_code == expected


def test_a_blind_judge_gets_a_neutral_file_name(client, auth, contest, proposal, organizer):
    upload(client, proposal, PDF, "绿城志愿者协会计划书.pdf")
    attachment_id = db.session.scalar(db.select(Attachment.id))
    contest.blind = True
    db.session.commit()
    judge = make_judge(contest)
    (assignment,) = assign(proposal, judge, actor=organizer)
    auth.login(judge)
    disposition = client.get(f"/attachments/{attachment_id}").headers["Content-Disposition"]
    assert "%E7%BB%BF" not in disposition and "attachment-1.pdf" in disposition or \
        "%E9%99%84%E4%BB%B6-1.pdf" in disposition
    page = client.get(f"/judge/assignments/{assignment.id}").get_data(as_text=True)
    assert "绿城志愿者协会计划书" not in page


def test_a_retried_upload_attaches_the_file_once(client, proposal):
    upload(client, proposal, PDF, "plan.pdf")
    response = upload(client, proposal, PDF, "plan.pdf")
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 1


def jpeg_with_exif(text):
    exif = b"Exif\x00\x00" + text.encode()
    app1 = b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif
    return b"\xff\xd8" + app1 + b"\xff\xdb\x00\x04\x00\x00" + b"\xff\xda\x00\x02" + b"\x00" * 32


def docx_with_author(name):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<x/>")
        archive.writestr("docProps/core.xml", f"<cp:coreProperties><dc:creator>{name}"
                                              "</dc:creator></cp:coreProperties>")
    return buffer.getvalue()


def test_blind_judges_get_files_without_identifying_metadata(client, auth, contest, proposal,
                                                             organizer):
    upload(client, proposal, jpeg_with_exif("绿城志愿者协会 王芳"), "photo.jpg")
    upload(client, proposal, docx_with_author("王芳"), "plan.docx")
    upload(client, proposal, PDF, "plan.pdf")
    contest.blind = True
    db.session.commit()
    judge = make_judge(contest)
    assign(proposal, judge, actor=organizer)
    ids = db.session.scalars(db.select(Attachment.id).order_by(Attachment.id)).all()
    auth.login(judge)
    photo, document = client.get(f"/attachments/{ids[0]}").data, client.get(
        f"/attachments/{ids[1]}").data
    assert "王芳".encode() not in photo and photo.startswith(b"\xff\xd8")
    assert "王芳".encode() not in zipfile.ZipFile(io.BytesIO(document)).read("docProps/core.xml")
    auth.login(organizer)
    original = client.get(f"/attachments/{ids[0]}").data
    assert "王芳".encode() in original  # organizers get the file as it was sent
    page = client.get(f"/admin/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "the judges cannot get these attachments" not in page  # every file could be cleaned
