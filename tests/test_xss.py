"""Stored (and reflected) XSS: script payloads go into every text field and name a person can
write (profile, proposal fields, budget lines, attachment file name, contest texts and parts,
judges' comments and feedback, objections and answers, announcements, site settings, reasons),
then every page each role can open, every export and every email is read back: no injected
element, event handler or javascript: link, no template expression evaluated, and no cell a
spreadsheet would run as a formula."""
import csv
import io
import re
import zipfile
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode

import openpyxl
import pytest

from portal.awards import publishing
from portal.console import announcements as dashboard
from portal.extensions import db
from portal.judging.services import save_review
from portal.models import Assignment, Attachment, Award, AwardTier, BudgetLine, Conflict, \
    Contest, Criterion, EntrantType, Invitation, Objection, Proposal, ProposalEvent, Round, \
    SiteSettings, Theme, User, utcnow
from tests.factories import Auth, email_text, get_urls
from tests.test_access_matrix import world_values
from tests.test_results import build_contest

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "</textarea><script>alert(1)</script>",
    "<img src=x onerror=alert(1)//",
    "[link](javascript:alert(1))",
    "zq{{7*7}}qz",
    "zq${7*7}qz",
    "zq{% if 1 %}jinja{% endif %}qz",
]
EVALUATED = ("zq49qz", "jinjaqz")
# Fitting the columns' lengths; each starts like a spreadsheet formula.
SHORT = '+1"><img src=x onerror=alert(1)><svg onload=alert(1)>zq{{7*7}}qz'          # <= 100
MEDIUM = '=HYPERLINK("//x.example","x")"><script>alert(1)</script><svg onload=alert(1)>' \
         'zq{{7*7}}qz'                                                              # <= 200
LONG = "@SUM(1+1) " + " ".join(PAYLOADS)
FORMULA_START = ("=", "+", "-", "@")
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
SITE_SCRIPTS = ("/static/",)
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster",
                  "background"}
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "svg"}
CHART_ATTRIBUTES = {"class", "viewbox", "width", "role", "aria-labelledby"}
QUERY = {"q": SHORT, "theme": SHORT, "status": SHORT, "sort": SHORT, "next": SHORT,
         "reference": SHORT, "round": SHORT, "page": SHORT}
EN = {"Accept-Language": "en"}

assert len(SHORT) <= 100 and len(MEDIUM) <= 200


