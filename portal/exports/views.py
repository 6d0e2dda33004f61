"""Organizer pages: exports (CSV, XLSX, ZIP), the award list and certificates, score import."""
import tempfile

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from portal import policy
from portal.accounts.sessions import require_recent_login
from portal.contests.services import contest_by_slug
from portal.database import writes_on_get
from portal.errors import DomainError
from portal.exports import imports, services
from portal.exports.forms import ExportForm, ScoreImportForm
from portal.exports.sheets import ExportOptions
from portal.extensions import db
from portal.i18n import current_locale
from portal.models import Permission
from portal.web import commit_and_redirect, organizer_blueprint, show_domain_error

bp = organizer_blueprint("exports", __name__, url_prefix="/admin")

# Exports are written to a temporary file that moves to disk past this size.
SPOOL_BYTES = 8 * 1024 * 1024


def send_written(write, mimetype):
    """Run `write(file)` (it returns the file name) and send the file, never cached."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    try:
        filename = write(spool)
    except BaseException:
        spool.close()
        raise
    db.session.commit()  # the audit event and the ranking's cached bootstrap
    spool.seek(0)
    response = send_file(spool, mimetype=mimetype, as_attachment=True, download_name=filename,
                         max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


def _export_form(contest):
    form = ExportForm(request.args, rounds=contest.rounds, locale=current_locale())
    if not request.args.get("round") and contest.current_round is not None:
        form.round.data = contest.current_round.code
    return form


def _import_form(contest):
    return ScoreImportForm(rounds=[r for r in contest.rounds if r.is_open],
                           locale=current_locale())


@bp.route("/contests/<slug>/exports")
def index(slug):
    """Download buttons with their options, the award list and the certificates."""
    contest = contest_by_slug(slug)
    return render_template("exports/index.html", contest=contest, form=_export_form(contest))


@bp.route("/contests/<slug>/exports/download")
@require_recent_login
@writes_on_get
def download(slug):
    """The export in the chosen format, with the chosen options."""
    contest = contest_by_slug(slug)
    form = _export_form(contest)
    if not form.validate():
        return render_template("exports/index.html", contest=contest, form=form), 400
    options = ExportOptions(services.find_round(contest, form.round.data),
                            judge_names=form.judge_names.data, comments=form.comments.data,
                            themes=policy.theme_scope(current_user, contest, Permission.EXPORT))
    fmt = form.format.data
    return send_written(lambda out: services.write_export(current_user, contest, fmt, options, out),
                     services.FORMATS[fmt].mimetype)


@bp.route("/contests/<slug>/exports/award-list.pdf")
@require_recent_login
@writes_on_get
def award_list(slug):
    """The printable award list (A4)."""
    contest = contest_by_slug(slug)
    return send_written(lambda out: services.write_award_list(contest, out), services.PDF_MIMETYPE)


@bp.route("/contests/<slug>/exports/certificates.pdf")
@require_recent_login
@writes_on_get
def certificates(slug):
    """A numbered certificate per winner and named team member, one page each."""
    contest = contest_by_slug(slug)
    try:
        return send_written(lambda out: services.write_certificates(current_user, contest, out),
                         services.PDF_MIMETYPE)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("exports.index", slug=slug))


@bp.route("/contests/<slug>/score-import", methods=["GET", "POST"])
def score_import(slug):
    """Upload paper scores typed into the template: all rows are saved, or none."""
    contest = contest_by_slug(slug)
    form = _import_form(contest)
    errors = []
    if form.validate_on_submit():
        try:
            contest_round = services.find_round(contest, form.round.data)
            content = imports.read_xlsx_upload(
                form.file.data, current_app.config["PORTAL_MAX_UPLOAD_MB"] * 1024 * 1024)
            summary = imports.import_scores(current_user, contest, contest_round, content,
                                            replace=form.replace.data,
                                            filename=form.file.data.filename)
        except DomainError as error:
            show_domain_error(error, form)
        except imports.ImportRejected as rejection:
            db.session.rollback()
            errors = rejection.errors
            flash(_("Nothing was saved: correct the rows below and upload the file again."),
                  "danger")
        else:
            return commit_and_redirect(
                _("Reviews imported: %(rows)d (new: %(created)d, replaced: %(revised)d, "
                  "unchanged: %(unchanged)d). Rows without any score skipped: %(skipped)d.",
                  rows=summary.rows, created=summary.created, revised=summary.revised,
                  unchanged=summary.unchanged, skipped=summary.skipped),
                "exports.score_import", slug=slug)
    return render_template("exports/import.html", contest=contest, form=form, errors=errors,
                           open_rounds=[r for r in contest.rounds if r.is_open])


@bp.route("/contests/<slug>/score-import/template.xlsx")
def score_template(slug):
    """The template: a row per assignment of the round, scores empty."""
    contest = contest_by_slug(slug)
    try:
        contest_round = services.find_round(contest, request.args.get("round"))
    except DomainError:
        abort(404)
    return send_written(lambda out: imports.write_template(contest, contest_round, out),
                     services.FORMATS["xlsx"].mimetype)
