"""The contest's poster (A4 and phone size, PNG and PDF) and its share card for other apps: the
name, the organizer, a line of the description, the themes, the deadline and the QR code of the
contest's page, which is how a contest reaches WeChat.

`draw` takes plain text and returns a Pillow image; it knows nothing of Flask or the models.
"""
import functools
import io
import re
from pathlib import Path
from typing import NamedTuple

import segno
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = Path(__file__).resolve().parent.parent / "fonts" / "wqy-microhei.ttc"
RED, DARK, GREY, WHITE = (166, 27, 27), (33, 37, 41), (95, 99, 104), (255, 255, 255)
# name: (width, height) in pixels and the resolution the PDF is printed at.
SIZES = {
    "a4": ((1240, 1754), 150),      # A4 at 150 dpi
    "phone": ((1080, 1920), 300),   # a 9:16 phone screen, for a WeChat moment or chat
    "card": ((1200, 630), 72),      # the share card (og:image)
}
TAGLINE_CHARS = 90


class PosterText(NamedTuple):
    organizer: str
    title: str
    tagline: str
    themes: str
    deadline: str
    scan_hint: str
    url: str


def tagline(description):
    """The first paragraph of a Markdown description as plain text, cut to TAGLINE_CHARS."""
    first = next((part for part in re.split(r"\n\s*\n", description or "") if part.strip()), "")
    text = re.sub(r"[#*_>`\[\]]|\(https?://[^)]*\)", "", first)
    text = " ".join(text.split())
    return text if len(text) <= TAGLINE_CHARS else text[:TAGLINE_CHARS - 1] + "…"


@functools.cache
def _font(size):
    return ImageFont.truetype(str(FONT_PATH), size, index=0)


def _wrap(text, font, width):
    """Lines no wider than `width`: Chinese breaks between any two characters, Latin words and
    numbers stay whole."""
    lines, line = [], ""
    for token in re.findall(r"[A-Za-z0-9@:/._%-]+|\s+|.", text):
        candidate = line + token
        if line and font.getlength(candidate) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line = candidate
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _paragraph(drawing, text, font, x, y, width, fill, max_lines=None):
    """Draw `text` wrapped from (x, y); returns the y below it."""
    lines = _wrap(text, font, width)
    if max_lines is not None and len(lines) > max_lines:
        if max_lines == 0:
            return y
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    step = int(font.size * 1.45)
    for line in lines:
        drawing.text((x, y), line, font=font, fill=fill)
        y += step
    return y


def _qr(url, size):
    png = io.BytesIO()
    segno.make(url, error="m").save(png, kind="png", scale=10, border=2)
    png.seek(0)
    return Image.open(png).convert("RGB").resize((size, size), Image.NEAREST)


def draw(text, size):
    """The poster (or card) of `size` (a key of SIZES) as an RGB image."""
    (width, height), _dpi = SIZES[size]
    image = Image.new("RGB", (width, height), WHITE)
    drawing = ImageDraw.Draw(image)
    unit = min(width, height) // 36
    margin = unit * 2
    band = unit * 4 if size == "card" else unit * 6
    drawing.rectangle((0, 0, width, band), fill=RED)
    drawing.text((margin, band // 2), text.organizer, font=_font(int(unit * 1.5)), fill=WHITE,
                 anchor="lm")
    if width > height:  # the card: text on the left, the QR code on the right
        qr_size = height - band - 2 * margin - unit * 2
        column = width - 3 * margin - qr_size
        y = _paragraph(drawing, text.title, _font(unit * 3), margin, band + margin, column, DARK,
                       max_lines=2)
        y = _paragraph(drawing, text.deadline, _font(int(unit * 1.6)), margin, y + unit, column,
                       RED)
        _paragraph(drawing, text.tagline, _font(int(unit * 1.3)), margin, y + unit, column, GREY,
                   max_lines=3)
        qr_x, qr_y = width - margin - qr_size, band + margin
        image.paste(_qr(text.url, qr_size), (qr_x, qr_y))
        drawing.text((qr_x + qr_size // 2, qr_y + qr_size + unit), text.scan_hint,
                     font=_font(unit), fill=GREY, anchor="mt")
        return image
    column = width - 2 * margin
    # The QR code and its captions take the lower part; the texts fill the upper part.
    qr_size = int(width * 0.36)
    qr_y = height - margin - unit * 5 - qr_size
    y = _paragraph(drawing, text.title, _font(int(unit * 2.6)), margin, band + margin * 2,
                   column, DARK, max_lines=3)
    y = _paragraph(drawing, text.deadline, _font(int(unit * 1.7)), margin, y + unit * 2, column,
                   RED)
    room = max(0, (qr_y - unit * 2 - y - unit * 2) // int(unit * 1.3 * 1.45))
    y = _paragraph(drawing, text.themes, _font(int(unit * 1.3)), margin, y + unit * 2, column,
                   DARK, max_lines=min(3, room))
    room = max(0, (qr_y - unit * 2 - y - unit * 2) // int(unit * 1.3 * 1.45))
    if room:
        _paragraph(drawing, text.tagline, _font(int(unit * 1.3)), margin, y + unit * 2, column,
                   GREY, max_lines=min(5, room))
    image.paste(_qr(text.url, qr_size), ((width - qr_size) // 2, qr_y))
    drawing.text((width // 2, qr_y + qr_size + unit), text.scan_hint,
                 font=_font(int(unit * 1.4)), fill=DARK, anchor="mt")
    drawing.text((width // 2, qr_y + qr_size + unit * 3), text.url, font=_font(unit),
                 fill=GREY, anchor="mt")
    return image


def save(image, size, fmt, out):
    """Write the image as PNG, or as a one-page PDF of the size's physical dimensions."""
    if fmt == "pdf":
        image.save(out, format="PDF", resolution=float(SIZES[size][1]))
    else:
        image.save(out, format="PNG", optimize=True)
