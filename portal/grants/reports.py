"""Report verbs: the grantee writes and submits (late ones accepted and marked), the organizer
accepts or returns; spending per budget line, budget changes, receipts and photos."""

from portal.audit import record
from portal.errors import DomainError
from portal.extensions import db
from portal.grants.labels import REPORT_KINDS
from portal.grants.money import format_yuan
from portal.grants.services import beijing_today
from portal.i18n import lazy_gettext as _l
from portal.mail import queue_email
from portal.models import BudgetChange, ChangeStatus, ReportAttachment, ReportSpending, \
    ReportStatus, utcnow
from portal.proposals.attachments import checked_upload
from portal.proposals.filetypes import clean_filename
from portal.web import external_url

# A shift of at most this share of the giving line's plan is recorded as approved at once;
# a larger one waits for the organizer.
CHANGE_THRESHOLD_PERCENT = 10
MAX_REPORT_ATTACHMENTS = 20
EDITABLE = (ReportStatus.DUE, ReportStatus.RETURNED)


def line_budgets(grant):
    """line id -> its budget in fen: the plan, plus approved shifts in, minus shifts out."""
    budgets = {line.id: line.planned_fen for line in grant.lines}
    for change in grant.changes:
        if change.status == ChangeStatus.APPROVED:
            budgets[change.from_line_id] -= change.amount_fen
            budgets[change.to_line_id] += change.amount_fen
    return budgets


def spent_by_line(grant, leave_out=None):
    """line id -> fen spent, from the submitted and accepted reports (but `leave_out`)."""
    spent = {line.id: 0 for line in grant.lines}
    for report in grant.reports:
        if report.status in ReportStatus.COUNTED and report is not leave_out:
            for row in report.spending:
                spent[row.line_id] += row.spent_fen
    return spent


def is_late(report, now=None):
    """Not in yet and past its due date (Beijing time)."""
    return report.status in EDITABLE and beijing_today(now) > report.due_on


def _require_editable(report):
    if report.status not in EDITABLE:
        raise DomainError(_l("This report has been submitted and can no longer be changed."))


def save_report(actor, report, narrative, beneficiaries, problems, spending, submit=False,
                now=None):
    """Save the report (a draft), or submit it. `spending` maps line ids of the grant to fen.
    Submitting needs the narrative and the beneficiaries reached; no line may go over its
    budget (the plan with its approved changes). After the due date it is accepted, marked late."""
    _require_editable(report)
    grant = report.grant
    lines = {line.id: line for line in grant.lines}
    if set(spending) - set(lines):
        raise DomainError(_l("A spending line does not belong to this grant."))
    if any(fen < 0 for fen in spending.values()) or (beneficiaries or 0) < 0:
        raise DomainError(_l("Amounts and numbers cannot be negative."))
    report.narrative = (narrative or "").strip() or None
    report.problems = (problems or "").strip() or None
    report.beneficiaries_reached = beneficiaries
    rows = {row.line_id: row for row in report.spending}
    for line_id, fen in spending.items():
        if line_id in rows:
            rows[line_id].spent_fen = fen
        else:
            report.spending.append(ReportSpending(line_id=line_id, spent_fen=fen))
    if submit:
        if not report.narrative:
            raise DomainError(_l("Write what the project did in this period."), field="narrative")
        if report.beneficiaries_reached is None:
            raise DomainError(_l("Give the number of beneficiaries reached."),
                              field="beneficiaries")
        budgets, spent = line_budgets(grant), spent_by_line(grant, leave_out=report)
        for line_id, fen in spending.items():
            if spent[line_id] + fen > budgets[line_id]:
                raise DomainError(_l(
                    "Spending on “%(item)s” would reach %(total)s, above its budget of "
                    "%(budget)s. Request a budget change first; spending above a line's budget "
                    "needs an approved change.", item=lines[line_id].item,
                    total=format_yuan(spent[line_id] + fen), budget=format_yuan(budgets[line_id])))
        now = now or utcnow()
        report.late = beijing_today(now) > report.due_on
        report.status, report.submitted_at = ReportStatus.SUBMITTED, now
        report.return_reason = None
    db.session.flush()
    record(actor, "grant.report_submitted" if submit else "grant.report_saved",
           contest=grant.contest, target=report, kind=report.kind, late=report.late)
    return report


