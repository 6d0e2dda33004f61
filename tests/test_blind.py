"""Blind judging: in a blind contest a judge never gets the applicant's identity, whatever page,
download, email or error message they reach. Every GET route of the app is requested with its
parameters filled in for this judge's objects, so a new page is checked without being listed."""
import io
import zipfile

import pytest
from pypdf import PdfReader
from werkzeug.routing.converters import IntegerConverter

from portal.extensions import db
from portal.judging.reminders import send_judge_reminders
from portal.models import Award, Conflict, ConflictKind, JudgeMembership
from tests.factories import pdf_file, email_text, get_urls, make_chair, make_contest, make_judge, \
    make_proposal, \
    make_user

PDF = pdf_file()
IDENTITY = {
    "display_name": "葛隐名申报人",
    "email": "ge.secret@lingxi-hidden.cn",
    "organization": "灵犀隐秘公益发展中心",
    "contact_name": "欧阳密联",
    "phone": "13766554433",
    "proposal_contact_name": "司马藏名",
    "proposal_contact_phone": "13799887766",
    "proposal_contact_email": "sima.hidden@lingxi-hidden.cn",
    "team_member": "诸葛不露",
    "team_member_2": "上官匿影",
    "email_domain": "lingxi-hidden",
}


def leaks(text):
    """The identity strings found in a text (case-insensitive for the Latin ones)."""
    lowered = text.lower()
    return sorted(name for name, value in IDENTITY.items() if value.lower() in lowered)


@pytest.fixture
def blind(client, auth, app_context, organizer):
    """A blind contest, an applicant with distinctive identity strings and an attachment named
    after the organization, and a judge assigned to the proposal who saved a draft."""
    contest = make_contest(blind=True)
    applicant = make_user(IDENTITY["email"], name=IDENTITY["display_name"],
                          organization=IDENTITY["organization"])
    applicant.contact_name = IDENTITY["contact_name"]
    applicant.phone = IDENTITY["phone"]
    db.session.commit()
    proposal = make_proposal(
        contest, applicant, title="社区长者助餐计划",
        team=f"负责人{IDENTITY['team_member']}，成员{IDENTITY['team_member_2']}",
        contact_name=IDENTITY["proposal_contact_name"],
        contact_phone=IDENTITY["proposal_contact_phone"],
        contact_email=IDENTITY["proposal_contact_email"])
    auth.login(applicant)
    client.post(f"/proposals/{proposal.id}/attachments", content_type="multipart/form-data",
                data={"file": (io.BytesIO(PDF), f"{IDENTITY['organization']}-计划书.pdf")})
    db.session.refresh(proposal)
    assert IDENTITY["organization"] in proposal.attachments[0].original_name
    judge = make_judge(contest, "blind.judge@example.org", name="盲评专家")
    auth.login(organizer)
    client.post(f"/admin/proposals/{proposal.id}", data={"judge_ids": [judge.id]})
    auth.login(judge)
    return contest, proposal, judge


def judge_objects(contest, proposal, judge):
    from portal.models import Assignment, Invitation
    assignment = db.session.scalar(db.select(Assignment).filter_by(judge_id=judge.id))
    db.session.add(Conflict(contest_id=contest.id, judge_id=judge.id, organization="某基金会",
                            kind=ConflictKind.DECLARED_ORGANIZATION))
    db.session.commit()
    return {
        "slug": contest.slug, "assignment_id": assignment.id, "proposal_id": proposal.id,
        "attachment_id": proposal.attachments[0].id, "round_id": contest.rounds[0].id,
        "membership_id": db.session.scalar(db.select(JudgeMembership.id).filter_by(
            user_id=judge.id)),
        "conflict_id": db.session.scalar(db.select(Conflict.id)),
        "invitation_id": db.session.scalar(db.select(Invitation.id)),
        "user_id": proposal.applicant_id, "token": "not-a-valid-token",
    }


