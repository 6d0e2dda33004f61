"""Identifying metadata in attachments, removed from the copies blind judges download.

JPEG EXIF/XMP segments, PNG text chunks, and the author fields of Word/Excel (OOXML) files are
dropped from the bytes served; the stored original is never changed. PDF and the old binary
Office formats cannot be cleaned here: organizers are warned about them instead.
"""
import io
import struct
import zipfile

CLEANABLE = ("jpg", "png", "docx", "xlsx")
# JPEG segments that carry camera, location or author data: APP1 (EXIF, XMP) to APP15, COM.
_JPEG_DROPPED = set(range(0xE1, 0xF0)) | {0xFE}
_PNG_DROPPED = {b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"tIME"}
_OOXML_PERSONAL = ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml")
_EMPTY_CORE = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
               b'metadata/core-properties"/>')


def without_metadata(kind, content):
    """The content with identifying metadata removed (unchanged when `kind` is not cleanable)."""
    try:
        if kind == "jpg":
            return _clean_jpeg(content)
        if kind == "png":
            return _clean_png(content)
        if kind in ("docx", "xlsx"):
            return _clean_ooxml(content)
    except (ValueError, struct.error, zipfile.BadZipFile):
        return content
    return content


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


def _clean_ooxml(content):
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = _EMPTY_CORE
            elif item.filename in _OOXML_PERSONAL:
                continue
            target.writestr(item, data)
    return buffer.getvalue()