class InjectionFinder(HTMLParser):
    """Collects what a browser would run: inline or foreign scripts, event handlers,
    javascript: URLs, and tags the site never uses itself."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith(SITE_SCRIPTS):
            self.found.append(f"<script {attributes}>")
        if tag in FORBIDDEN_TAGS and not _server_chart(tag, attrs):
            self.found.append(f"<{tag}>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.found.append("<meta http-equiv=refresh>")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            compact = "".join((value or "").split()).lower()
            if name.lower() in URL_ATTRIBUTES and compact.startswith(("javascript:", "vbscript:",
                                                                      "data:text/html")):
                self.found.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag


def _server_chart(tag, attrs):
    """The charts the server draws (templates/results/_*_chart.svg): an <svg> of the fixed class
    "chart" with exactly the attributes those templates write. A payload's <svg> has other
    attributes, and event handlers inside a chart are still caught below."""
    return tag == "svg" and dict(attrs).get("class") == "chart" \
        and {name for name, _ in attrs} == CHART_ATTRIBUTES


def injections(html):
    finder = InjectionFinder()
    finder.feed(html)
    finder.close()
    return finder.found + [f"evaluated {marker}" for marker in EVALUATED if marker in html]


def formula_cells(rows):
    """Text cells a spreadsheet would run as a formula."""
    return [cell for row in rows for cell in row
            if isinstance(cell, str) and cell.startswith(FORMULA_START)
            and not _is_number(cell)]


def _is_number(text):
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


# --- The world, with a payload in every text ---------------------------------------------------

def poison(values, users):
    """Put the payloads everywhere a person can write, through the services where they exist
    (reviews, objections, answers, announcements), directly elsewhere."""
    contest = db.session.scalar(db.select(Contest).filter_by(slug=values["slug"]))
    organizer = users["organizer"]
    judge = users["judge_assigned"]
    for assignment in db.session.scalars(db.select(Assignment).filter_by(judge_id=judge.id)):
        save_review(judge, assignment, {c.id: Decimal("8") for c in contest.criteria}, LONG,
                    submit=True, feedback=LONG)
    for user in db.session.scalars(db.select(User)):
        user.display_name, user.contact_name, user.organization = SHORT, SHORT, MEDIUM
    for name in ("name_zh", "name_en", "organizer_zh", "organizer_en", "contact"):
        setattr(contest, name, MEDIUM)
    for name in ("description_zh", "description_en", "rules_zh", "rules_en", "faq_zh",
                 "faq_en"):
        setattr(contest, name, LONG)
    contest.show_feedback_to_applicants = True
    for model in (Theme, EntrantType, Round, AwardTier, Criterion):
        for part in db.session.scalars(db.select(model).filter_by(contest_id=contest.id)):
            part.name_zh = part.name_en = SHORT
            for name in ("description_zh", "description_en", "rubric_zh", "rubric_en"):
                if hasattr(part, name):
                    setattr(part, name, LONG)
    for proposal in db.session.scalars(db.select(Proposal)):
        proposal.title, proposal.organization = MEDIUM, MEDIUM
        for name in ("summary", "need", "beneficiaries", "plan", "outcomes", "innovation",
                     "team", "sustainability", "status_note"):
            setattr(proposal, name, LONG)
        proposal.contact_name = SHORT
    for line in db.session.scalars(db.select(BudgetLine)):
        line.item, line.note = MEDIUM, LONG
    for attachment in db.session.scalars(db.select(Attachment)):
        attachment.original_name = MEDIUM + ".pdf"
    for event in db.session.scalars(db.select(ProposalEvent)):
        event.note = LONG
    for conflict in db.session.scalars(db.select(Conflict)):
        conflict.reason = LONG
        if conflict.organization:
            conflict.organization = MEDIUM
    for invitation in db.session.scalars(db.select(Invitation)):
        invitation.display_name, invitation.organization = SHORT, MEDIUM
    for award in db.session.scalars(db.select(Award)):
        award.override_reason = LONG
    db.session.add(SiteSettings(id=1, version=1, site_name_zh=SHORT, site_name_en=SHORT,
                                footer_text=LONG, icp_number=SHORT, contact=MEDIUM))
    db.session.flush()
    publication = publishing.publication_of(contest)
    publication.snapshot = publishing.build_snapshot(
        contest, db.session.scalars(db.select(Award).filter_by(contest_id=contest.id)).all())
    objection = db.session.get(Objection, values["objection_id"])
    objection.name, objection.text = SHORT, LONG
    publishing.file_objection(contest, SHORT, "watcher2@example.org", LONG)
    publishing.answer_objection(organizer, contest, objection, LONG)
    for audience in (dashboard.ALL_APPLICANTS, dashboard.ALL_JUDGES):
        dashboard.send_announcement(organizer, dashboard.Announcement(contest, audience, MEDIUM,
                                                                      LONG))
    db.session.commit()
    return contest


@pytest.fixture
def poisoned(web_app, app_context):
    client = web_app.test_client()
    values, users = world_values()
    contest = poison(values, users)
    return client, values, users, contest


def _pages(client, urls):
    """(url, response) for each URL, and again with payloads in the usual query parameters."""
    for url in urls:
        yield url, client.get(url, headers=EN)
        reflected = url + ("&" if "?" in url else "?") + urlencode(QUERY)
        yield reflected, client.get(reflected, headers=EN)


ROLES = ("anonymous", "owner", "judge_assigned", "organizer")


@pytest.mark.parametrize("role", ROLES)
def test_no_payload_runs_on_any_page(web_app, poisoned, role):
    client, values, users, contest = poisoned
    if users[role] is not None:
        Auth(client).login(users[role])
    urls = get_urls(web_app, values)
    assignment = f"/judge/assignments/{values['assignment_id']}"
    urls += [assignment + "?read=1", "/judge?unscored=1", f"/contests/{contest.slug}/results"]
    found, shown = {}, 0
    for url, response in _pages(client, urls):
        assert response.status_code < 500, url
        if response.mimetype != "text/html":
            continue
        page = response.get_data(as_text=True)
        shown += page.count(ESCAPED_SCRIPT)
        if injections(page):
            found[url] = injections(page)
    assert not found, found
    assert shown, "no page showed a payload: the sweep would prove nothing"


def test_the_payloads_reach_the_pages_that_show_them(client, poisoned):
    """The sweep is not vacuous: each role's main pages show the payloads, escaped."""
    client, values, users, contest = poisoned
    pages = {
        None: [f"/contests/{contest.slug}", f"/contests/{contest.slug}/results"],
        "owner": [f"/proposals/{values['proposal_id']}", "/profile", "/my/proposals"],
        "judge_assigned": [f"/judge/assignments/{values['assignment_id']}?read=1", "/judge"],
        "organizer": [f"/admin/proposals/{values['proposal_id']}",
                      f"/admin/contests/{contest.slug}/proposals",
                      f"/admin/contests/{contest.slug}/publication",
                      f"/admin/contests/{contest.slug}/announcements",
                      f"/admin/contests/{contest.slug}/conflicts",
                      f"/admin/contests/{contest.slug}/judges"],
    }
    for role, urls in pages.items():
        if role:
            Auth(client).login(users[role])
        for url in urls:
            page = client.get(url, headers=EN).get_data(as_text=True)
            assert "&lt;svg onload=alert(1)&gt;" in page or ESCAPED_SCRIPT in page, url


