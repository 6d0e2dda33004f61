"""The organizer's side of the grants: the follow-up dashboard, each grant's settings and
agreement, tranche releases, report reviews, budget changes, milestones and the ledger."""
from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.accounts.sessions import require_recent_login
from portal.contests.services import contest_by_slug
from portal.database import writes_on_get
from portal.errors import DomainError
from portal.exports.formats import XLSX_MIMETYPE
from portal.exports.views import send_written
from portal.extensions import db
from portal.grants import evaluation, followup, reports, services
from portal.grants.forms import AgreementForm, DecisionForm, EvaluatorsForm, GrantSettingsForm, \
    ReleaseForm, ReviewForm
from portal.models import BudgetChange, Grant, GrantReport, ReportKind, Tranche
from portal.rules.contest import judge_name
from portal.validation import choices
from portal.web import commit_and_redirect, flash_form_errors, organizer_blueprint, \
    run_button_action, show_domain_error

bp = organizer_blueprint("grants_admin", __name__, url_prefix="/admin")
LEDGER_MIMETYPES = {"csv": "text/csv", "xlsx": XLSX_MIMETYPE}


def _get(model, object_id):
    item = db.session.get(model, object_id)
    if item is None:
        abort(404)
    return item


@bp.route("/contests/<slug>/grants")
def dashboard(slug):
    """Reports due, late, submitted and returned; money granted, released and spent."""
    contest = contest_by_slug(slug)
    return render_template("grants/dashboard.html", contest=contest,
                           followup=followup.followup(contest), review_form=ReviewForm(),
                           decision_form=DecisionForm(), button_form=DecisionForm())


@bp.route("/contests/<slug>/grants/create", methods=["POST"])
def create(slug):
    """Grants for the awards that have none (a contest finalized before grants existed)."""
    contest = contest_by_slug(slug)
    return run_button_action(
        lambda: services.create_grants(current_user, contest),
        lambda made: ngettext("%(num)d grant created.", "%(num)d grants created.", len(made)),
        "grants_admin.dashboard", slug=slug)


def _settings_form(grant):
    reports_by_kind = {report.kind: report for report in grant.reports}
    percents = [tranche.percent for tranche in grant.tranches]
    return GrantSettingsForm(
        amount=grant.amount_fen, signing_percent=percents[0], midterm_percent=percents[1],
        final_percent=percents[2], starts_on=grant.starts_on, ends_on=grant.ends_on,
        midterm_due=reports_by_kind[ReportKind.MIDTERM].due_on,
        final_due=reports_by_kind[ReportKind.FINAL].due_on)


def _grant_page(grant, settings_form=None, agreement_form=None, status=200):
    return render_template(
        "grants/manage.html", grant=grant, contest=grant.contest,
        figures=followup.grant_figures(grant), form=settings_form or _settings_form(grant),
        agreement_form=agreement_form or AgreementForm(), release_form=ReleaseForm(),
        decision_form=DecisionForm(), condition_met=services.condition_met,
        is_late=reports.is_late), status


@bp.route("/grants/<int:grant_id>", methods=["GET", "POST"])
def manage(grant_id):
    """One grant: amount, tranches and dates; the agreement; releases; milestones."""
    grant = _get(Grant, grant_id)
    form = GrantSettingsForm()
    if form.validate_on_submit():
        try:
            services.update_grant(current_user, grant, form.amount.data, form.percents,
                                  form.starts_on.data, form.ends_on.data, form.midterm_due.data,
                                  form.final_due.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The grant was saved."), "grants_admin.manage",
                                       grant_id=grant.id)
        return _grant_page(grant, settings_form=form, status=422)
    if form.is_submitted():
        return _grant_page(grant, settings_form=form, status=422)
    return _grant_page(grant)


@bp.route("/grants/<int:grant_id>/agreement", methods=["POST"])
def upload_agreement(grant_id):
    """The signed agreement: it meets the condition of the tranche paid at signing."""
    grant = _get(Grant, grant_id)
    form = AgreementForm()
    if form.validate_on_submit():
        try:
            services.attach_agreement(current_user, grant, form.file.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The signed agreement was saved."),
                                       "grants_admin.manage", grant_id=grant.id)
    return _grant_page(grant, agreement_form=form, status=422)


