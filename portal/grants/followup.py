"""The organizer's follow-up: figures per grant and overall, reports by state, the ledger."""
from dataclasses import dataclass, field

from flask_babel import gettext as _

from portal.audit import record
from portal.exports.formats import Sheet, write_csv, write_xlsx
from portal.grants.money import yuan
from portal.grants.reports import is_late, line_budgets, spent_by_line
from portal.grants.services import contest_grants
from portal.models import ChangeStatus, ReportStatus

MONEY_FORMAT = "#,##0.00"


@dataclass
class LineFigures:
    line: object
    planned_fen: int
    budget_fen: int
    spent_fen: int

    @property
    def change_fen(self):
        return self.budget_fen - self.planned_fen

    @property
    def variance_fen(self):
        """Budget left (negative: overspent)."""
        return self.budget_fen - self.spent_fen


@dataclass
class GrantFigures:
    grant: object
    lines: list
    released_fen: int
    beneficiaries_planned: int | None
    beneficiaries_reached: int | None

    @property
    def budget_fen(self):
        return sum(line.budget_fen for line in self.lines)

    @property
    def spent_fen(self):
        return sum(line.spent_fen for line in self.lines)


@dataclass
class Followup:
    grants: list
    due: list = field(default_factory=list)
    late: list = field(default_factory=list)
    submitted: list = field(default_factory=list)
    returned: list = field(default_factory=list)
    accepted: list = field(default_factory=list)
    pending_changes: list = field(default_factory=list)

    @property
    def granted_fen(self):
        return sum(item.grant.amount_fen for item in self.grants)

    @property
    def released_fen(self):
        return sum(item.released_fen for item in self.grants)

    @property
    def budget_fen(self):
        return sum(item.budget_fen for item in self.grants)

    @property
    def spent_fen(self):
        return sum(item.spent_fen for item in self.grants)


def grant_figures(grant):
    budgets, spent = line_budgets(grant), spent_by_line(grant)
    lines = [LineFigures(line, line.planned_fen, budgets[line.id], spent[line.id])
             for line in grant.lines]
    reached = [report.beneficiaries_reached for report in grant.reports
               if report.status in ReportStatus.COUNTED
               and report.beneficiaries_reached is not None]
    return GrantFigures(grant, lines,
                        sum(t.amount_fen for t in grant.tranches if t.is_released),
                        grant.proposal.beneficiary_count, max(reached) if reached else None)


def followup(contest, now=None):
    """Every grant's figures, and the reports sorted by what they need: due, late, submitted
    (to review), returned, accepted."""
    result = Followup([grant_figures(grant) for grant in contest_grants(contest)])
    for item in result.grants:
        for report in item.grant.reports:
            if is_late(report, now):
                result.late.append(report)
            elif report.status == ReportStatus.DUE:
                result.due.append(report)
            elif report.status == ReportStatus.SUBMITTED:
                result.submitted.append(report)
            elif report.status == ReportStatus.RETURNED:
                result.returned.append(report)
            else:
                result.accepted.append(report)
        result.pending_changes += [change for change in item.grant.changes
                                   if change.status == ChangeStatus.PENDING]
    result.due.sort(key=lambda report: report.due_on)
    result.late.sort(key=lambda report: report.due_on)
    return result


def ledger_sheet(contest):
    """The grants ledger: a row per budget line of each grant (a grant without lines gets one
    row), amounts in yuan as exact decimals."""
    header = [_("Reference"), _("Project"), _("Grant (yuan)"), _("Released (yuan)"),
              _("Budget line"), _("Planned (yuan)"), _("Approved changes (yuan)"),
              _("Budget (yuan)"), _("Spent (yuan)"), _("Variance (yuan)")]
    rows = []
    for item in followup(contest).grants:
        grant = item.grant
        head = [grant.proposal.reference, grant.proposal.title, yuan(grant.amount_fen),
                yuan(item.released_fen)]
        if not item.lines:
            rows.append(head + [None] * 6)
        for line in item.lines:
            rows.append(head + [line.line.item, yuan(line.planned_fen), yuan(line.change_fen),
                                yuan(line.budget_fen), yuan(line.spent_fen),
                                yuan(line.variance_fen)])
    money = {index: MONEY_FORMAT for index in (2, 3, 5, 6, 7, 8, 9)}
    return Sheet("grants", _("Grants ledger"), header, rows,
                 widths={1: 30, 4: 24}, formats=money)


def write_ledger(actor, contest, fmt, out):
    """The ledger as CSV or XLSX into `out`, audited; returns the file name."""
    sheet = ledger_sheet(contest)
    if fmt == "csv":
        write_csv(sheet, out)
    else:
        write_xlsx([sheet], out)
    record(actor, "grants.exported", contest=contest, target=contest, format=fmt)
    return f"{contest.slug}-grants-ledger.{fmt}"
