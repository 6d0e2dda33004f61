"""Organizer pages: a contest's dashboard, announcements to its people, and the audit log."""
from flask import abort, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.contests.services import contest_by_slug
from portal.console import announcements as announcing, audit_listing, dashboard
from portal.accounts.sessions import require_recent_login
from portal.contests.services import all_contests
from portal.console.forms import AnnouncementForm, AuditFilterForm
from portal.database import writes_on_get
from portal.exports.formats import XLSX_MIMETYPE
from portal.i18n import current_locale
from portal.errors import DomainError
from portal.extensions import db
from portal import policy
from portal.models import Permission, Proposal, ProposalStatus
from portal.validation import bounded_int, choices
from portal.web import commit_and_redirect, organizer_blueprint, send_written, show_domain_error

bp = organizer_blueprint("dashboard", __name__, url_prefix="/admin")



@bp.route("/contests/<slug>/dashboard")
def overview(slug):
    """Submissions by theme, entrant type, status and day, and judging progress per round."""
    contest = contest_by_slug(slug)
    themes = policy.theme_scope(current_user, contest, Permission.SCREEN)
    return render_template("dashboard/overview.html", contest=contest, themes=themes,
                           dashboard=dashboard.dashboard_for(contest, themes))


@bp.route("/contests/<slug>/announcements", methods=["GET", "POST"])
def announcements(slug):
    """Write an announcement, preview it with its number of recipients, then send it."""
    contest = contest_by_slug(slug)
    form = AnnouncementForm()
    form.audience.choices = choices(announcing.audience_choices(contest))
    preview = None
    if form.validate_on_submit():
        announcement = announcing.Announcement(contest, form.audience.data, form.subject.data,
                                             form.body.data)
        if form.send.data and announcing.was_previewed(announcement, form.preview_token.data):
            try:
                count = announcing.send_announcement(current_user, announcement)
            except DomainError as error:
                show_domain_error(error, form)
            else:
                return commit_and_redirect(
                    ngettext("The announcement was sent to %(num)d recipient.",
                             "The announcement was sent to %(num)d recipients.", count),
                    "dashboard.announcements", slug=slug)
        elif form.send.data:
            flash(_("The text changed since the preview: check this preview, then send."),
                  "warning")
        preview = announcing.preview_announcement(announcement)
        form.preview_token.data = preview.token
    return render_template("dashboard/announcements.html", contest=contest, form=form,
                           preview=preview, sent=announcing.sent_announcements(contest),
                           audiences={choice.value: choice.label
                                      for choice in form.audience.choices})


def _audit_page(contest, form):
    form.validate()
    audit_filter = form.audit_filter(contest)
    pagination, rows = audit_listing.audit_page(audit_filter,
                                           request.args.get("page", 1, type=bounded_int))
    arguments = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template("dashboard/audit.html", contest=contest, pagination=pagination,
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
    return render_template("dashboard/proposal_audit.html", contest=proposal.contest,
                           proposal=proposal, decisions=decisions, history=history)
