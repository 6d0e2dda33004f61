"""Identifying metadata in attachments, removed from the copies blind judges download.

JPEG EXIF/XMP segments and PNG text chunks are dropped; Word and Excel packages are rewritten
without their people (portal.proposals.ooxml); a PDF loses its document information, its XMP
metadata and the authors of its annotations (pypdf). The stored original is never changed: the
applicant and the organizers download it as sent. A file that cannot be cleaned (damaged, an
old binary DOC or XLS, an encrypted PDF) raises CannotClean, and blind judges do not get it.
"""
import io
import struct

from portal.proposals.ooxml import CannotClean, clean_package

__all__ = ["CannotClean", "blind_copy"]

# JPEG segments that carry camera, location or author data: APP1 (EXIF, XMP) to APP15, COM.
_JPEG_DROPPED = set(range(0xE1, 0xF0)) | {0xFE}
_PNG_DROPPED = {b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME"}
# Keys of the catalog and pages that may name a person: XMP streams, application data.
_PDF_PERSONAL_KEYS = ("/Metadata", "/PieceInfo")


def blind_copy(kind, content):
    """The content without identifying metadata; raise CannotClean when that is not possible."""
    try:
        if kind == "jpg":
            return _clean_jpeg(content)
        if kind == "png":
            return _clean_png(content)
    except (ValueError, struct.error) as error:
        raise CannotClean(str(error)) from error
    if kind == "pdf":
        try:
            return _clean_pdf(content)
        except CannotClean:
            raise
        except Exception as error:  # noqa: BLE001 - hostile input breaks parsers in any way
            raise CannotClean(f"PDF: {error!r}") from error
    if kind in ("docx", "xlsx"):
        return clean_package(content)
    raise CannotClean(f"{kind} files cannot be cleaned")


def withheld_attachments(attachments, read):
    """The attachments blind judges do not get (`read(attachment)` gives the stored bytes)."""
    withheld = []
    for attachment in attachments:
        try:
            blind_copy(attachment.kind, read(attachment))
        except CannotClean:
            withheld.append(attachment)
    return withheld


def _clean_pdf(content):
    from pypdf import PdfReader, PdfWriter   # on first use (portal.deferred_imports)
    from pypdf.generic import NameObject

    reader = PdfReader(io.BytesIO(content), strict=False)
    if reader.is_encrypted:
        raise CannotClean("encrypted PDF")
    writer = PdfWriter(clone_from=reader)
    writer.metadata = None
    for owner in (writer.root_object, *writer.pages):
        for key in _PDF_PERSONAL_KEYS:
            owner.pop(NameObject(key), None)
    for page in writer.pages:
        for annotation in page.get("/Annots") or ():
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Widget":  # a form field's /T is its name
                annotation.pop(NameObject("/T"), None)
    # The removed dictionaries and streams would still be written unless dropped as orphans.
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _clean_jpeg(content):
    out, position = bytearray(content[:2]), 2
    while position + 4 <= len(content) and content[position] == 0xFF:
        marker = content[position + 1]
        if marker == 0xDA:  # start of scan: the image data follows unchanged
            break
        length = struct.unpack(">H", content[position + 2:position + 4])[0]
        segment = content[position:position + 2 + length]
        if marker not in _JPEG_DROPPED:
            out += segment
        position += 2 + length
    return bytes(out + content[position:])


def _clean_png(content):
    out, position = bytearray(content[:8]), 8
    while position + 8 <= len(content):
        length, chunk_type = struct.unpack(">I4s", content[position:position + 8])
        end = position + 12 + length
        if chunk_type not in _PNG_DROPPED:
            out += content[position:end]
        position = end
    return bytes(out)
