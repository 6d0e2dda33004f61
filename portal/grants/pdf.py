"""A grant report as a printable PDF (A4), in the CJK font of the other printed files."""
import io
from xml.sax.saxutils import escape

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.exports.pdf import RED, _style
from portal.grants.labels import REPORT_KINDS, REPORT_STATUSES
from portal.grants.money import format_yuan
from portal.i18n import current_locale
from portal.timezones import SHANGHAI


def _paragraphs(text, style):
    """Each line of the grantee's text as its own paragraph, escaped."""
    lines = [line for line in (text or "—").splitlines() if line.strip()] or ["—"]
    return [Paragraph(escape(line), style) for line in lines]


def report_pdf(report, budgets, spent):
    """The report: its project, state, narrative, beneficiaries, spending per budget line
    (this period, in all, budget), problems, and the names of its attachments."""
    grant = report.grant
    proposal = grant.proposal
    buffer = io.BytesIO()
    title = f"{proposal.title} · {REPORT_KINDS[report.kind]}"
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                                 topMargin=18 * mm, bottomMargin=18 * mm, title=title,
                                 author=grant.contest.localized("organizer", current_locale()))
    heading, section = _style("heading", 16, color=RED), _style("section", 12, color=RED)
    body, cell = _style("body", 10), _style("cell", 9.5)
    state = f"{_('Due on %(day)s', day=report.due_on.isoformat())} · " \
            f"{REPORT_STATUSES[report.status]}"
    if report.submitted_at is not None:
        state += f" · {report.submitted_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"
    if report.late:
        state += f" · {_('Submitted late')}"
    story = [Paragraph(escape(title), heading),
             Paragraph(escape(f"{proposal.reference} · {grant.contest.localized('name', current_locale())}"), body),
             Paragraph(escape(state), body), Spacer(1, 5 * mm),
             Paragraph(escape(_("What the project did in this period")), section),
             *_paragraphs(report.narrative, body), Spacer(1, 3 * mm),
             Paragraph(escape(_("Beneficiaries reached so far")), section),
             Paragraph(escape(str(report.beneficiaries_reached if report.beneficiaries_reached
                                  is not None else "—")), body), Spacer(1, 3 * mm),
             Paragraph(escape(_("Spending in this period, per budget line")), section)]
    in_report = {row.line_id: row.spent_fen for row in report.spending}
    rows = [[Paragraph(escape(label), cell) for label in (
        _("Budget line"), _("Spent in this period"), _("Spent in all"),
        _("Budget after changes"))]]
    for line in grant.lines:
        rows.append([Paragraph(escape(line.item), cell)] + [
            Paragraph(escape(format_yuan(value)), cell)
            for value in (in_report.get(line.id, 0), spent[line.id], budgets[line.id])])
    table = Table(rows, colWidths=[70 * mm, 34 * mm, 34 * mm, 36 * mm], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f6f1e7")),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 3 * mm),
              Paragraph(escape(_("Problems met and changes requested")), section),
              *_paragraphs(report.problems, body), Spacer(1, 3 * mm),
              Paragraph(escape(_("Receipts and photos")), section),
              *_paragraphs("\n".join(a.original_name for a in report.attachments), body)]
    if report.return_reason:
        story += [Paragraph(escape(_("Returned by the organizer:")), section),
                  *_paragraphs(report.return_reason, body)]
    document.build(story)
    return buffer.getvalue()