def test_feedback_and_final_results_stay_inert(client, poisoned):
    client, values, users, contest = poisoned
    publication = publishing.publication_of(contest)
    publication.objections_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    publishing.finalize(users["organizer"], contest, confirm_unanswered=True)
    db.session.commit()
    Auth(client).login(users["owner"])
    page = client.get(f"/proposals/{values['proposal_id']}", headers=EN).get_data(as_text=True)
    assert ESCAPED_SCRIPT in page and not injections(page)
    auth_page = client.get(f"/contests/{contest.slug}/results").get_data(as_text=True)
    assert not injections(auth_page)


def _csv_rows(data):
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_exports_show_the_payloads_as_text(client, poisoned):
    client, values, users, contest = poisoned
    Auth(client).login(users["organizer"])
    base = f"/admin/contests/{contest.slug}"
    options = {"round": contest.rounds[0].code, "judge_names": "y", "comments": "y"}
    ranking = client.get(f"{base}/exports/download?format=csv")
    assert ranking.status_code == 200
    rows = _csv_rows(ranking.get_data())
    assert any(MEDIUM in "".join(row) for row in rows) and not formula_cells(rows)

    csv_export = client.get(f"{base}/exports/download", query_string={**options, "format": "csv"})
    assert csv_export.status_code == 200
    rows = _csv_rows(csv_export.get_data())
    assert any("<script>alert(1)</script>" in cell for row in rows for cell in row)
    assert not formula_cells(rows)

    archive = client.get(f"{base}/exports/download", query_string={**options, "format": "zip"})
    with zipfile.ZipFile(io.BytesIO(archive.get_data())) as files:
        for name in files.namelist():
            assert not formula_cells(_csv_rows(files.read(name))), name

    workbook = client.get(f"{base}/exports/download", query_string={**options, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(workbook.get_data()))
    texts = []
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                texts.append(cell.value)
                if formula_cells([[cell.value]]):   # text as typed, in a cell that stays text
                    assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate
    assert LONG in texts and formula_cells([texts])

    template = client.get(f"{base}/score-import/template.xlsx",
                          query_string={"round": contest.rounds[0].code})
    book = openpyxl.load_workbook(io.BytesIO(template.get_data()))
    assert all(cell.data_type != "f" for sheet in book.worksheets for line in sheet.iter_rows()
               for cell in line)


def test_emails_stay_inert(client, poisoned, outbox):
    messages = outbox()
    assert messages
    for message in messages:
        html = message.get_body(("html",))
        if html is not None:
            assert not injections(html.get_content()), message["Subject"]
        text = email_text(message)
        assert not any(marker in text for marker in EVALUATED), message["Subject"]


FILE_NAME = "../../<svg onload=alert(1)><script>alert(1)</script>zq{{7*7}}qz.pdf"


def test_a_payload_as_an_uploaded_file_name_is_cleaned_and_escaped(client, poisoned):
    client, values, users, contest = poisoned
    Auth(client).login(users["owner"])
    draft_id = values["proposal_id"]
    response = client.post(f"/proposals/{draft_id}/attachments",
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), FILE_NAME)})
    assert response.status_code == 302
    page = client.get(f"/proposals/{draft_id}", headers=EN).get_data(as_text=True)
    assert not injections(page)
    newest = max(db.session.scalars(db.select(Attachment)), key=lambda a: a.id)
    assert newest.id != values["attachment_id"]
    assert "/" not in newest.original_name and newest.original_name.endswith(".pdf")
    download = client.get(f"/attachments/{newest.id}")
    disposition = download.headers["Content-Disposition"]
    # A download, never shown inline; the name cannot break out of its header.
    assert disposition.startswith("attachment;") and not {"\r", "\n"} & set(disposition)
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_lazy_messages_with_names_stay_text(app_context):
    """Flask-Babel's lazy strings claim to be safe HTML; the portal's are text, in templates
    and in flashed messages (stored in the session as Markup)."""
    from flask.json.tag import TaggedJSONSerializer
    from markupsafe import escape

    from portal.i18n import lazy_gettext

    message = lazy_gettext("%(judge)s is not an active judge of this contest.", judge=SHORT)
    assert "<img" not in escape(message) and "&lt;img" in escape(message)
    serializer = TaggedJSONSerializer()
    flashed = serializer.loads(serializer.dumps({"message": message}))["message"]
    assert "<img" not in escape(flashed)


