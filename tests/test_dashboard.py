"""The organizers' dashboard, announcements and audit log: who may open them, the numbers they
show, the emails they send and the history they list."""
import re
from html.parser import HTMLParser

import pytest
from markupsafe import escape

from portal.audit import record
from portal.extensions import db
from portal.models import AuditEvent, ProposalStatus, utcnow
from portal.proposals.services import withdraw_proposal
from tests.factories import assign, email_text, make_judge, make_proposal, make_user, review
from tests.test_query_bounds import grow

EN = {"Accept-Language": "en"}
PAGES = ["/admin/contests/{slug}/dashboard", "/admin/contests/{slug}/announcements",
         "/admin/contests/{slug}/audit", "/admin/proposals/{proposal}/audit"]


class TableReader(HTMLParser):
    """The page's tables that have an id, as lists of rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self._rows, self._cell = {}, None, None

    def handle_starttag(self, tag, attrs):
        table_id = dict(attrs).get("id")
        if tag == "table" and table_id:
            self._rows = self.tables.setdefault(table_id, [])
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("th", "td") and self._rows is not None:
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self._rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._rows = None


def tables_in(page):
    """table id -> {first cell: [the other cells]}, header row left out."""
    reader = TableReader()
    reader.feed(page)
    return {table_id: {row[0]: row[1:] for row in rows[1:]}
            for table_id, rows in reader.tables.items()}


@pytest.fixture
def pages(contest, applicant):
    """Every page of the feature, for a contest with one submitted proposal."""
    proposal = make_proposal(contest, applicant)
    return [page.format(slug=contest.slug, proposal=proposal.id) for page in PAGES]


@pytest.mark.parametrize("role, expected", [
    ("anonymous", 302), ("applicant", 403), ("judge", 403), ("organizer", 200)])
def test_only_organizers_open_the_pages(client, auth, pages, contest, applicant, organizer,
                                        role, expected):
    user = {"anonymous": lambda: None, "applicant": lambda: applicant,
            "organizer": lambda: organizer, "judge": lambda: make_judge(contest)}[role]()
    if user is not None:
        auth.login(user)
    for page in pages:
        response = client.get(page)
        assert response.status_code == expected, page
        assert expected != 302 or "/login" in response.location


def test_sending_needs_an_organizer(client, auth, contest, applicant):
    make_proposal(contest, applicant)
    auth.login(applicant)
    response = client.post(f"/admin/contests/{contest.slug}/announcements",
                           data={"subject": "x", "body": "y", "audience": "applicants",
                                 "send": "Send"})
    assert response.status_code == 403


def test_the_pages_obey_the_content_security_policy(client, auth, pages, organizer):
    auth.login(organizer)
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), f"inline script in {page}"
        assert not re.search(r"\sstyle=", html), f"style attribute in {page}"
        assert not re.search(r"\son[a-z]+=", html), f"event handler attribute in {page}"


def test_the_dashboard_counts_a_small_contest(client, auth, contest, organizer):
    elderly = make_proposal(contest, make_user("a@example.org"), theme_index=0)
    withdrawn = make_proposal(contest, make_user("b@example.org"), theme_index=0)
    education = make_proposal(contest, make_user("c@example.org", entrant_type="individual"),
                              theme_index=4)
    make_proposal(contest, make_user("d@example.org"), theme_index=4, submit=False)
    judge = make_judge(contest)
    first, _second, assigned_then_withdrawn = (
        assign(elderly, judge)[0], assign(education, judge)[0], assign(withdrawn, judge)[0])
    review(first, 7, 8, 9)
    withdraw_proposal(withdrawn.applicant, withdrawn)
    db.session.commit()
    assert assigned_then_withdrawn.proposal.status == "withdrawn"
    auth.login(organizer)

    page = client.get(f"/admin/contests/{contest.slug}/dashboard", headers=EN).get_data(True)

    assert "3 proposals submitted" in page
    tables = tables_in(page)
    assert tables["by-theme"]["Elderly care"] == ["2"]
    assert tables["by-theme"]["Education aid"] == ["1"]
    assert tables["by-theme"]["Orphan care"] == ["0"]
    assert tables["by-entrant-type"] == {"University student club": ["0"],
                                         "NGO / social organization": ["2"], "Individual": ["1"]}
    assert tables["by-status"] == {"Submitted": ["2"], "Returned for correction": ["0"],
                                   "Eligible": ["0"], "Ineligible": ["0"], "Withdrawn": ["1"],
                                   "Advanced": ["0"], "Awarded": ["0"]}
    # The withdrawn proposal's assignment cannot be reviewed any more, so it does not count.
    assert tables["judging"] == {"First round": ["2", "1", "50%"]}
    today = utcnow().astimezone(_shanghai()).date().isoformat()
    assert tables["by-day"][today] == ["3", "3"]
    deadline = contest.submission_deadline.astimezone(_shanghai()).date().isoformat()
    assert tables["by-day"][f"{deadline} Deadline"] == ["0", "3"]
    assert 'data-marker="Deadline"' in page


def test_judging_progress_counts_submitted_reviews_of_proposals_in_competition(
        client, auth, contest, organizer):
    judge, other = make_judge(contest), make_judge(contest, "other@example.org")
    eligible, draft_scored, ineligible = (
        make_proposal(contest, make_user(f"{name}@example.org")) for name in "abc")
    first, _second = assign(eligible, judge, other)
    review(first, 7, 8, 9)
    review(assign(draft_scored, judge)[0], 5, 5, 5, submit=False)
    review(assign(ineligible, judge)[0], 6, 6, 6)
    # Decided after the assignment (the screening pages refuse that; the data model does not).
    eligible.status, ineligible.status = ProposalStatus.ELIGIBLE, ProposalStatus.INELIGIBLE
    db.session.commit()
    auth.login(organizer)

    page = client.get(f"/admin/contests/{contest.slug}/dashboard", headers=EN).get_data(True)

    # A draft review is not done; an ineligible proposal's assignment is not judging work.
    assert tables_in(page)["judging"] == {"First round": ["3", "1", "33%"]}


def test_the_counts_are_read_once_per_change(client, auth, contest, organizer, count_queries):
    judge = make_judge(contest)
    proposal = make_proposal(contest, make_user("a@example.org"))
    (assignment,) = assign(proposal, judge)
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/dashboard"

    def view():
        with count_queries() as counted:
            page = client.get(url, headers=EN).get_data(True)
        return counted.total, tables_in(page)

    first, tables = view()
    assert tables["judging"] == {"First round": ["1", "0", "0%"]}
    again, _tables = view()
    assert again == first - 3  # the three GROUP BY queries

    review(assignment, 7, 8, 9)
    assert view()[1]["judging"] == {"First round": ["1", "1", "100%"]}
    make_proposal(contest, make_user("b@example.org"), theme_index=4)
    assert view()[1]["by-theme"]["Education aid"] == ["1"]
    withdraw_proposal(proposal.applicant, proposal)
    db.session.commit()
    tables = view()[1]
    assert tables["by-status"]["Withdrawn"] == ["1"]
    assert tables["judging"] == {"First round": ["0", "0", "—"]}


def _shanghai():
    from zoneinfo import ZoneInfo
    return ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("page", ["/admin/contests/{slug}/dashboard",
                                  "/admin/contests/{slug}/audit"])
def test_pages_send_a_bounded_number_of_queries(client, auth, contest, organizer, count_queries,
                                                page):
    judge = make_judge(contest)
    auth.login(organizer)

    def statements():
        with count_queries() as counted:
            assert client.get(page.format(slug=contest.slug)).status_code == 200
        return counted.total

    grow(contest, organizer, judge, 3, 0)
    with_three = statements()
    grow(contest, organizer, judge, 12, 3)
    assert statements() == with_three


# --- Announcements -----------------------------------------------------------------------------

@pytest.fixture
def applicants(contest):
    """Two applicants in two themes, one whose only proposal is a draft, and a judge."""
    elderly = make_user("elderly@example.org", name="Elderly Applicant")
    make_proposal(contest, elderly, theme_index=0)
    education = make_user("education@example.org", name="Education Applicant")
    make_proposal(contest, education, theme_index=4)
    make_proposal(contest, make_user("drafter@example.org"), theme_index=0, submit=False)
    judge = make_judge(contest, "judge@example.org")
    return {"elderly": elderly, "education": education, "judge": judge}


@pytest.fixture
def new_mail(outbox, applicants):
    """The messages sent after the applicants were set up (their submission receipts left out)."""
    already = len(outbox())
    return lambda: outbox()[already:]


def _announcement(audience="applicants", **changes):
    return {"subject": "Workshop on 12 May", "audience": audience,
            "body": "Dear all,\r\nthe workshop is at 9:00 in room 101.", **changes}


def _preview(client, contest, data):
    response = client.post(f"/admin/contests/{contest.slug}/announcements", headers=EN,
                           data={**data, "preview": "Preview"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    token = re.search(r'name="preview_token"[^>]*value="([^"]+)"', page)
    return page, token.group(1) if token else None


def _send(client, contest, data, token):
    return client.post(f"/admin/contests/{contest.slug}/announcements", headers=EN,
                       data={**data, "preview_token": token, "send": "Send"},
                       follow_redirects=True)


def test_a_preview_shows_the_message_and_the_recipients_and_sends_nothing(
        client, auth, contest, organizer, new_mail):
    auth.login(organizer)
    page, token = _preview(client, contest, _announcement())
    assert "2 people" in page and "Send to 2 people" in page
    assert "the workshop is at 9:00 in room 101." in page
    assert str(escape(contest.name_en)) in page
    assert token
    assert new_mail() == []
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="announcement.sent")) is None


def test_sending_emails_every_applicant_and_records_it(client, auth, contest, organizer,
                                                       new_mail):
    auth.login(organizer)
    data = _announcement()
    _page, token = _preview(client, contest, data)

    page = _send(client, contest, data, token).get_data(as_text=True)

    assert "The announcement was sent to 2 recipients." in page
    messages = new_mail()
    assert sorted(message["To"] for message in messages) == [
        "education@example.org", "elderly@example.org"]
    for message in messages:
        assert message["Subject"] == "Workshop on 12 May"
        text = email_text(message)
        assert "Dear all,\nthe workshop is at 9:00 in room 101." in text
        assert contest.name_zh in text  # the recipients chose no language: Chinese
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="announcement.sent"))
    assert event.actor_id == organizer.id and event.contest_id == contest.id
    assert event.detail == {"audience": "applicants", "recipients": 2,
                            "subject": "Workshop on 12 May"}
    assert "Workshop on 12 May" in page  # listed under the sent announcements


def test_a_theme_audience_gets_only_that_themes_applicants(client, auth, contest, organizer,
                                                           new_mail):
    auth.login(organizer)
    data = _announcement(audience="theme:education_aid")
    page, token = _preview(client, contest, data)
    assert "1 person" in page
    _send(client, contest, data, token)
    assert [message["To"] for message in new_mail()] == ["education@example.org"]


def test_the_judges_audience_gets_the_active_judges(client, auth, contest, organizer,
                                                    new_mail):
    auth.login(organizer)
    data = _announcement(audience="judges")
    _page, token = _preview(client, contest, data)
    _send(client, contest, data, token)
    assert [message["To"] for message in new_mail()] == ["judge@example.org"]


@pytest.mark.parametrize("token", [None, "forged", "changed text"])
def test_only_the_previewed_text_can_be_sent(client, auth, contest, organizer, new_mail,
                                             token):
    auth.login(organizer)
    if token == "changed text":
        _page, token = _preview(client, contest, _announcement(body="Another text"))
    page = _send(client, contest, _announcement(), token).get_data(as_text=True)
    assert "check this preview, then send" in page
    assert "Send to 2 people" in page  # a fresh preview of what was about to be sent
    assert new_mail() == []


def test_an_empty_audience_is_not_offered_a_send_button(client, auth, contest, organizer,
                                                        new_mail):
    auth.login(organizer)
    data = _announcement(audience="theme:orphan_care")
    page, token = _preview(client, contest, data)
    assert "0 people" in page and "there is no one to send it to" in page
    assert "Send to" not in page
    page = _send(client, contest, data, token).get_data(as_text=True)
    assert "Nobody is in this audience yet: nothing was sent." in page
    assert new_mail() == []
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="announcement.sent")) is None


def test_an_unknown_audience_is_refused(client, auth, contest, organizer, applicants):
    auth.login(organizer)
    page, token = _preview(client, contest, _announcement(audience="everyone"))
    assert token is None and "Not a valid choice" in page


# --- Audit log ---------------------------------------------------------------------------------

def detail_values(page, key):
    """The values shown for `key` in the audit details, top to bottom, as escaped HTML."""
    return re.findall(rf'{key}:</span> <span class="prose">([^<]*)<', page)


def test_the_audit_log_lists_events_with_escaped_details(client, auth, contest, applicant,
                                                         organizer):
    proposal = make_proposal(contest, applicant)
    record(organizer, "judge.invited", contest=contest, email="expert@example.org")
    record(None, "custom.action", contest=contest, target=proposal,
           note="<script>alert(1)</script>")
    db.session.commit()
    auth.login(organizer)

    page = client.get(f"/admin/contests/{contest.slug}/audit", headers=EN).get_data(True)

    assert "<script>alert(1)" not in page
    assert detail_values(page, "note") == ["&lt;script&gt;alert(1)&lt;/script&gt;"]
    assert "Judge invited" in page and "expert@example.org" in page and "organizer" in page
    assert "custom.action" in page and "system" in page  # unknown code as it is; no actor
    listing = page[page.index('<ul class="list-group'):]  # after the filter's kinds
    assert listing.index("custom.action") < listing.index("Judge invited")  # newest first
    assert f"/admin/proposals/{proposal.id}/audit" in page


def test_the_audit_log_is_paginated(client, auth, contest, organizer):
    for number in range(55):
        record(organizer, "round.closed", contest=contest, number=number)
    db.session.commit()
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/audit"

    first = client.get(url, headers=EN).get_data(as_text=True)
    second = client.get(f"{url}?page=2", headers=EN).get_data(as_text=True)

    assert "55 events" in first and "page 1 of 2" in first
    assert detail_values(first, "number") == [str(number) for number in range(54, 4, -1)]
    assert detail_values(second, "number") == ["4", "3", "2", "1", "0"]
    assert f"{url}?page=2" in first
    assert client.get(f"{url}?page=3").status_code == 404


def test_the_proposal_audit_page_shows_its_events_and_history(client, auth, contest, applicant,
                                                              organizer):
    proposal = make_proposal(contest, applicant)
    other = make_proposal(contest, make_user("other@example.org"), title="另一个项目")
    judge = make_judge(contest, name="钱评委")
    (assignment,) = assign(proposal, judge, actor=organizer)
    review(assignment, 8, 7, 6)
    record(organizer, "custom.about_other", contest=contest, proposal=other.id)
    db.session.commit()
    auth.login(organizer)

    page = client.get(f"/admin/proposals/{proposal.id}/audit", headers=EN).get_data(True)

    assert "Proposal assigned to a judge" in page and "Review submitted" in page
    assert "钱评委" in page  # the judge submitted the review
    assert "custom.about_other" not in page
    assert "Draft created" in page and "Draft → Submitted" in page
    assert f"By {applicant.display_name}" in page


def test_a_drafts_audit_page_is_hidden(client, auth, contest, applicant, organizer):
    draft = make_proposal(contest, applicant, submit=False)
    auth.login(organizer)
    assert client.get(f"/admin/proposals/{draft.id}/audit").status_code == 404