@bp.route("/grants/<int:grant_id>/monthly-reports", methods=["POST"])
def monthly_reports(grant_id):
    """Ask for a monthly update at the end of each month of the agreement."""
    grant = _get(Grant, grant_id)
    return run_button_action(
        lambda: services.add_monthly_reports(current_user, grant),
        lambda count: ngettext("%(num)d monthly update scheduled.",
                               "%(num)d monthly updates scheduled.", count),
        "grants_admin.manage", grant_id=grant.id)


@bp.route("/grants/<int:grant_id>/milestones/approve", methods=["POST"])
def approve_milestones(grant_id):
    """Approve the milestones the grantee proposed."""
    grant = _get(Grant, grant_id)
    return run_button_action(lambda: services.approve_milestones(current_user, grant),
                             _("The milestones were approved."), "grants_admin.manage",
                             grant_id=grant.id)


@bp.route("/tranches/<int:tranche_id>/release", methods=["POST"])
def release(tranche_id):
    """Record a tranche's payment (date and reference), once its condition is met."""
    tranche = _get(Tranche, tranche_id)
    form = ReleaseForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("grants_admin.manage", grant_id=tranche.grant_id))
    try:
        services.release_tranche(current_user, tranche, form.released_on.data,
                                 form.reference.data)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("grants_admin.manage", grant_id=tranche.grant_id))
    return commit_and_redirect(_("The release was recorded."), "grants_admin.manage",
                               grant_id=tranche.grant_id)


@bp.route("/grant-reports/<int:report_id>/review", methods=["POST"])
def review(report_id):
    """Accept a submitted report, or return it with reasons."""
    report = _get(GrantReport, report_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("grants.report", report_id=report.id))
    try:
        reports.review_report(current_user, report, accept=bool(form.accept.data),
                              reason=form.reason.data)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("grants.report", report_id=report.id))
    message = _("The report was accepted.") if form.accept.data else \
        _("The report was returned to the grantee.")
    return commit_and_redirect(message, "grants.report", report_id=report.id)


@bp.route("/grant-reports/<int:report_id>/evaluators", methods=["POST"])
def request_evaluation(report_id):
    """Ask judges of the contest to evaluate a submitted mid-term or final report."""
    report = _get(GrantReport, report_id)
    form = EvaluatorsForm()
    form.judges.choices = choices((judge.id, judge_name(judge))
                                  for judge in evaluation.contest_judges(report.grant.contest))
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("grants.report", report_id=report.id))
    try:
        added = evaluation.request_evaluation(current_user, report, form.judges.data)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("grants.report", report_id=report.id))
    return commit_and_redirect(ngettext("%(num)d judge asked to evaluate the report.",
                                        "%(num)d judges asked to evaluate the report.",
                                        len(added)), "grants.report", report_id=report.id)


@bp.route("/budget-changes/<int:change_id>/decide", methods=["POST"])
def decide_change(change_id):
    """Approve or reject a budget change over the threshold."""
    change = _get(BudgetChange, change_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("grants_admin.manage", grant_id=change.grant_id))
    try:
        reports.decide_change(current_user, change, approve=bool(form.approve.data))
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("grants_admin.manage", grant_id=change.grant_id))
    return commit_and_redirect(_("The change was approved.") if form.approve.data
                               else _("The change was rejected."), "grants_admin.manage",
                               grant_id=change.grant_id)


@bp.route("/contests/<slug>/grants/ledger.<any(csv, xlsx):fmt>")
@require_recent_login
@writes_on_get
def ledger(slug, fmt):
    """The grants ledger: project, grant, released, spent per budget line, variance."""
    contest = contest_by_slug(slug)
    return send_written(lambda out: followup.write_ledger(current_user, contest, fmt, out),
                        LEDGER_MIMETYPES[fmt])
