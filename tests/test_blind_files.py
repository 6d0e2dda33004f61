"""Attachments as blind judges get them: no person's name in any part of a Word, Excel or PDF
file, packages still consistent and readable, and files that cannot be cleaned withheld."""
import io
import posixpath
import re
import zipfile

import docx
import openpyxl
import pytest
from lxml import etree
from openpyxl.comments import Comment
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from portal.extensions import db
from portal.models import Attachment
from portal.proposals.metadata import CannotClean, blind_copy
from portal.proposals.storage import stored_path
from tests.factories import assign, make_judge, make_proposal, pdf_file

NAME = "王芳"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_DECL = f'xmlns:w="{W}"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EN = {"Accept-Language": "en"}


@pytest.fixture
def proposal(client, auth, contest, applicant):
    auth.login(applicant)
    return make_proposal(contest, applicant)


# --- Real writers, and hand-made parts added to their packages --------------------------------

def word_file(author=NAME, comment=False):
    document = docx.Document()
    document.core_properties.author = author
    document.core_properties.last_modified_by = author
    paragraph = document.add_paragraph("项目计划：")
    run = paragraph.add_run("每周上门探访")
    if comment:
        document.add_comment(run, text=f"{author}的意见", author=author, initials="WF")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def excel_file(author=NAME):
    workbook = openpyxl.Workbook()
    workbook.properties.creator = author
    workbook.properties.lastModifiedBy = author
    workbook.active["A1"] = "预算"
    workbook.active["B1"] = 12000
    workbook.active["B1"].comment = Comment(f"{author}：请核对", author)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_parts(content, parts=None, relationships=(), overrides=(), replace=None):
    """The package with extra parts, relationships (source, id, type, target), content-type
    overrides (part, type) and text replacements in existing parts ({part: (old, new)})."""
    source = zipfile.ZipFile(io.BytesIO(content))
    files = {name: source.read(name) for name in source.namelist()}
    files.update({name: data.encode() for name, data in (parts or {}).items()})
    for part, (old, new) in (replace or {}).items():
        assert old.encode() in files[part]
        files[part] = files[part].replace(old.encode(), new.encode(), 1)
    for source_part, rel_id, kind, target in relationships:
        folder, name = posixpath.split(source_part)
        rels = posixpath.join(folder, "_rels", f"{name}.rels")
        entry = f'<Relationship Id="{rel_id}" Type="{kind}" Target="{target}"/></Relationships>'
        files[rels] = files[rels].replace(b"</Relationships>", entry.encode())
    for part, kind in overrides:
        entry = f'<Override PartName="/{part}" ContentType="{kind}"/></Types>'
        files["[Content_Types].xml"] = files["[Content_Types].xml"].replace(b"</Types>",
                                                                             entry.encode())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def parts_of(content):
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name) for name in archive.namelist()}


def assert_consistent_and_anonymous(content):
    """No part names the person; every relationship, override and r:id points at something."""
    parts = parts_of(content)
    for name, data in parts.items():
        assert NAME.encode() not in data and b"WF" not in data.replace(b"WFL", b""), name
    for name, data in parts.items():
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        ids = set()
        for relationship in etree.fromstring(data):
            ids.add(relationship.get("Id"))
            if relationship.get("TargetMode") != "External":
                target = relationship.get("Target")
                path = target.lstrip("/") if target.startswith("/") else \
                    posixpath.normpath(posixpath.join(folder, target))
                assert path in parts, f"{name} points at the missing {path}"
        owner = posixpath.join(folder, posixpath.basename(name)[:-len(".rels")])
        if owner in parts:
            used = re.findall(rb'r:(?:id|embed|link)="([^"]+)"', parts[owner])
            assert {value.decode() for value in used} <= ids, owner
    for override in etree.fromstring(parts["[Content_Types].xml"]):
        if override.get("PartName"):
            assert override.get("PartName").lstrip("/") in parts, override.get("PartName")


# --- Word -------------------------------------------------------------------------------------

def test_word_properties_and_comments_lose_their_author():
    original = word_file(comment=True)
    assert "word/comments.xml" in parts_of(original)
    cleaned = blind_copy("docx", original)
    assert_consistent_and_anonymous(cleaned)
    parts = parts_of(cleaned)
    assert "word/comments.xml" not in parts and b"comments" not in parts["[Content_Types].xml"]
    assert b"commentRangeStart" not in parts["word/document.xml"]
    assert b"commentReference" not in parts["word/document.xml"]
    reopened = docx.Document(io.BytesIO(cleaned))
    assert [paragraph.text for paragraph in reopened.paragraphs] == ["项目计划：每周上门探访"]
    assert reopened.core_properties.author == ""


