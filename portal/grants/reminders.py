"""Reminders of grant reports: one a week before the due date, one once it has passed.

Run daily by the job queue (portal.ops.periodic) and by `flask grants remind`. Each reminder
is claimed with a conditional UPDATE first, so two runs at the same moment send it once."""
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.grants.labels import REPORT_KINDS
from portal.grants.services import beijing_today
from portal.i18n import lazy_gettext as _l
from portal.mail import queue_email
from portal.models import Grant, GrantReport, Proposal, ReportStatus
from portal.web import external_url

BEFORE = timedelta(days=7)
OPEN = (ReportStatus.DUE, ReportStatus.RETURNED)


def _claim(report, stage, allowed):
    """Mark the report reminded at `stage` unless another run already did; True if ours."""
    done = db.session.execute(
        update(GrantReport).where(GrantReport.id == report.id,
                                  or_(GrantReport.reminded.is_(None),
                                      GrantReport.reminded.in_(allowed)))
        .values(reminded=stage).execution_options(synchronize_session=False))
    return done.rowcount == 1


def send_report_reminders(now):
    """Queue the reminders due today (Beijing time); returns how many were queued."""
    today = beijing_today(now)
    reports = db.session.scalars(
        db.select(GrantReport).filter(
            GrantReport.status.in_(OPEN), GrantReport.due_on <= today + BEFORE,
            or_(GrantReport.reminded.is_(None), GrantReport.reminded != "after"))
        .options(selectinload(GrantReport.grant).selectinload(Grant.proposal)
                 .selectinload(Proposal.applicant))
        .order_by(GrantReport.id)).all()
    sent = 0
    for report in reports:
        overdue = report.due_on < today
        if not overdue and report.reminded is not None:
            continue  # the reminder before the due date went out already
        if not _claim(report, "after" if overdue else "before", ("before",) if overdue else ()):
            continue
        applicant = report.grant.proposal.applicant
        if applicant is None or not applicant.active:
            continue
        queue_email(applicant, _l("Your report is overdue") if overdue
                    else _l("Your report is due soon"), "grant_report_reminder",
                    user=applicant, grant=report.grant, report=report, overdue=overdue,
                    kind_label=REPORT_KINDS[report.kind],
                    report_url=external_url("grants.report", report_id=report.id))
        sent += 1
    db.session.flush()
    return sent
