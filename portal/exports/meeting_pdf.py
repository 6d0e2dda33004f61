"""The meeting pack's PDF (A4): a cover, a table of contents, each proposal in full, and after
each one a score sheet for paper scoring, laid out like the paper-score import's template."""
import io
from typing import NamedTuple

from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate, Paragraph, \
    Spacer, Table, TableStyle
from reportlab.platypus.tableofcontents import TableOfContents

from portal.exports.pdf import RED, _money, _style, _text, cjk_font
from portal.i18n import current_locale


class PackProposal(NamedTuple):
    """One proposal as the pack prints it: `fields` are (label, text) pairs already chosen for
    the contest (blind: no applicant identity), `judges` are names or codes."""

    reference: str
    title: str
    fields: list
    budget: list          # (item, amount, note)
    budget_total: object
    attachments: list     # names as the ZIP holds them
    judges: list


class PackCriterion(NamedTuple):
    label: str            # as in the import template's header
    scale: str
    weight: str
    rubric: str


def _prose(value):
    return _text(value).replace("\n", "<br/>") or "—"


class _PackDocument(BaseDocTemplate):
    """Headings of level 0 go into the table of contents; each one counts as progress."""

    def __init__(self, buffer, progress, count, **options):
        super().__init__(buffer, **options)
        self.progress, self.count, self.seen = progress, max(count, 1), 0
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body")
        self.addPageTemplates([PageTemplate("page", [frame], onPage=self._number)])
        self.footer = _("Page %(page)d")

    def _number(self, drawing, doc):
        drawing.saveState()
        drawing.setFont(cjk_font(), 8)
        drawing.setFillColor(colors.grey)
        drawing.drawCentredString(A4[0] / 2, 10 * mm, self.footer % {"page": doc.page})
        drawing.restoreState()

    def afterFlowable(self, flowable):
        if getattr(flowable, "toc_text", None):
            self.notify("TOCEntry", (0, flowable.toc_text, self.page))
            self.seen += 1
            # multiBuild lays the story out twice (the second pass knows the page numbers).
            self.progress(min(0.95, self.seen / (2 * self.count)))


def meeting_pack(contest, heading, day, proposals, criteria, blind, progress):
    """The pack as PDF bytes. `heading` names the round (and theme) on the cover."""
    locale_name = contest.localized("name", current_locale())
    buffer = io.BytesIO()
    document = _PackDocument(buffer, progress, len(proposals), pagesize=A4,
                             leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                             bottomMargin=18 * mm, title=locale_name + " · " + _("Meeting pack"),
                             author=contest.localized("organizer", current_locale()))
    title_style = _style("pack-title", 22, alignment=TA_CENTER)
    subtitle = _style("pack-subtitle", 13, alignment=TA_CENTER, color=colors.grey)
    section = _style("pack-section", 15, color=RED)
    label = _style("pack-label", 10, color=colors.grey)
    body = _style("pack-body", 10.5)
    cell = _style("pack-cell", 9.5)
    head_cell = _style("pack-head", 9.5, color=colors.white)
    story = [Spacer(1, 60 * mm), Paragraph(_text(locale_name), title_style), Spacer(1, 8 * mm),
             Paragraph(_text(_("Meeting pack")) + " · " + _text(heading), subtitle),
             Spacer(1, 4 * mm),
             Paragraph(_text(_("Proposals: %(count)d", count=len(proposals))), subtitle),
             Paragraph(_text(format_date(day, format="long")), subtitle)]
    if blind:
        story += [Spacer(1, 10 * mm), Paragraph(_text(_(
            "Blind review: applicants are not named, and judges appear by their codes.")),
            subtitle)]
    contents = TableOfContents()
    contents.levelStyles = [_style("pack-toc", 10.5, leading=16)]
    story += [PageBreak(), Paragraph(_text(_("Contents")), section), Spacer(1, 4 * mm), contents]
    for proposal in proposals:
        story.append(PageBreak())
        heading_text = f"{proposal.reference} · {proposal.title}"
        title = Paragraph(_text(heading_text), section)
        title.toc_text = _text(heading_text)
        story += [title, Spacer(1, 3 * mm)]
        for name, value in proposal.fields:
            story += [Paragraph(_text(name), label), Paragraph(_prose(value), body),
                      Spacer(1, 2 * mm)]
        story.append(Paragraph(_text(_("Budget")), label))
        story.append(_budget_table(proposal, cell, head_cell) if proposal.budget
                     else Paragraph("—", body))
        story += [Spacer(1, 2 * mm), Paragraph(_text(_("Attachments")), label),
                  Paragraph(_text("、".join(proposal.attachments)) or "—", body),
                  Spacer(1, 2 * mm), Paragraph(_text(_("Judges of this round")), label),
                  Paragraph(_text("、".join(proposal.judges)) or "—", body)]
        story += [PageBreak()] + _score_sheet(proposal, criteria, section, body, cell, head_cell)
    document.multiBuild(story)
    return buffer.getvalue()


def _budget_table(proposal, cell, head_cell):
    rows = [[Paragraph(_text(text), head_cell)
             for text in (_("Item"), _("Amount (yuan)"), _("Note"))]]
    rows += [[Paragraph(_text(item), cell), Paragraph(_text(_money(amount)), cell),
              Paragraph(_text(note), cell)] for item, amount, note in proposal.budget]
    rows.append([Paragraph(_text(_("Total")), cell),
                 Paragraph(_text(_money(proposal.budget_total)), cell), ""])
    return _grid(rows, [80 * mm, 34 * mm, 60 * mm])


def _grid(rows, widths):
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), RED),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _score_sheet(proposal, criteria, section, body, cell, head_cell):
    """One page to score the proposal on paper: what the import reads (judge code, reference,
    a score per criterion under its template heading, a comment), and signature lines."""
    rows = [[Paragraph(_text(text), head_cell) for text in (
        _("Criterion"), _("Scale"), _("Weight"), _("Rubric"), _("Score"))]]
    rows += [[Paragraph(_text(c.label), cell), Paragraph(_text(c.scale), cell),
              Paragraph(_text(c.weight), cell), Paragraph(_prose(c.rubric), cell), ""]
             for c in criteria]
    line = "_" * 24
    return [
        Paragraph(_text(_("Score sheet")) + " · " + _text(proposal.reference), section),
        Spacer(1, 2 * mm),
        Paragraph(_text(_("Reference")) + "：" + _text(proposal.reference) + "　　"
                  + _text(_("Title")) + "：" + _text(proposal.title), body),
        Paragraph(_text(_("Judge code")) + "：" + line, body), Spacer(1, 3 * mm),
        _grid(rows, [40 * mm, 22 * mm, 16 * mm, 74 * mm, 22 * mm]), Spacer(1, 4 * mm),
        Paragraph(_text(_("Comment")) + "：", body), Spacer(1, 28 * mm),
        Paragraph(_text(_("Judge's signature")) + "：" + line + "　　" + _text(_("Date")) + "："
                  + "_" * 14, body),
    ]