TRACKED = (f'<w:p><w:r><w:t xml:space="preserve">受益人：</w:t></w:r>'
           f'<w:ins w:id="91" w:author="{NAME}" w:date="2026-03-01T10:00:00Z"><w:r><w:t>120 位老人'
           f'</w:t></w:r></w:ins><w:del w:id="92" w:author="{NAME}" w:date="2026-03-01T10:00:00Z">'
           f'<w:r><w:delText>80 位老人</w:delText></w:r></w:del><w:r><w:rPr><w:b/>'
           f'<w:rPrChange w:id="93" w:author="{NAME}" w:date="2026-03-01T10:00:00Z"><w:rPr/>'
           f'</w:rPrChange></w:rPr><w:t>。</w:t></w:r></w:p>')


def test_tracked_changes_are_accepted_without_their_author():
    original = with_parts(word_file(), replace={"word/document.xml": ("<w:sectPr", TRACKED +
                                                                      "<w:sectPr")})
    cleaned = blind_copy("docx", original)
    assert_consistent_and_anonymous(cleaned)
    document = parts_of(cleaned)["word/document.xml"]
    assert b"w:author" not in document and b"w:ins" not in document and b"w:del " not in document
    texts = [paragraph.text for paragraph in docx.Document(io.BytesIO(cleaned)).paragraphs]
    assert texts[-1] == "受益人：120 位老人。"  # the insertion kept, the deletion gone


PEOPLE = (f'<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
          f'<w15:person w15:author="{NAME}"><w15:presenceInfo w15:providerId="AD" '
          f'w15:userId="{NAME}@example.org"/></w15:person></w15:people>')
WORD_EXTRAS = {
    "word/people.xml": PEOPLE,
    "word/commentsExtended.xml": f'<w15:commentsEx xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml"><!-- {NAME} --></w15:commentsEx>',
    "word/commentsIds.xml": f'<w16cid:commentsIds xmlns:w16cid="http://schemas.microsoft.com/office/word/2016/wordml/cid"><!-- {NAME} --></w16cid:commentsIds>',
}
MS = "http://schemas.microsoft.com/office/2011/relationships/"
OFFICE_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def test_word_people_and_comment_extensions_are_removed_with_their_references():
    original = with_parts(
        word_file(comment=True), WORD_EXTRAS,
        relationships=[("word/document.xml", "rIdP", MS + "people", "people.xml"),
                       ("word/document.xml", "rIdX", MS + "commentsExtended",
                        "commentsExtended.xml"),
                       ("word/document.xml", "rIdI",
                        "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds",
                        "commentsIds.xml")],
        overrides=[("word/people.xml", "application/vnd.ms-word.people+xml"),
                   ("word/commentsExtended.xml", "application/vnd.ms-word.commentsExtended+xml"),
                   ("word/commentsIds.xml", "application/vnd.ms-word.commentsIds+xml")])
    cleaned = blind_copy("docx", original)
    assert_consistent_and_anonymous(cleaned)
    assert not set(WORD_EXTRAS) & set(parts_of(cleaned))
    docx.Document(io.BytesIO(cleaned))


CUSTOM = (f'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
          f'custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
          f'docPropsVTypes"><property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" '
          f'name="Reviewer"><vt:lpwstr>{NAME}</vt:lpwstr></property></Properties>')


def test_document_properties_and_custom_xml_parts_are_removed_consistently():
    original = with_parts(
        word_file(),
        {"docProps/custom.xml": CUSTOM,
         "customXml/item9.xml": f"<cover><author>{NAME}</author></cover>"},
        relationships=[("", "rIdC", OFFICE_DOC_REL + "custom-properties", "docProps/custom.xml"),
                       ("word/document.xml", "rIdCX", OFFICE_DOC_REL + "customXml",
                        "../customXml/item9.xml")],
        overrides=[("docProps/custom.xml",
                    "application/vnd.openxmlformats-officedocument.custom-properties+xml")],
        replace={"docProps/app.xml": ("</Properties>", f"<Company>{NAME}的协会</Company>"
                                                       "</Properties>")})
    cleaned = blind_copy("docx", original)
    assert_consistent_and_anonymous(cleaned)
    parts = parts_of(cleaned)
    assert not {"docProps/app.xml", "docProps/custom.xml"} & set(parts)
    assert not any(name.startswith("customXml/") for name in parts)
    assert b"app.xml" not in parts["_rels/.rels"]  # the relationship went with the part
    docx.Document(io.BytesIO(cleaned))


