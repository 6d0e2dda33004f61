"""The words shown for the grants' kinds and states, in the reader's language."""

from portal.grants.money import format_yuan
from portal.i18n import lazy_gettext as _l
from portal.models import ChangeStatus, ReportKind, ReportStatus, TrancheCondition

REPORT_KINDS = {ReportKind.MIDTERM: _l("Mid-term report"), ReportKind.FINAL: _l("Final report"),
                ReportKind.MONTHLY: _l("Monthly update")}
REPORT_STATUSES = {ReportStatus.DUE: _l("Not submitted"), ReportStatus.SUBMITTED: _l("Submitted"),
                   ReportStatus.RETURNED: _l("Returned"), ReportStatus.ACCEPTED: _l("Accepted")}
CONDITIONS = {TrancheCondition.SIGNING: _l("At signing (the signed agreement is on file)"),
              TrancheCondition.MIDTERM: _l("After the mid-term report is accepted"),
              TrancheCondition.FINAL: _l("At completion (the final report is accepted)")}
CHANGE_STATUSES = {ChangeStatus.PENDING: _l("Waiting for approval"),
                   ChangeStatus.APPROVED: _l("Approved"), ChangeStatus.REJECTED: _l("Rejected")}


def install(blueprint):
    """The filters the grant templates use, registered app-wide by the grantee's blueprint."""
    filters = {"yuan": format_yuan, "report_kind": REPORT_KINDS.get,
               "report_status": REPORT_STATUSES.get, "tranche_condition": CONDITIONS.get,
               "change_status": CHANGE_STATUSES.get}
    for name, function in filters.items():
        blueprint.add_app_template_filter(function, name)
