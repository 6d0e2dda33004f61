"""The contest's seal or signature image, printed on its certificates.

Stored beside the uploads (never under static/: it is the organizers' seal, not a public asset),
after a check of its content: only a real PNG or JPEG picture is accepted, and it is stored
re-encoded as PNG, so that nothing but the picture itself is ever printed.
"""
import io
import os
import tempfile

from PIL import Image, UnidentifiedImageError

from portal.errors import DomainError
from portal.i18n import lazy_gettext as _l
from portal.proposals.storage import upload_root

MAX_SEAL_BYTES = 2 * 1024 * 1024
MAX_SEAL_PIXELS = 4000 * 4000
ACCEPTED_FORMATS = ("PNG", "JPEG")


def seal_path(contest):
    return upload_root() / "seals" / f"contest-{contest.id}.png"


def has_seal(contest):
    return seal_path(contest).is_file()


def checked_seal_image(stream):
    """The PNG bytes of the uploaded picture; DomainError when it is not a PNG or JPEG picture."""
    content = stream.read(MAX_SEAL_BYTES + 1)
    if len(content) > MAX_SEAL_BYTES:
        raise DomainError(_l("The seal image must be at most 2 MB."), field="seal")
    refused = DomainError(_l("The seal must be a PNG or JPEG picture."), field="seal")
    try:
        with Image.open(io.BytesIO(content)) as probe:
            if probe.format not in ACCEPTED_FORMATS:
                raise refused
            if probe.width * probe.height > MAX_SEAL_PIXELS:
                raise DomainError(_l("The seal image must be at most 4000 × 4000 pixels."),
                                  field="seal")
            probe.verify()
        with Image.open(io.BytesIO(content)) as picture:
            picture.load()
            out = io.BytesIO()
            picture.convert("RGBA").save(out, format="PNG")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise refused from None
    return out.getvalue()


def store_seal(contest, png):
    """Replace the contest's seal by `png` atomically (a reader never sees half a file)."""
    path = seal_path(contest)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(png)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def remove_seal(contest):
    seal_path(contest).unlink(missing_ok=True)