# --- Excel ------------------------------------------------------------------------------------

def test_cell_comments_and_properties_lose_their_author():
    cleaned = blind_copy("xlsx", excel_file())
    assert_consistent_and_anonymous(cleaned)
    parts = parts_of(cleaned)  # the comment boxes (a legacy drawing) went with the comments
    assert not any(name.endswith(".vml") for name in parts)
    assert b"legacyDrawing" not in parts["xl/worksheets/sheet1.xml"]
    workbook = openpyxl.load_workbook(io.BytesIO(cleaned))
    assert workbook.active["B1"].value == 12000 and workbook.active["B1"].comment is None
    assert workbook.properties.creator != NAME


SHARING = f'<fileSharing readOnlyRecommended="1" userName="{NAME}"/>'
ABS_PATH = (f'<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-'
            f'compatibility/2006"><mc:Choice Requires="x15"><x15ac:absPath xmlns:x15ac="http://'
            f'schemas.microsoft.com/office/spreadsheetml/2010/11/ac" url="C:\\Users\\{NAME}\\"/>'
            f'</mc:Choice></mc:AlternateContent>')
THREADED = (f'<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/'
            f'threadedcomments"><threadedComment ref="B1" personId="{{1}}" id="{{2}}"><text>'
            f'{NAME}：请核对</text></threadedComment></ThreadedComments>')
PERSONS = (f'<personList xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/'
           f'threadedcomments"><person displayName="{NAME}" id="{{1}}" userId="{NAME}" '
           f'providerId="None"/></personList>')


def test_threaded_comments_persons_and_workbook_sharing_lose_their_author():
    original = with_parts(
        excel_file(), {"xl/threadedComments/threadedComment1.xml": THREADED,
                       "xl/persons/person.xml": PERSONS},
        relationships=[("xl/worksheets/sheet1.xml", "rIdT",
                        "http://schemas.microsoft.com/office/2017/10/relationships/"
                        "threadedComment", "../threadedComments/threadedComment1.xml"),
                       ("xl/workbook.xml", "rIdPe",
                        "http://schemas.microsoft.com/office/2017/10/relationships/person",
                        "persons/person.xml")],
        overrides=[("xl/threadedComments/threadedComment1.xml",
                    "application/vnd.ms-excel.threadedcomments+xml"),
                   ("xl/persons/person.xml", "application/vnd.ms-excel.person+xml")],
        replace={"xl/workbook.xml": ("<workbookPr", ABS_PATH + SHARING + "<workbookPr")})
    cleaned = blind_copy("xlsx", original)
    assert_consistent_and_anonymous(cleaned)
    parts = parts_of(cleaned)
    assert not any(name.startswith(("xl/threadedComments/", "xl/persons/")) for name in parts)
    assert b'readOnlyRecommended="1"' in parts["xl/workbook.xml"]
    assert openpyxl.load_workbook(io.BytesIO(cleaned)).active["A1"].value == "预算"


# --- PDF --------------------------------------------------------------------------------------

def pdf_with_author():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_file(Author=NAME, Creator=NAME))))
    xmp = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
           f'22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
           f'<dc:creator>{NAME}</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>')
    writer.xmp_metadata = xmp.encode()
    note = DictionaryObject({NameObject("/Type"): NameObject("/Annot"),
                             NameObject("/Subtype"): NameObject("/Text"),
                             NameObject("/T"): TextStringObject(NAME),
                             NameObject("/Contents"): TextStringObject("ok")})
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(note)])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_loses_document_information_xmp_and_annotation_authors():
    original = pdf_with_author()
    reader = PdfReader(io.BytesIO(original))
    assert reader.metadata.author == NAME and reader.xmp_metadata is not None
    cleaned_bytes = blind_copy("pdf", original)
    assert NAME.encode() not in cleaned_bytes and NAME.encode("utf-16-be") not in cleaned_bytes
    cleaned = PdfReader(io.BytesIO(cleaned_bytes))
    assert not (cleaned.metadata or {}).get("/Author")
    assert not (cleaned.metadata or {}).get("/Creator")
    assert cleaned.xmp_metadata is None and len(cleaned.pages) == 1
    assert "/T" not in cleaned.pages[0]["/Annots"][0].get_object()


# --- What cannot be cleaned -------------------------------------------------------------------