def any_known_value(values):
    """For `get_urls`: an unknown integer parameter gets each known id, any other the slug."""
    ids = sorted({value for value in values.values() if isinstance(value, int)})
    return lambda converter: ids if isinstance(converter, IntegerConverter) else [values["slug"]]


def test_a_judge_of_a_blind_contest_never_sees_the_applicants_identity(
        client, web_app, auth, blind, outbox):
    contest, proposal, judge = blind
    values = judge_objects(contest, proposal, judge)
    assignment_url = f"/judge/assignments/{values['assignment_id']}"
    urls = get_urls(web_app, values, any_known_value(values)) + [
        assignment_url + "?read=1", "/judge?unscored=1", "/judge?theme=elderly_care",
        "/judge/assignments/999999", f"/attachments/{values['attachment_id']}"]
    assert assignment_url in urls and f"/judge/contests/{contest.slug}/conflicts" in urls
    found = {}
    reached = []
    for url in urls:
        response = client.get(url, headers={"Accept-Language": "en"})
        body = response.get_data()
        text = body.decode("utf-8", errors="ignore") + str(response.headers)
        if response.status_code == 200:
            reached.append(url)
        if leaks(text):
            found[url] = leaks(text)
    assert assignment_url + "?read=1" in reached
    assert f"/attachments/{values['attachment_id']}" in reached
    # What the judge sends: a draft, a refused score (an error message), a submitted review.
    criteria = contest.criteria
    for data in ({"criterion_%d" % criteria[0].id: "8", "save": "1", "comment": "草稿"},
                 {"criterion_%d" % criteria[0].id: "11", "submit_review": "1"},
                 {**{"criterion_%d" % c.id: "7" for c in criteria}, "submit_review": "1"}):
        response = client.post(assignment_url, data=data, follow_redirects=True)
        if leaks(response.get_data(as_text=True)):
            found[f"POST {assignment_url} {sorted(data)}"] = leaks(response.get_data(True))
    # The judge's own data export.
    export = client.post("/account/data")
    if export.status_code == 200:
        with zipfile.ZipFile(io.BytesIO(export.get_data())) as archive:
            for name in archive.namelist():
                content = name + archive.read(name).decode("utf-8", errors="ignore")
                if leaks(content):
                    found[f"/account/data:{name}"] = leaks(content)
    # Every email the judge received (the reminder has its own test below: the review above
    # is submitted, so nothing is pending any more).
    messages = [m for m in outbox() if m["To"] == judge.email]
    assert messages
    for message in messages:
        content = str(message["Subject"]) + email_text(message) + \
            message.get_body(("html",)).get_content()
        if leaks(content):
            found[f"email {message['Subject']}"] = leaks(content)
    assert not found, f"the applicant's identity reached the judge: {found}"


def test_the_reminder_email_of_a_blind_contest_names_no_applicant(client, auth, blind, outbox):
    contest, _proposal, judge = blind
    assert send_judge_reminders(None, contest)[0] == 1
    db.session.commit()
    (reminder,) = [m for m in outbox() if m["To"] == judge.email
                   and "/invitations/" not in email_text(m)]
    text = email_text(reminder) + reminder.get_body(("html",)).get_content()
    assert "社区长者助餐计划" in text and not leaks(text)


def test_organizers_see_the_identity_and_the_scan_would_catch_it(client, auth, blind,
                                                                organizer):
    contest, proposal, judge = blind
    auth.login(organizer)
    page = client.get(f"/admin/proposals/{proposal.id}").get_data(as_text=True)
    assert {"organization", "display_name", "team_member", "proposal_contact_phone"} <= \
        set(leaks(page))
    contest.blind = False
    db.session.commit()
    auth.login(judge)
    assignment_id = judge_objects(contest, proposal, judge)["assignment_id"]
    page = client.get(f"/judge/assignments/{assignment_id}?read=1").get_data(as_text=True)
    assert "organization" in leaks(page)


