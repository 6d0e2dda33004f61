"""What an uploaded file really is, from its content: the name is never trusted.

Accepted: PDF, Word (DOC, DOCX), Excel (XLS, XLSX), JPEG and PNG. Office Open XML files are ZIP
archives, so they are also checked for the parts that make them a document and for a sane
uncompressed size (a "zip bomb" is refused).
"""
import io
import re
import unicodedata
import zipfile

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_ZIP_ENTRIES = 2000
MAX_ZIP_RATIO = 100  # uncompressed / compressed; documents stay far below it

# extension -> (MIME type, the kinds of content that may carry it)
ALLOWED = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "png": "image/png",
}


class RejectedFile(ValueError):
    """The file is refused; `reason` is a code the caller turns into a message."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def sniff(head, read_all):
    """The kind of file ('pdf', 'docx', ...) judged from its bytes, or raise RejectedFile.

    `head` is the first bytes; `read_all()` returns the whole content (only called when the
    container has to be opened).
    """
    if not head:
        raise RejectedFile("empty")
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(OLE2_MAGIC):
        return _ole2_kind(read_all())
    if head.startswith(ZIP_MAGIC):
        return _office_open_xml_kind(read_all())
    raise RejectedFile("type")


def _ole2_kind(content):
    # The stream names of the compound file's directory are stored in UTF-16LE.
    if "WordDocument".encode("utf-16-le") in content:
        return "doc"
    if "Workbook".encode("utf-16-le") in content or "Book".encode("utf-16-le") in content:
        return "xls"
    raise RejectedFile("type")


def _office_open_xml_kind(content):
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise RejectedFile("type") from error
    if len(entries) > MAX_ZIP_ENTRIES:
        raise RejectedFile("archive")
    compressed = sum(entry.compress_size for entry in entries) or 1
    uncompressed = sum(entry.file_size for entry in entries)
    if uncompressed > MAX_ZIP_RATIO * compressed or uncompressed > 20 * len(content) + 10_000_000:
        raise RejectedFile("archive")
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names:
        raise RejectedFile("type")
    if any(name.startswith("word/") for name in names):
        return "docx"
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    raise RejectedFile("type")


def extension_kind(filename):
    """The kind the name claims: 'jpeg' counts as 'jpg'."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return "jpg" if extension == "jpeg" else extension


def clean_filename(filename, kind):
    """A display name without paths, control characters or odd spacing, ending in its kind."""
    name = unicodedata.normalize("NFC", filename or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name)
    stem = (name.rsplit(".", 1)[0] if "." in name else name).strip(" .")
    stem = stem[:120] or "file"
    return f"{stem}.{kind}"
