"""The answer to a download that may be too large for the request: the file itself, or the
progress page of a job that prepares it."""
from flask import redirect, url_for

from portal.extensions import db
from portal.web import send_written


def send_or_prepare(slug, large, prepare, write, mimetype):
    """When `large`, a job writes the file (`prepare()` asks for it) and its progress page is
    shown; else `write(out)` writes it into the answer."""
    if not large:
        return send_written(write, mimetype)
    prepared = prepare()
    db.session.commit()
    return redirect(url_for("prepared.show", slug=slug, file_id=prepared.id))
