"""Printable PDFs: the award list (A4) and numbered certificates (A4 landscape).

The Chinese text is real text in the committed WenQuanYi Micro Hei font (portal/fonts, with its
licence), so that it can be searched, copied and read by screen readers.
"""
import functools
import io
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape

import segno
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from portal.exports.sheets import winner_name
from portal.i18n import current_locale

FONT_NAME = "WenQuanYiMicroHei"
FONT_PATH = Path(__file__).resolve().parent.parent / "fonts" / "wqy-microhei.ttc"
RED = colors.HexColor("#a61b1b")
GOLD = colors.HexColor("#c9a227")


@functools.cache
def cjk_font():
    """Register the CJK font once per process; returns its name."""
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    return FONT_NAME


def _style(name, size, leading=None, alignment=TA_LEFT, color=colors.black):
    return ParagraphStyle(name, fontName=cjk_font(), fontSize=size, leading=leading or size * 1.4,
                          alignment=alignment, textColor=color, wordWrap="CJK")


def _text(value):
    return escape(str(value or ""))


def _money(value):
    return "" if value is None else format_decimal(value, format="#,##0.00")


def award_list(contest, awards, day):
    """The award list of `day`: the contest, each tier with its winners and grants, totals."""
    locale = current_locale()
    buffer = io.BytesIO()
    title = contest.localized("name", locale)
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm,
                                 topMargin=18 * mm, bottomMargin=18 * mm,
                                 title=title + " · " + _("Award list"),
                                 author=contest.localized("organizer", locale))
    heading = _style("heading", 17, alignment=TA_CENTER)
    subheading = _style("subheading", 12, alignment=TA_CENTER, color=colors.grey)
    tier_style = _style("tier", 13, color=RED)
    cell = _style("cell", 9.5)
    head_cell = _style("head", 9.5, color=colors.white)
    story = [Paragraph(_text(title), heading),
             Paragraph(_text(_("Award list")) + " · " + _text(format_date(day, format="long")),
                       subheading), Spacer(1, 8 * mm)]
    if not awards:
        story.append(Paragraph(_text(_("No award has been decided yet.")), cell))
    by_tier = {}
    for award in awards:
        by_tier.setdefault(award.tier, []).append(award)
    total = Decimal(0)
    for tier, winners in by_tier.items():
        story.append(Paragraph(_text(_("%(tier)s (%(count)d)", tier=tier.localized(
            "name", locale), count=len(winners))), tier_style))
        story.append(Spacer(1, 2 * mm))
        rows = [[Paragraph(_text(label), head_cell) for label in (
            _("Reference"), _("Title"), _("Organization or applicant"), _("Grant (yuan)"))]]
        for award in winners:
            proposal = award.proposal
            rows.append([Paragraph(_text(proposal.reference), cell),
                         Paragraph(_text(proposal.title), cell),
                         Paragraph(_text(winner_name(proposal)), cell),
                         Paragraph(_text(_money(award.grant)), cell)])
            total += award.grant or 0
        table = Table(rows, colWidths=[34 * mm, 66 * mm, 48 * mm, 26 * mm], repeatRows=1)
        table.setStyle(TableStyle([
            ("BACKGROUND", (0, 0), (-1, 0), RED),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f1e7")]),
        ]))
        story += [table, Spacer(1, 6 * mm)]
    if awards:
        story.append(Paragraph(_text(_("Winners: %(count)d. Grants in total: %(total)s yuan.",
                                       count=len(awards), total=_money(total))), cell))
    footer = _("Page %(page)d")

    def number_pages(drawing, doc):
        drawing.saveState()
        drawing.setFont(cjk_font(), 8)
        drawing.setFillColor(colors.grey)
        drawing.drawCentredString(A4[0] / 2, 10 * mm, footer % {"page": doc.page})
        drawing.restoreState()

    document.build(story, onFirstPage=number_pages, onLaterPages=number_pages)
    return buffer.getvalue()


class CertificatePage(NamedTuple):
    """One certificate as printed: who, for which project and tier, its number and where to
    verify it."""

    number: str
    holder: str
    is_team_member: bool
    title: str
    tier_name: str
    verify_url: str


