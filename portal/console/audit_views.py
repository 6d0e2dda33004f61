"""The audit log's pages: a contest's log, the whole log, its export, one proposal's log."""
from flask import abort, render_template, request
from flask_login import current_user

from portal.accounts.sessions import require_recent_login
from portal.console import audit_listing
from portal.console.forms import AuditFilterForm
from portal.contests.services import all_contests, contest_by_slug
from portal.database import writes_on_get
from portal.exports.formats import XLSX_MIMETYPE
from portal.extensions import db
from portal.i18n import current_locale
from portal.models import Proposal, ProposalStatus
from portal.validation import bounded_int
from portal.web import organizer_blueprint, send_written

bp = organizer_blueprint("audit", __name__, url_prefix="/admin")


def _audit_page(contest, form):
    form.validate()
    audit_filter = form.audit_filter(contest)
    pagination, rows = audit_listing.audit_page(audit_filter,
                                                request.args.get("page", 1, type=bounded_int))
    arguments = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("audit/log.html", contest=contest, pagination=pagination,
                           rows=rows, form=form, arguments=arguments)


@bp.route("/contests/<slug>/audit")
def contest_audit(slug):
    """The contest's audit log, newest first, 50 events a page, filtered by actor, kind, date."""
    return _audit_page(contest_by_slug(slug), AuditFilterForm(request.args))


@bp.route("/audit")
def audit_log():
    """The whole audit log (every contest, and the site's own settings and accounts)."""
    return _audit_page(None, AuditFilterForm(request.args, contests=_contest_choices()))


def _contest_choices():
    locale = current_locale()
    return [(contest, contest.localized("name", locale)) for contest in all_contests()]


@bp.route("/audit/export.<any(csv, xlsx):fmt>")
@require_recent_login
@writes_on_get
def audit_export(fmt):
    """The filtered audit log as CSV or XLSX, each entry in words beside its hash."""
    form = AuditFilterForm(request.args, contests=_contest_choices())
    form.validate()
    return send_written(lambda out: audit_listing.export_audit(
        current_user, form.audit_filter(), fmt, current_locale(), out),
        "text/csv" if fmt == "csv" else XLSX_MIMETYPE)


@bp.route("/proposals/<int:proposal_id>/audit")
def proposal_audit(proposal_id):
    """The audit events about one proposal and its status history."""
    proposal = db.session.get(Proposal, proposal_id)
    # Drafts are the applicant's private work, as on the organizers' proposal page.
    if proposal is None or proposal.status == ProposalStatus.DRAFT:
        abort(404)
    decisions, history = audit_listing.proposal_audit(proposal)
    return render_template("audit/proposal.html", contest=proposal.contest,
                           proposal=proposal, decisions=decisions, history=history)
