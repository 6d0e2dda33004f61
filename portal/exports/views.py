"""Organizer pages: exports (CSV, XLSX, ZIP), the award list and certificates, score import."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal import policy
from portal.accounts.sessions import require_recent_login
from portal.contests.services import contest_by_slug, write_poster
from portal.database import writes_on_get
from portal.errors import DomainError
from portal.exports import background, imports, meeting, services
from portal.exports.forms import ExportForm, MeetingPackForm, MeetingSelectionForm, \
    ScoreImportForm
from portal.exports.sheets import ExportOptions
from portal.extensions import db
from portal.i18n import current_locale
from portal.models import Permission
from portal.prepared.responses import send_or_prepare
from portal.prepared.services import kind_names, recent_files
from portal.web import commit_and_redirect, organizer_blueprint, printed_url, send_written, \
    show_domain_error

bp = organizer_blueprint("exports", __name__, url_prefix="/admin")

def _export_form(contest):
    form = ExportForm(request.args, rounds=contest.rounds, locale=current_locale())
    if not request.args.get("round") and contest.current_round is not None:
        form.round.data = contest.current_round.code
    return form


def _pack_form(contest):
    form = MeetingPackForm(request.args, rounds=contest.rounds, themes=contest.themes,
                           locale=current_locale())
    if not request.args.get("pack-round") and contest.current_round is not None:
        form.round.data = contest.current_round.code
    return form


def _index_page(contest, status=200, **forms):
    forms = {"form": _export_form(contest), "pack_form": _pack_form(contest), **forms}
    return render_template("exports/index.html", contest=contest,
                           prepared_files=recent_files(current_user, contest),
                           kind_names=kind_names(), **forms), status


def _import_form(contest):
    return ScoreImportForm(rounds=[r for r in contest.rounds if r.is_open],
                           locale=current_locale())


@bp.route("/contests/<slug>/exports")
def index(slug):
    """Download buttons with their options, the award list and the certificates."""
    return _index_page(contest_by_slug(slug))


@bp.route("/contests/<slug>/exports/download")
@require_recent_login
@writes_on_get
def download(slug):
    """The export in the chosen format, with the chosen options."""
    contest = contest_by_slug(slug)
    form = _export_form(contest)
    if not form.validate():
        return _index_page(contest, 400, form=form)
    options = ExportOptions(services.find_round(contest, form.round.data),
                            judge_names=form.judge_names.data, comments=form.comments.data,
                            themes=policy.theme_scope(current_user, contest, Permission.EXPORT))
    fmt = form.format.data
    return send_or_prepare(
        slug, background.export_is_large(contest),
        lambda: background.prepare_export(current_user, contest, fmt, options),
        lambda out: services.write_export(current_user, contest, fmt, options, out),
        services.FORMATS[fmt].mimetype)


@bp.route("/contests/<slug>/exports/meeting-pack")
@require_recent_login
@writes_on_get
def meeting_pack(slug):
    """The meeting pack of a round or theme: the PDF, or the ZIP of attachments."""
    contest = contest_by_slug(slug)
    form = _pack_form(contest)
    if not form.validate():
        return _index_page(contest, 400, pack_form=form)
    selection = meeting.selection_of(contest, form.round.data, form.theme.data)
    return _send_pack(slug, contest, form.format.data, selection)


def _send_pack(slug, contest, fmt, selection):
    """The pack's file now, or prepared by a job when the selection is large."""
    return send_or_prepare(
        slug, meeting.selection_size(contest, selection) > background.threshold(),
        lambda: meeting.prepare_pack(current_user, contest, fmt, selection),
        lambda out: meeting.write_pack(current_user, contest, fmt, selection, out),
        meeting.MIMETYPES[fmt])


@bp.route("/contests/<slug>/exports/meeting-pack/selection", methods=["POST"])
@require_recent_login
def meeting_pack_selection(slug):
    """The meeting pack of the proposals ticked in the proposal table: the PDF, or the ZIP of
    their attachments. An id that is not one of the contest's proposals the account may export
    is not found, whatever the reason; an empty selection is sent back with a message."""
    contest = contest_by_slug(slug)
    form = MeetingSelectionForm()
    form.validate_on_submit()
    if "csrf_token" in form.errors or not form.is_submitted():
        abort(400)
    if "proposal_ids" in form.errors:   # not a number: as an unknown proposal
        abort(404)
    try:
        selection = meeting.ticked_selection(current_user, contest, form.proposal_ids.data,
                                             request.args.get("round"))
    except DomainError as error:
        flash(error.message, "warning")
        query = request.query_string.decode()   # the table's filter, as it was
        return redirect(url_for("proposals_admin.proposals", slug=slug) + (
            f"?{query}" if query else ""))
    if selection is None:
        abort(404)
    if form.format.errors:
        abort(400)
    return _send_pack(slug, contest, form.format.data, selection)


@bp.route("/contests/<slug>/exports/award-list.pdf")
@require_recent_login
@writes_on_get
def award_list(slug):
    """The printable award list (A4)."""
    contest = contest_by_slug(slug)
    themes = policy.theme_scope(current_user, contest, Permission.EXPORT)
    return send_written(lambda out: services.write_award_list(contest, out, themes),
                        services.PDF_MIMETYPE)


POSTER_FORMATS = {"png": "image/png", "pdf": services.PDF_MIMETYPE}


@bp.route("/contests/<slug>/exports/poster-<any(a4, phone):size>.<any(png, pdf):fmt>")
def poster(slug, size, fmt):
    """The contest's poster, A4 or phone size, as PNG or PDF, with the QR code of its page."""
    contest = contest_by_slug(slug)
    url = printed_url("contests.show", slug=slug)
    return send_written(lambda out: write_poster(contest, url, size, fmt, out),
                        POSTER_FORMATS[fmt])


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
                                            filename=form.file.data.filename,
                                            themes=_import_themes(contest))
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
    themes = _import_themes(contest)
    return send_written(lambda out: imports.write_template(contest, contest_round, out, themes),
                        services.FORMATS["xlsx"].mimetype)


def _import_themes(contest):
    """The themes whose paper scores the account may enter (a chair's), or None for all."""
    return policy.theme_scope(current_user, contest, Permission.JUDGES)