def encrypted_pdf():
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_file(Author=NAME))))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


LEGACY_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + \
    NAME.encode("utf-16-le") + b"\x00" * 64


@pytest.mark.parametrize("kind, content", [
    ("docx", word_file()[:2000]),                   # truncated: no central directory
    ("docx", with_parts(word_file(), replace={"word/document.xml": ("</w:body>", "")})),
    ("doc", LEGACY_DOC),
    ("xls", LEGACY_DOC.replace("WordDocument".encode("utf-16-le"),
                               "Workbook".encode("utf-16-le"))),
    ("pdf", encrypted_pdf()),
    ("pdf", pdf_file(Author=NAME)[:300]),
])
def test_a_file_that_cannot_be_cleaned_is_refused(kind, content):
    with pytest.raises(CannotClean):
        blind_copy(kind, content)


def test_a_blind_judge_never_gets_a_file_that_cannot_be_cleaned(client, auth, app, contest,
                                                                  proposal, organizer):
    truncated_xml = with_parts(word_file(), replace={"word/document.xml": ("</w:body>", "")})
    client.post(f"/proposals/{proposal.id}/attachments",
                data={"file": (io.BytesIO(truncated_xml), "计划书.docx")})
    client.post(f"/proposals/{proposal.id}/attachments",
                data={"file": (io.BytesIO(LEGACY_DOC), "预算.doc")})
    client.post(f"/proposals/{proposal.id}/attachments",
                data={"file": (io.BytesIO(word_file()), "团队.docx")})
    attachments = db.session.scalars(db.select(Attachment).order_by(Attachment.id)).all()
    assert len(attachments) == 3
    # A file damaged in storage (cut short) is withheld as well, never sent as it is.
    damaged = stored_path(attachments[2].stored_name)
    damaged.write_bytes(damaged.read_bytes()[:3000])
    contest.blind = True
    db.session.commit()
    auth.login(organizer)
    assert client.get(f"/attachments/{attachments[1].id}").data == LEGACY_DOC
    page = client.get(f"/admin/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "the judges cannot get these attachments" in page
    assert "计划书.docx" in page and "预算.doc" in page and "团队.docx" in page
    # Before judging starts, the return for correction is offered with its reason filled in.
    assert re.search(r'<input checked[^>]*value="returned"', page)
    assert "upload them again as PDF" in page
    judge = make_judge(contest)
    assign(proposal, judge, actor=organizer)
    auth.login(judge)
    for attachment in attachments:
        response = client.get(f"/attachments/{attachment.id}", headers=EN)
        assert response.status_code == 403
        assert "withheld" in response.get_data(as_text=True)
        original = stored_path(attachment.stored_name).read_bytes()
        assert original[:200] not in response.data


def test_a_blind_judge_gets_a_cleaned_file_that_still_opens(client, auth, contest, proposal,
                                                            organizer):
    client.post(f"/proposals/{proposal.id}/attachments",
                data={"file": (io.BytesIO(word_file(comment=True)), "计划书.docx")})
    client.post(f"/proposals/{proposal.id}/attachments",
                data={"file": (io.BytesIO(pdf_with_author()), "计划书.pdf")})
    contest.blind = True
    db.session.commit()
    judge = make_judge(contest)
    assign(proposal, judge, actor=organizer)
    auth.login(judge)
    word, pdf = (client.get(f"/attachments/{attachment_id}") for attachment_id in
                 db.session.scalars(db.select(Attachment.id).order_by(Attachment.id)))
    assert word.status_code == pdf.status_code == 200
    assert_consistent_and_anonymous(word.data)
    assert docx.Document(io.BytesIO(word.data)).paragraphs[0].text == "项目计划：每周上门探访"
    assert NAME.encode() not in pdf.data and len(PdfReader(io.BytesIO(pdf.data)).pages) == 1
    auth.login(organizer)
    page = client.get(f"/admin/proposals/{proposal.id}", headers=EN).get_data(as_text=True)
    assert "the judges cannot get these attachments" not in page


def test_a_file_cleaned_twice_is_the_same_bytes(monkeypatch):
    # The meeting pack's ZIP must hold exactly what a judge downloads, cleaned at another time.
    import time
    first = blind_copy("docx", word_file(comment=True))
    real = time.localtime
    monkeypatch.setattr(time, "localtime", lambda *args: real((args[0] if args else
                                                               time.time()) + 7200))
    assert blind_copy("docx", word_file(comment=True)) == first