def test_a_chair_of_another_theme_never_sees_the_proposal_nor_its_applicant(
        client, web_app, auth, blind, organizer):
    """The sweep above, run as the chair of another theme (主题负责人): every GET route with
    the proposal's own ids, the organizer lists asked for its theme and its applicant, and
    the proposal's attachment. Neither the applicant's identity nor the proposal's title may
    show; the chair's own theme's pages must open."""
    contest, proposal, judge = blind
    values = judge_objects(contest, proposal, judge)
    own_theme = contest.themes[1]
    assert proposal.theme_id != own_theme.id
    chair = make_chair(contest, "other.chair@example.org", themes=[own_theme.code])
    make_proposal(contest, make_user("own.theme@example.org", organization="本主题协会"),
                  title="本主题的项目", theme_index=1)
    # The proposal is awarded, and its judge has a conflict with it: the award list, the
    # certificates and the conflicts page would show it to whoever may see its theme.
    db.session.add(Award(contest_id=contest.id, proposal_id=proposal.id,
                         tier_id=contest.award_tiers[0].id))
    db.session.add(Conflict(contest_id=contest.id, judge_id=judge.id, proposal_id=proposal.id,
                            kind=ConflictKind.DECLARED_PROPOSAL, reason="亲属"))
    db.session.commit()
    auth.login(chair)
    theme_code = proposal.theme.code
    slug = contest.slug
    lists = [f"/admin/contests/{slug}/proposals?{query}" for query in (
        # The searches are parts of the strings looked for: the search box shows what was typed.
        "", f"theme={theme_code}", "q=灵犀隐秘", "q=社区长者",
        "status=submitted", "sort=organization")]
    ranking = f"/admin/contests/{slug}/ranking"
    # The chair's other pages (tests/test_chair_pages.py), with the arguments that make them
    # show a plan, a theme, a conflict, a template or a print.
    theme_pages = [
        f"/admin/contests/{slug}/{path}" for path in (
            "dashboard", "judges", "rounds", "conflicts", "ranking/judges",
            f"rounds/{values['round_id']}/assign?k=1",
            f"judges/{values['membership_id']}/proposals?theme={theme_code}",
            f"conflicts/remove?proposal={proposal.id}&judge={judge.id}",
            "score-import", "score-import/template.xlsx?round=first",
            "exports/award-list.pdf")]
    urls = get_urls(web_app, values, any_known_value(values)) + lists + theme_pages + [
        ranking, f"{ranking}?theme={theme_code}",
        f"/attachments/{values['attachment_id']}", f"/admin/proposals/{proposal.id}"]
    found, reached = {}, set()
    for url in urls:
        response = client.get(url, headers={"Accept-Language": "en"})
        text = readable(response) + str(response.headers)
        if response.status_code == 200:
            reached.add(url)
        shown = leaks(text) + (["title"] if "社区长者助餐计划" in text else [])
        if shown:
            found[url] = shown
    assert lists[0] in reached and ranking in reached
    assert set(theme_pages) - reached == {theme_pages[7]}   # the conflict's: not found
    assert "本主题的项目" in client.get(lists[0]).get_data(as_text=True)
    assert f"/admin/proposals/{proposal.id}" not in reached
    assert not found, f"another theme's proposal reached the chair: {found}"
    # The same list shows the proposal to an organizer: the sweep would see a leak.
    auth.login(organizer)
    assert "organization" in leaks(client.get(lists[0]).get_data(as_text=True))
    for url in (theme_pages[3], theme_pages[9], theme_pages[10]):
        assert "社区长者助餐计划" in readable(client.get(url)) or proposal.reference in \
            readable(client.get(url)), url


def readable(response):
    """The text of a response: a PDF's extracted text, a workbook's XML, else the body."""
    data = response.get_data()
    if data.startswith(b"%PDF"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8", errors="ignore")
                           for name in archive.namelist())
    return data.decode("utf-8", errors="ignore")
