"""The grantee's pages: their grants, reports with spending and attachments, milestones,
budget changes, and consent to public progress. Organizers may read every one of them."""
import io

from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.errors import DomainError
from portal.extensions import db
from portal.grants import evaluation, labels, pdf, reports, rubric, services
from portal.grants.followup import grant_figures
from portal.grants.forms import ChangeForm, ConsentForm, EvaluatorsForm, MilestonesForm, \
    ReachedForm, ReportAttachmentForm, ReviewForm, evaluation_form, report_form
from portal.models import GrantReport, Milestone, ReportAttachment
from portal.proposals.filetypes import ALLOWED as FILETYPE_MIME
from portal.proposals.storage import stored_path
from portal.rules.contest import judge_name
from portal.validation import choices
from portal.web import commit_and_redirect, flash_form_errors, show_domain_error

bp = Blueprint("grants", __name__, url_prefix="/grants")
labels.install(bp)


@bp.before_request
@login_required
def require_login():
    """Every page here is someone's grant: signed in first."""


def _own_grant(grant_id):
    """The grant for its grantee; 404 for anyone else, organizers included (they act from
    the console)."""
    grant = services.grant_for_viewer(current_user, grant_id)
    policy.require(policy.owns_grant(current_user, grant), 404)
    return grant


def _report(report_id):
    report = db.session.get(GrantReport, report_id)
    policy.require(report is not None and policy.may_view_grant(current_user, report.grant), 404)
    return report


def _grant_page(grant, status=200, **forms):
    figures = grant_figures(grant)
    owner = policy.owns_grant(current_user, grant)
    change_form = forms.get("change_form") or ChangeForm()
    lines = choices((line.id, line.item) for line in grant.lines)
    change_form.from_line.choices = change_form.to_line.choices = lines
    return render_template(
        "grants/show.html", grant=grant, figures=figures, owner=owner,
        consent_form=forms.get("consent_form") or ConsentForm(public_progress=grant.public_progress),
        milestones_form=forms.get("milestones_form") or MilestonesForm(milestones="\n".join(
            f"{m.due_on.isoformat() if m.due_on else ''} {m.title}".strip()
            for m in grant.milestones if m.reached_on is None)),
        reached_form=ReachedForm(), change_form=change_form, is_late=reports.is_late), status


@bp.route("/")
def mine():
    """The grants of my awarded proposals."""
    return render_template("grants/mine.html", grants=services.grants_of(current_user),
                           is_late=reports.is_late)


@bp.route("/<int:grant_id>")
def show(grant_id):
    """One grant: tranches, budget and spending, milestones, reports."""
    return _grant_page(services.grant_for_viewer(current_user, grant_id))


@bp.route("/<int:grant_id>/consent", methods=["POST"])
def consent(grant_id):
    """The grantee's consent to public progress."""
    grant = _own_grant(grant_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("grants.show", grant_id=grant.id))
    services.set_public_progress(current_user, grant, form.public_progress.data)
    return commit_and_redirect(_("Saved."), "grants.show", grant_id=grant.id)


@bp.route("/<int:grant_id>/milestones", methods=["POST"])
def milestones(grant_id):
    """The grantee proposes the milestones; the organizer approves them."""
    grant = _own_grant(grant_id)
    form = MilestonesForm()
    if form.validate_on_submit():
        try:
            services.propose_milestones(current_user, grant, form.rows)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The milestones were sent to the organizer for "
                                         "approval."), "grants.show", grant_id=grant.id)
    return _grant_page(grant, 422, milestones_form=form)


@bp.route("/milestones/<int:milestone_id>/reached", methods=["POST"])
def milestone_reached(milestone_id):
    """The grantee marks an approved milestone reached."""
    milestone = db.session.get(Milestone, milestone_id)
    policy.require(milestone is not None and policy.owns_grant(current_user, milestone.grant),
                   404)
    form = ReachedForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("grants.show", grant_id=milestone.grant_id))
    try:
        services.mark_milestone_reached(current_user, milestone, form.reached_on.data)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("grants.show", grant_id=milestone.grant_id))
    return commit_and_redirect(_("Milestone marked reached."), "grants.show",
                               grant_id=milestone.grant_id)


