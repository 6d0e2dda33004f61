"""Sharing a contest: og: meta for other apps, the share card, and the organizers' poster whose
QR code, read back from the picture or the rendered PDF, opens the contest's page."""
import io
import re

import pypdfium2
import pytest
import zxingcpp
from flask_babel import force_locale
from PIL import Image

from portal.contests import poster

ZH = {"Accept-Language": "zh-CN"}


def qr_text(image):
    (barcode,) = [found for found in zxingcpp.read_barcodes(image)
                  if found.format == zxingcpp.BarcodeFormat.QRCode]
    return barcode.text


def meta(page, prop):
    match = re.search(rf'<meta property="{prop}" content="([^"]*)">', page)
    return match.group(1) if match else None


def test_the_contest_page_has_a_share_card_for_other_apps(client, contest):
    page = client.get(f"/contests/{contest.slug}", headers=ZH).get_data(as_text=True)
    assert meta(page, "og:title") == contest.name_zh
    assert meta(page, "og:url") == f"http://localhost/contests/{contest.slug}"
    assert meta(page, "og:description") and len(meta(page, "og:description")) <= 91
    image_url = meta(page, "og:image")
    assert image_url == f"http://localhost/contests/{contest.slug}/share.png"
    response = client.get(image_url)
    assert response.status_code == 200 and response.mimetype == "image/png"
    card = Image.open(io.BytesIO(response.data))
    assert card.size == (1200, 630)
    assert qr_text(card) == f"http://localhost/contests/{contest.slug}"


def test_the_share_card_of_an_unknown_contest_is_not_found(client, contest):
    assert client.get("/contests/nothing-here/share.png").status_code == 404


@pytest.mark.parametrize("size, pixels", [("a4", (1240, 1754)), ("phone", (1080, 1920))])
def test_the_png_poster_carries_the_deadline_and_the_contest_url(client, auth, contest,
                                                                 organizer, size, pixels):
    auth.login(organizer)
    response = client.get(f"/admin/contests/{contest.slug}/exports/poster-{size}.png",
                          headers=ZH)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert f"{contest.slug}-poster-{size}.png" in response.headers["Content-Disposition"]
    picture = Image.open(io.BytesIO(response.data))
    assert picture.size == pixels
    assert qr_text(picture) == f"http://portal.test/contests/{contest.slug}"


@pytest.mark.parametrize("size, millimetres", [("a4", (210, 297)), ("phone", (91, 163))])
def test_the_pdf_poster_is_printable_and_its_qr_code_opens_the_contest(client, auth, contest,
                                                                      organizer, size,
                                                                      millimetres):
    auth.login(organizer)
    response = client.get(f"/admin/contests/{contest.slug}/exports/poster-{size}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    document = pypdfium2.PdfDocument(response.data)
    (page,) = list(document)
    width, height = page.get_size()
    assert [round(points / 72 * 25.4) for points in (width, height)] == list(millimetres)
    assert qr_text(page.render(scale=2).to_pil()) == f"http://portal.test/contests/{contest.slug}"


def test_only_known_poster_sizes_and_formats(client, auth, contest, organizer):
    auth.login(organizer)
    assert client.get(f"/admin/contests/{contest.slug}/exports/poster-a3.png").status_code == 404
    assert client.get(f"/admin/contests/{contest.slug}/exports/poster-a4.gif").status_code == 404


def test_the_poster_text_is_the_contests_in_the_language_of_the_page(app, contest):
    from portal.contests.services import poster_text
    with app.test_request_context(headers=ZH):
        text = poster_text(contest, "http://portal.test/c")
    assert text.title == contest.name_zh and text.organizer == "郑州慈善总会"
    assert text.deadline.startswith("申报截止：") and text.deadline.endswith("（北京时间）")
    assert "安老、抚孤" in text.themes and ": " not in text.themes
    with app.test_request_context(), force_locale("en"):
        english = poster_text(contest, "http://portal.test/c")
    assert "Elderly care, Orphan care" in english.themes


def test_a_long_chinese_title_wraps_within_the_poster():
    font = poster._font(40)
    lines = poster._wrap("郑州慈善总会第一届“志愿四方杯”慈善项目创投大赛 2014 edition", font, 400)
    assert len(lines) > 1 and all(font.getlength(line) <= 400 for line in lines)
    assert any("2014" in line for line in lines)  # a number is never split


def test_the_tagline_is_the_first_paragraph_as_plain_text():
    assert poster.tagline("**您有**好的点子吗？\n\n第二段") == "您有好的点子吗？"
    assert len(poster.tagline("字" * 200)) == poster.TAGLINE_CHARS
