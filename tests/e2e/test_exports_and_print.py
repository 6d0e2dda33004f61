"""The exports page and printing in the browser: each download button sends its request every
time it is clicked, with no reload in between, while forms that change data still refuse a second
send; the ranked list printed to PDF keeps its table."""
import io
import re
import unicodedata

import pytest
from pypdf import PdfReader

from tests.e2e.checks import DESKTOP, logged_in_page, printed
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
    """Every column header and every row of the list's first page is in the PDF's text."""
    page = organizer_page
    page.goto(shared_portal.url(f"/admin/contests/{CONTEST_SLUG}/ranking"))
    table = page.locator("main table#ranked-list")
    headers = [text for text in table.locator("thead th:not(.no-print)").all_inner_texts()
               if text.strip()]
    rows = table.locator("tbody tr")
    cells = [text for text in table.locator("tbody td:not(.no-print)").all_inner_texts()
             if text.strip()]
    assert len(headers) == 5 and rows.count() >= 1 and cells
    # Controls that do not print: the CSV button and the folded settings.
    controls = [page.locator("main a.btn[href*='format=csv']").inner_text(),
                page.locator("main details:has(form) summary").last.inner_text()]
    pdf = PdfReader(io.BytesIO(printed(page)))
    first_sheet = squeezed(pdf.pages[0].extract_text())
    for text in headers + cells:
        assert squeezed(text) in first_sheet, text
    for control in controls:
        assert squeezed(control) not in first_sheet, control


def test_the_meeting_pack_of_ticked_proposals_downloads_again_and_again(shared_portal,
                                                                         organizer_page, tmp_path):
    """The proposal table's pack buttons sit in its screening form: each click downloads the pack
    of exactly the ticked proposals, and the screening form stays armed for its own button."""
    page = organizer_page
    page.goto(shared_portal.url(f"/admin/contests/{CONTEST_SLUG}/proposals"))
    rows = page.locator("main tbody tr:has(input[name=proposal_ids])")
    references = [rows.nth(n).locator("td").nth(1).inner_text().strip()
                  for n in range(rows.count())]
    assert references
    ticked = references[:2]
    for n in range(len(ticked)):
        rows.nth(n).locator("input[name=proposal_ids]").check()
    for format_ in ("pdf", "zip", "pdf"):
        with page.expect_download() as started:
            page.locator(f"main button[formaction*='meeting-pack'][value={format_}]").click()
        file = started.value
        assert file.failure() is None
        file.save_as(tmp_path / format_)
    assert page.url.endswith("/proposals")
    text = squeezed("".join(p.extract_text() for p in PdfReader(tmp_path / "pdf").pages))
    assert all(reference in text for reference in ticked)
    assert not any(reference in text for reference in references[2:])
    assert page.locator("main form[action*='/screening']").evaluate(
        "form => form.dataset.sent || null") is None