@bp.route("/<int:grant_id>/budget-changes", methods=["POST"])
def request_change(grant_id):
    """Move money between budget lines (over the threshold, the organizer approves)."""
    grant = _own_grant(grant_id)
    form = ChangeForm()
    form.from_line.choices = form.to_line.choices = choices((line.id, line.item)
                                                            for line in grant.lines)
    if form.validate_on_submit():
        try:
            change = reports.request_change(current_user, grant, form.from_line.data,
                                            form.to_line.data, form.amount.data, form.reason.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            message = _("The change was recorded and applies at once.") \
                if change.status == "approved" else \
                _("The change waits for the organizer's approval.")
            return commit_and_redirect(message, "grants.show", grant_id=grant.id)
    return _grant_page(grant, 422, change_form=form)


def _evaluators_form(report):
    """For organizers: the judges who may be asked to evaluate a submitted report."""
    if not policy.is_organizer(current_user) or report.kind not in evaluation.EVALUATED_KINDS \
            or report.status not in reports.ReportStatus.COUNTED:
        return None
    form = EvaluatorsForm(formdata=None)
    form.judges.choices = choices((judge.id, judge_name(judge))
                                  for judge in evaluation.contest_judges(report.grant.contest))
    return form


def _report_page(report, form=None, upload_form=None, status=200):
    grant = report.grant
    budgets = reports.line_budgets(grant)
    editable = policy.owns_grant(current_user, grant) and report.status in reports.EDITABLE
    organizer = policy.is_organizer(current_user)
    return render_template(
        "grants/report.html", report=report, grant=grant, editable=editable,
        form=form or report_form(report, grant.lines, budgets), review_form=ReviewForm(formdata=None),
        upload_form=upload_form or ReportAttachmentForm(), budgets=budgets,
        spent=reports.spent_by_line(grant), is_late=reports.is_late(report),
        evaluators_form=_evaluators_form(report), rubric=rubric.REPORT_RUBRIC,
        weighted_score=rubric.weighted_score,
        mean_score=rubric.mean_score([e.scores for e in report.evaluations if e.submitted_at])
        if organizer else None), status


@bp.route("/reports/<int:report_id>", methods=["GET", "POST"])
def report(report_id):
    """A report: the grantee writes, saves and submits it; organizers read it."""
    item = _report(report_id)
    if not policy.owns_grant(current_user, item.grant):
        policy.require(policy.is_organizer(current_user) and not _is_post(), 404)
        return _report_page(item)
    form = report_form(item, item.grant.lines, reports.line_budgets(item.grant))
    if form.validate_on_submit():
        submit = bool(form.send.data)
        try:
            reports.save_report(current_user, item, form.narrative.data, form.beneficiaries.data,
                                form.problems.data, form.spending(), submit=submit)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            if submit:
                message = _("The report was submitted after its due date and is marked late.") \
                    if item.late else _("The report was submitted.")
            else:
                message = _("The draft was saved.")
            return commit_and_redirect(message, "grants.report", report_id=item.id)
    return _report_page(item, form=form, status=422 if _is_post() else 200)


def _is_post():
    return request.method == "POST"


@bp.route("/reports/<int:report_id>.pdf")
def report_pdf(report_id):
    """The report as a printable PDF, for the grantee and the organizers."""
    item = _report(report_id)
    grant = item.grant
    content = pdf.report_pdf(item, reports.line_budgets(grant), reports.spent_by_line(grant))
    return send_file(io.BytesIO(content), mimetype="application/pdf", as_attachment=True,
                     download_name=f"{grant.proposal.reference}-{item.kind}-{item.id}.pdf",
                     max_age=0)


@bp.route("/reports/<int:report_id>/attachments", methods=["POST"])
def report_upload(report_id):
    """Attach a receipt or photo to a report, checked by content."""
    item = _report(report_id)
    policy.require(policy.owns_grant(current_user, item.grant), 404)
    form = ReportAttachmentForm()
    if form.validate_on_submit():
        try:
            reports.add_report_attachment(current_user, item, form.file.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("The file was attached."), "grants.report",
                                       report_id=item.id)
    return _report_page(item, upload_form=form, status=422)


@bp.route("/report-files/<int:file_id>")
def report_file(file_id):
    """A report's receipt or photo, for the grantee and the organizers."""
    attachment = db.session.get(ReportAttachment, file_id)
    policy.require(attachment is not None
                   and policy.may_view_grant(current_user, attachment.report.grant), 404)
    return send_file(stored_path(attachment.stored_name), as_attachment=True,
                     download_name=attachment.original_name,
                     mimetype=FILETYPE_MIME[attachment.kind], max_age=0)


@bp.route("/<int:grant_id>/agreement")
def agreement(grant_id):
    """The signed agreement, for the grantee and the organizers."""
    grant = services.grant_for_viewer(current_user, grant_id)
    policy.require(grant.agreement_stored is not None, 404)
    return send_file(stored_path(grant.agreement_stored), as_attachment=True,
                     download_name=grant.agreement_name,
                     mimetype=FILETYPE_MIME[grant.agreement_kind], max_age=0)


@bp.route("/evaluations")
def evaluations():
    """The reports a judge was asked to evaluate."""
    return render_template("grants/evaluations.html",
                           evaluations=evaluation.evaluations_of(current_user))


@bp.route("/evaluations/<int:evaluation_id>", methods=["GET", "POST"], endpoint="evaluation")
def evaluation_page(evaluation_id):
    """A judge reads a report and scores it on the reports' rubric."""
    item = evaluation.evaluation_for_judge(current_user, evaluation_id)
    report = item.report
    form = evaluation_form(rubric.REPORT_RUBRIC, item.scores)
    if form.validate_on_submit():
        try:
            evaluation.save_evaluation(current_user, item, form.scores(), form.comment.data)
        except DomainError as error:
            show_domain_error(error, form)
        else:
            return commit_and_redirect(_("Your evaluation was submitted."), "grants.evaluations")
    grant = report.grant
    return render_template(
        "grants/evaluate.html", evaluation=item, report=report, grant=grant, form=form,
        budgets=reports.line_budgets(grant), spent=reports.spent_by_line(grant),
        rubric=rubric.REPORT_RUBRIC, weighted_score=rubric.weighted_score), \
        422 if form.is_submitted() else 200