def test_the_charts_are_the_only_svg_and_keep_names_as_text(client, auth, contest, organizer):
    """The ranked list and the judge statistics draw charts as inline <svg>; the judges' names
    they show stay text, and an <svg> that is not such a chart is still caught."""
    build_contest(contest, organizer)
    for judge in db.session.scalars(db.select(User).filter(User.email.like("j%@example.org"))):
        judge.display_name = SHORT
    db.session.commit()
    auth.login(organizer)
    for url in (f"/admin/contests/{contest.slug}/ranking",
                f"/admin/contests/{contest.slug}/ranking/judges"):
        page = client.get(url, headers=EN).get_data(as_text=True)
        assert '<svg class="chart"' in page, url
        assert injections(page) == [], url
    chart = page[page.index("<svg"):page.index("</svg>")]
    assert "&lt;img src" in chart and "<img" not in chart   # the name, as text, in the chart
    assert injections('<svg class="chart" onload="alert(1)">') != []
    assert injections('<svg class="chart" viewBox="0 0 1 1" width="1" role="img" '
                      'aria-labelledby="t" onload="alert(1)">') != []
    assert injections("<svg onload=alert(1)>") != []


def test_the_library_lazy_string_is_left_as_it_is(app_context):
    """The escaping is the portal's subclass, not a change made to Flask-Babel's class."""
    from flask_babel import lazy_gettext as library_lazy_gettext
    from markupsafe import escape

    assert "<img" in escape(library_lazy_gettext("%(judge)s", judge=SHORT))


def test_every_lazy_message_is_the_portal_s(repo_root):
    """Flask-Babel's own lazy_gettext and LazyString make unescaped HTML: only portal.i18n
    may import them."""
    bypassing = [str(path.relative_to(repo_root)) for path in (repo_root / "portal").rglob("*.py")
                 if path.name != "i18n.py" and re.search(
                     r"from flask_babel(\.speaklater)? import[^\n]*(lazy_|LazyString)",
                     path.read_text(encoding="utf-8"))]
    assert bypassing == []