def certificates(contest, pages, day, seal=None, progress=None):
    """One A4 landscape page per certificate: 荣誉证书, the holder, the project, the tier, `day`,
    the seal image (a path to a PNG, optional) over the organizer's name, and the certificate's
    number beside a QR code of its verification page. `progress(fraction)` after each page."""
    locale = current_locale()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    drawing = canvas.Canvas(buffer, pagesize=(width, height))
    drawing.setTitle(contest.localized("name", locale) + " · " + _("Certificates"))
    drawing.setAuthor(contest.localized("organizer", locale))
    contest_name = contest.localized("name", locale)
    signature = _style("signature", 16, leading=26, alignment=TA_CENTER)
    closing = Paragraph(_text(contest.localized("organizer", locale)) + "<br/>"
                        + _text(format_date(day, format="long")), signature)
    seal_image = ImageReader(str(seal)) if seal else None
    for index, page in enumerate(pages):
        _frame(drawing, width, height)
        _title(drawing, _("Certificate of Honour"), width / 2, height - 52 * mm,
               spaced=locale == "zh_CN")
        if page.is_team_member:
            award_text = _("As a member of the team of the project “%(title)s”, awarded the "
                           "%(tier)s in the %(contest)s, you are awarded this certificate.",
                           title=page.title, tier=page.tier_name, contest=contest_name)
        else:
            award_text = _("The project “%(title)s” was awarded the %(tier)s in the "
                           "%(contest)s.", title=page.title, tier=page.tier_name,
                           contest=contest_name)
        _body(drawing, [
            (_text(_("%(winner)s:", winner=page.holder)), False),
            (_text(award_text), True),
            (_text(_("This certificate is awarded in recognition.")), True),
        ], x=40 * mm, top=height - 68 * mm, width=width - 80 * mm, bottom=72 * mm)
        closing.wrap(100 * mm, 30 * mm)
        closing.drawOn(drawing, width - 140 * mm, 36 * mm)
        if seal_image is not None:
            _seal(drawing, seal_image, centre_x=width - 90 * mm, centre_y=48 * mm)
        _verification(drawing, page, x=26 * mm, y=26 * mm)
        drawing.showPage()
        if progress is not None:
            progress(0.9 * (index + 1) / len(pages))
    drawing.save()
    return buffer.getvalue()


def _seal(drawing, image, centre_x, centre_y, size=40 * mm):
    """The seal over the organizer's name and date, as a stamp is placed on paper."""
    image_width, image_height = image.getSize()
    scale = size / max(image_width, image_height)
    drawn_width, drawn_height = image_width * scale, image_height * scale
    drawing.drawImage(image, centre_x - drawn_width / 2, centre_y - drawn_height / 2,
                      drawn_width, drawn_height, mask="auto")


def _verification(drawing, page, x, y, size=30 * mm):
    """The QR code of the verification page, with the number and the address under it."""
    png = io.BytesIO()
    segno.make(page.verify_url, error="m").save(png, kind="png", scale=8, border=2)
    png.seek(0)
    drawing.drawImage(ImageReader(png), x, y + 8 * mm, size, size)
    drawing.saveState()
    drawing.setFont(cjk_font(), 9)
    drawing.drawString(x, y + 4 * mm, _("Certificate No. %(number)s", number=page.number))
    drawing.setFont(cjk_font(), 7)
    drawing.setFillColor(colors.grey)
    drawing.drawString(x, y, page.verify_url)
    drawing.restoreState()


def _title(drawing, text, centre, baseline, spaced):
    size, spacing = 46, (12 if spaced else 0)
    line_width = pdfmetrics.stringWidth(text, cjk_font(), size) + spacing * (len(text) - 1)
    drawing.saveState()  # the character spacing must not leak into the body text
    title = drawing.beginText(centre - line_width / 2, baseline)
    title.setFont(cjk_font(), size)
    title.setCharSpace(spacing)
    title.setFillColor(RED)
    title.textLine(text)
    drawing.drawText(title)
    drawing.restoreState()


def _body(drawing, paragraphs, x, top, width, bottom):
    """Draw the paragraphs from `top` down, in the largest size (22 pt down) that fits."""
    for size in (22, 20, 18, 16, 14, 12, 10):
        style = _style(f"body{size}", size, leading=size * 1.7)
        indented = ParagraphStyle(f"indented{size}", parent=style, firstLineIndent=2 * size)
        flowables = [Paragraph(text, indented if indent else style)
                     for text, indent in paragraphs]
        heights = [flowable.wrap(width, top - bottom)[1] for flowable in flowables]
        if sum(heights) + size * (len(flowables) - 1) <= top - bottom:
            break
    y = top
    for flowable, used in zip(flowables, heights):
        y -= used
        flowable.drawOn(drawing, x, y)
        y -= size * 0.6


def _frame(drawing, width, height):
    drawing.saveState()
    drawing.setStrokeColor(RED)
    drawing.setLineWidth(4)
    drawing.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    drawing.setStrokeColor(GOLD)
    drawing.setLineWidth(1.2)
    drawing.rect(17 * mm, 17 * mm, width - 34 * mm, height - 34 * mm)
    drawing.restoreState()