def review_report(actor, report, accept, reason=None, now=None):
    """Accept a submitted report, or return it with reasons (the grantee edits and submits
    again); the grantee is told either way."""
    if report.status != ReportStatus.SUBMITTED:
        raise DomainError(_l("Only a submitted report can be reviewed."))
    reason = (reason or "").strip()
    if not accept and not reason:
        raise DomainError(_l("Give the reasons for returning the report."), field="reason")
    report.status = ReportStatus.ACCEPTED if accept else ReportStatus.RETURNED
    report.return_reason = None if accept else reason
    report.reviewed_at, report.reviewed_by_id = now or utcnow(), getattr(actor, "id", None)
    db.session.flush()
    grant = report.grant
    record(actor, "grant.report_accepted" if accept else "grant.report_returned",
           contest=grant.contest, target=report, reason=reason or None)
    applicant = grant.proposal.applicant
    if applicant is not None:
        queue_email(applicant, _l("Your report was accepted") if accept
                    else _l("Your report was returned"), "grant_report_reviewed",
                    user=applicant, grant=grant, report=report, accepted=accept,
                    kind_label=REPORT_KINDS[report.kind],
                    report_url=external_url("grants.report", report_id=report.id))
    return report


def add_report_attachment(actor, report, upload):
    """A receipt or photo, through the same content checks as a proposal's attachments."""
    _require_editable(report)
    if len(report.attachments) >= MAX_REPORT_ATTACHMENTS:
        raise DomainError(_l("A report can have at most %(count)d attachments.",
                             count=MAX_REPORT_ATTACHMENTS), field="file")
    staged, kind = checked_upload(upload)
    for existing in report.attachments:
        if existing.sha256 == staged.sha256:
            staged.discard()
            return existing
    attachment = ReportAttachment(original_name=clean_filename(upload.filename, kind),
                                  stored_name=staged.commit(), kind=kind, size=staged.size,
                                  sha256=staged.sha256)
    report.attachments.append(attachment)
    db.session.flush()
    record(actor, "grant.report_attachment", contest=report.grant.contest, target=report,
           sha256=staged.sha256, size=staged.size)
    return attachment


def request_change(actor, grant, from_line_id, to_line_id, amount_fen, reason, now=None):
    """Move money between two budget lines. Up to the threshold (a share of the giving
    line's plan) it is approved at once; above it, it waits for the organizer."""
    lines = {line.id: line for line in grant.lines}
    if from_line_id not in lines or to_line_id not in lines or from_line_id == to_line_id:
        raise DomainError(_l("Choose two different budget lines of this grant."))
    if amount_fen <= 0:
        raise DomainError(_l("The amount must be more than zero."), field="amount")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason for the change."), field="reason")
    _check_room(grant, from_line_id, amount_fen)
    small = amount_fen * 100 <= lines[from_line_id].planned_fen * CHANGE_THRESHOLD_PERCENT
    now = now or utcnow()
    change = BudgetChange(from_line_id=from_line_id, to_line_id=to_line_id,
                          amount_fen=amount_fen, reason=reason, requested_at=now,
                          requested_by_id=getattr(actor, "id", None),
                          status=ChangeStatus.APPROVED if small else ChangeStatus.PENDING,
                          decided_at=now if small else None)
    grant.changes.append(change)
    db.session.flush()
    record(actor, "grant.change_requested", contest=grant.contest, target=change,
           amount_fen=amount_fen, approved_at_once=small)
    return change


def _check_room(grant, from_line_id, amount_fen):
    """The giving line must keep at least what was already spent on it."""
    budget = line_budgets(grant)[from_line_id]
    if budget - amount_fen < spent_by_line(grant)[from_line_id]:
        raise DomainError(_l("The line giving the money has already spent more than would "
                             "remain."), field="amount")


def decide_change(actor, change, approve, now=None):
    if change.status != ChangeStatus.PENDING:
        raise DomainError(_l("This change has already been decided."))
    if approve:
        _check_room(change.grant, change.from_line_id, change.amount_fen)
    change.status = ChangeStatus.APPROVED if approve else ChangeStatus.REJECTED
    change.decided_at, change.decided_by_id = now or utcnow(), getattr(actor, "id", None)
    db.session.flush()
    record(actor, "grant.change_approved" if approve else "grant.change_rejected",
           contest=change.grant.contest, target=change, amount_fen=change.amount_fen)
    return change
