"""The exports page and printing in the browser: each download button sends its request every
time it is clicked, with no reload in between, while forms that change data still refuse a second
send; the ranked list printed to PDF keeps its table."""
import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from tests.e2e.checks import DESKTOP, logged_in_page
from tests.e2e.server import CONTEST_SLUG, ORGANIZER_EMAIL, ORGANIZER_PASSWORD

pytestmark = pytest.mark.e2e

# Reports, from the window (after the page's own listeners on the document), whether each
# submit event of the form was cancelled.
SUBMIT_TWICE = """(selector) => {
  const form = document.querySelector(selector);
  const cancelled = [];
  const record = (event) => { if (event.target === form) cancelled.push(event.defaultPrevented); };
  window.addEventListener("submit", record);
  form.requestSubmit();
  form.requestSubmit();
  window.removeEventListener("submit", record);
  return cancelled;
}"""


@pytest.fixture
def organizer_page(shared_portal, new_context):
    return logged_in_page(new_context("zh-CN", DESKTOP), shared_portal, ORGANIZER_EMAIL,
                          ORGANIZER_PASSWORD)


def download(page, format_):
    with page.expect_download() as started:
        page.locator(f"main button[name=format][value={format_}]").click()
    return started.value


def test_every_export_downloads_in_a_row_without_a_reload(shared_portal, organizer_page,
                                                          tmp_path):
    page = organizer_page
    page.goto(shared_portal.url(f"/admin/contests/{CONTEST_SLUG}/exports"))
    files = {}
    for format_ in ("xlsx", "csv", "zip", "xlsx"):   # the first one again, still no reload
        file = download(page, format_)
        assert file.failure() is None
        file.save_as(tmp_path / format_)
        files[format_] = (file.suggested_filename, (tmp_path / format_).read_bytes())
    assert files["xlsx"][0].endswith(".xlsx") and files["xlsx"][1].startswith(b"PK")
    assert files["zip"][0].endswith(".zip") and files["zip"][1].startswith(b"PK")
    assert files["csv"][0].endswith(".csv") and files["csv"][1].startswith(b"\xef\xbb\xbf")
    assert page.url.endswith("/exports")


def test_a_form_that_changes_data_is_still_sent_once(shared_portal, organizer_page):
    page = organizer_page
    page.goto(shared_portal.url(f"/admin/contests/{CONTEST_SLUG}/ranking"))
    settings = "main form[action$='/ranking/settings']"
    sent = []
    # The request is counted and dropped, so that the page stays to be asked about.
    page.route("**/ranking/settings", lambda route: (sent.append(route.request.method),
                                                     route.abort()))
    assert page.evaluate(SUBMIT_TWICE, settings) == [False, True]
    page.wait_for_timeout(500)
    assert sent == ["POST"]


# The system's CJK font draws some characters with the glyph of a look-alike radical, and the
# PDF's text then reads as that radical: Kangxi radicals (⽬ for 目) fold back under NFKC, these
# simplified ones (Unicode's EquivalentUnifiedIdeograph.txt) do not.
RADICALS = str.maketrans("⻄⻅⻆⻉⻋⻓⻔⻘⻚⻛⻜⻝⻢⻥⻦⻨⻩⻬⻮⻰⻳", "西见角贝车长门青页风飞食马鱼鸟麦黄齐齿龙龟")


def squeezed(text):
    """Text without its white space (a PDF breaks lines and cells where it likes), with the
    radicals folded back into the characters they stand for."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


def test_the_ranked_list_prints_with_its_table(shared_portal, organizer_page):
    page = organizer_page
    page.goto(shared_portal.url(f"/admin/contests/{CONTEST_SLUG}/ranking"))
    headers = [text for text in page.locator("main table thead th").all_inner_texts()
               if text.strip()]
    titles = page.locator("main table tbody tr td:nth-child(4)").all_inner_texts()
    assert len(headers) >= 9 and titles and all(title.strip() for title in titles)
    # Controls that do not print: the CSV button and the folded settings.
    controls = [page.locator("main a.btn[href*='format=csv']").inner_text(),
                page.locator("main details:has(form) summary").last.inner_text()]
    page.emulate_media(media="print")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4")))
    printed = squeezed("".join(sheet.extract_text() for sheet in pdf.pages))
    for text in headers + titles:
        assert squeezed(text) in printed, text
    for control in controls:
        assert squeezed(control) not in printed, control
