"""Organizer pages of a prepared file: its progress (a page, and JSON for its script) and its
download, for the organizer who asked for it only."""
from flask import flash, jsonify, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts.sessions import require_recent_login
from portal.contests.services import contest_by_slug
from portal.prepared import services
from portal.web import organizer_blueprint

bp = organizer_blueprint("prepared", __name__, url_prefix="/admin")


@bp.route("/contests/<slug>/files/<int:file_id>")
def show(slug, file_id):
    """The file's progress bar while it is prepared, its download link when it is ready."""
    contest = contest_by_slug(slug)
    prepared = services.file_of(current_user, contest, file_id)
    return render_template("prepared/show.html", contest=contest, prepared=prepared,
                           available=services.file_path(prepared) is not None,
                           kind_names=services.kind_names())


@bp.route("/contests/<slug>/files/<int:file_id>/progress")
def progress(slug, file_id):
    """The file's status and percentage, polled by the progress page's script."""
    prepared = services.file_of(current_user, contest_by_slug(slug), file_id)
    response = jsonify(status=prepared.status, progress=prepared.progress,
                       finished=prepared.finished)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/contests/<slug>/files/<int:file_id>/download")
@require_recent_login
def download(slug, file_id):
    """The prepared file, while it is kept."""
    contest = contest_by_slug(slug)
    prepared = services.file_of(current_user, contest, file_id)
    path = services.file_path(prepared)
    if path is None:
        flash(_("This file is not ready, or no longer kept: prepare it again."), "warning")
        return redirect(url_for("prepared.show", slug=slug, file_id=file_id))
    response = send_file(path, as_attachment=True, download_name=prepared.filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
