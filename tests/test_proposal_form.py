"""The proposal form on a phone: autosave, the form kept through a lost session or an expired
CSRF token (and never for a forged post), the profile facts asked in the form, the marks."""
import re
import time
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.models import Proposal, ProposalStatus, utcnow
from portal.proposals.services import REQUIRED_FOR_SUBMISSION
from tests.conftest import make_test_app
from tests.factories import PASSWORD, close_submissions, make_proposal, make_user
from tests.test_proposals import form_data

ZH = {"Accept-Language": "zh-CN"}
TYPED = "我们在社区里招募了二十位大学生志愿者，每周两次陪伴空巢老人。"


@pytest.fixture
def signed_in(client, auth, applicant):
    auth.login(applicant)
    return applicant


def autosave_new(client, contest, **data):
    return client.post(f"/contests/{contest.slug}/proposals/autosave", data=data, headers=ZH)


def test_autosave_creates_the_draft_once_it_has_a_title_and_a_theme(client, contest, signed_in):
    answer = autosave_new(client, contest, summary=TYPED, form_token="t" * 24)
    assert answer.status_code == 200 and answer.json["saved"] is False
    assert db.session.scalar(db.select(Proposal)) is None

    before = utcnow()
    answer = autosave_new(client, contest, title="空巢老人陪伴", theme_id=contest.themes[0].id,
                          summary=TYPED, form_token="t" * 24)
    after = utcnow()
    assert answer.json["saved"] is True
    proposal = db.session.scalar(db.select(Proposal))
    assert proposal.summary == TYPED and proposal.status == ProposalStatus.DRAFT
    # 「已自动保存 14:32」 in Beijing time, whatever the server's clock zone.
    beijing = {(moment + timedelta(hours=8)).strftime("%H:%M") for moment in (before, after)}
    assert re.fullmatch(r"已自动保存 (\d\d:\d\d)", answer.json["status"]).group(1) in beijing
    assert answer.json["edit_url"] == f"/proposals/{proposal.id}/edit"
    assert answer.json["version"] == proposal.version

    # The same form again (its answer was lost): the same draft, not a second one.
    again = autosave_new(client, contest, title="空巢老人陪伴", theme_id=contest.themes[0].id,
                         summary=TYPED + "补充", form_token="t" * 24)
    assert again.json["saved"] is True
    assert db.session.scalar(db.select(db.func.count(Proposal.id))) == 1


def test_autosave_of_a_draft_saves_what_validates_and_the_profile_facts(client, contest,
                                                                      signed_in):
    proposal = make_proposal(contest, signed_in, submit=False)
    data = form_data(contest, proposal, need=TYPED, contact_phone="12345",
                     profile_entrant_type="student_club", profile_organization="郑大青协")
    answer = client.post(f"/proposals/{proposal.id}/autosave", data=data)
    assert answer.json["saved"] is True and answer.json["invalid"] == ["contact_phone"]
    db.session.refresh(proposal)
    db.session.refresh(signed_in)
    assert proposal.need == TYPED and proposal.version == answer.json["version"]
    assert proposal.contact_phone == "13912345678"   # the wrong number was not saved
    assert (signed_in.entrant_type_code, signed_in.organization) == ("student_club", "郑大青协")
    assert signed_in.phone == "13800138000"


def test_autosave_stops_at_the_deadline(client, contest, signed_in):
    proposal = make_proposal(contest, signed_in, submit=False)
    close_submissions(contest)
    answer = client.post(f"/proposals/{proposal.id}/autosave",
                         data=form_data(contest, proposal, need=TYPED), headers=ZH)
    assert answer.status_code == 409 and answer.json["closed"] is True
    assert "截止" in answer.json["message"]
    db.session.refresh(proposal)
    assert proposal.need != TYPED
    page = client.get(f"/proposals/{proposal.id}/edit", headers=ZH).get_data(as_text=True)
    # The form no longer opens (the deadline rule): the page says why and what is still possible.
    assert "data-autosave-url" not in page and "截止" in page
    assert "查看" in page   # what is still possible: a draft can still be read and printed


def test_an_autosave_without_a_session_saves_nothing(client, contest, applicant):
    proposal = make_proposal(contest, applicant, submit=False)
    answer = client.post(f"/proposals/{proposal.id}/autosave",
                         data=form_data(contest, proposal, need=TYPED))
    assert answer.status_code == 401 and answer.json["session_lost"] is True
    db.session.refresh(proposal)
    assert proposal.need != TYPED


def test_a_post_after_the_session_was_lost_gets_the_form_back_as_typed(client, contest,
                                                                      applicant):
    proposal = make_proposal(contest, applicant, submit=False)
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data=form_data(contest, proposal, need=TYPED), headers=ZH)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert TYPED in page and 'id="rescue-note"' in page
    assert f'href="/login?next=/proposals/{proposal.id}/edit"' in page
    assert "社区内有 120 位独居老人" not in page   # nothing of the stored proposal is shown
    db.session.refresh(proposal)
    assert proposal.need != TYPED

    response = client.post(f"/contests/{contest.slug}/proposals/new",
                           data={"title": "新项目", "summary": TYPED}, headers=ZH)
    assert response.status_code == 401 and TYPED in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Proposal.id))) == 1


def test_a_post_after_the_idle_timeout_gets_the_form_back_and_logs_out(client, auth, contest,
                                                                      applicant):
    proposal = make_proposal(contest, applicant, submit=False)
    auth.login(applicant)
    with client.session_transaction() as session:
        session["seen_at"] = time.time() - 3 * 3600
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data=form_data(contest, proposal, need=TYPED))
    assert response.status_code == 401 and TYPED in response.get_data(as_text=True)
    db.session.refresh(proposal)
    assert proposal.need != TYPED
    assert client.get("/my/proposals").status_code == 302   # logged out


@pytest.fixture
def protected(tmp_path, database_url, app):
    """The app with CSRF protection on, as in production."""
    return make_test_app(tmp_path / "protected", database_url, WTF_CSRF_ENABLED=True)


def _logged_in(protected_client, user):
    page = protected_client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    protected_client.post("/login", data={"csrf_token": token, "email": user.email,
                                          "password": PASSWORD})
    assert protected_client.get("/my/proposals").status_code == 200


def test_an_expired_form_token_gets_the_form_back_and_saves_nothing(protected, app_context,
                                                                     contest, applicant):
    proposal = make_proposal(contest, applicant, submit=False)
    client = protected.test_client()
    _logged_in(client, applicant)
    response = client.post(f"/proposals/{proposal.id}/edit",
                           data=form_data(contest, proposal, need=TYPED, csrf_token="expired"),
                           headers={"Origin": "http://localhost", **ZH})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert TYPED in page and 'id="rescue-note"' in page and 'name="csrf_token"' in page
    db.session.refresh(proposal)
    assert proposal.need != TYPED


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"},
                                     {"Sec-Fetch-Site": "cross-site"}])
def test_a_forged_post_plants_no_text_in_a_draft(protected, app_context, contest, applicant,
                                                 headers):
    proposal = make_proposal(contest, applicant, submit=False)
    client = protected.test_client()
    _logged_in(client, applicant)
    planted = "请把奖金汇到这个账户"
    for url in (f"/proposals/{proposal.id}/edit", f"/proposals/{proposal.id}/autosave",
                f"/contests/{contest.slug}/proposals/new"):
        response = client.post(url, data=form_data(contest, proposal, need=planted),
                               headers=headers)
        assert response.status_code == 400
        assert planted not in response.get_data(as_text=True)   # not even shown back
    db.session.refresh(proposal)
    assert proposal.need != planted
    assert db.session.scalar(db.select(db.func.count(Proposal.id))) == 1
    # Without a token from the same site, autosave saves nothing either.
    response = client.post(f"/proposals/{proposal.id}/autosave",
                           data=form_data(contest, proposal, need=planted))
    assert response.status_code == 401 and response.json["saved"] is False
    db.session.refresh(proposal)
    assert proposal.need != planted


def test_the_profile_facts_are_asked_in_the_form_and_submission_needs_no_profile_page(
        client, auth, contest):
    newcomer = make_user("newcomer@example.org", profile=False)
    auth.login(newcomer)
    page = client.get(f"/contests/{contest.slug}/proposals/new", headers=ZH).get_data(
        as_text=True)
    assert 'id="profile_entrant_type"' in page and 'id="profile_organization"' in page
    assert re.search(r'<input[^>]*id="contact_phone"[^>]*type="tel"|'
                     r'<input[^>]*type="tel"[^>]*id="contact_phone"', page)

    client.post(f"/contests/{contest.slug}/proposals/new",
                data={"title": "新项目", "theme_id": contest.themes[0].id})
    proposal = db.session.scalar(db.select(Proposal))
    page = client.get(f"/proposals/{proposal.id}", headers=ZH).get_data(as_text=True)
    box = re.search(r"提交前还需填写：(.*?)<a", page, re.S).group(1)
    assert "申报主体类型" in box and box.count("项目联系人") == 1 and box.count("手机") == 1

    response = client.post(f"/proposals/{proposal.id}/edit", data=form_data(
        contest, proposal, profile_entrant_type="ngo", profile_organization="绿城社工"))
    assert response.status_code == 302
    db.session.refresh(newcomer)
    assert (newcomer.entrant_type_code, newcomer.organization, newcomer.contact_name,
            newcomer.phone) == ("ngo", "绿城社工", "王芳", "13912345678")
    client.post(f"/proposals/{proposal.id}/submit")
    db.session.refresh(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.organization == "绿城社工"


def test_every_field_that_submission_needs_is_marked(client, contest, signed_in):
    proposal = make_proposal(contest, signed_in, submit=False)
    page = client.get(f"/proposals/{proposal.id}/edit", headers=ZH).get_data(as_text=True)
    marks = page.count('<span class="field-mark">提交时必填</span>')
    # The proposal's own fields, the entrant type and the organization.
    assert marks == len(REQUIRED_FOR_SUBMISSION) + 2
    assert page.count('<span class="field-mark">必填</span>') == 2   # title and theme
    for anchor in ("project", "need", "plan", "results", "applicant", "attachments"):
        assert f'href="#section-{anchor}"' in page and f'id="section-{anchor}"' in page
    assert 'data-idle-seconds="7200"' in page   # the warning before the idle logout
    # Every section of a complete proposal is ticked, but the attachments (none yet).
    assert page.count('class="section-done" data-done-for=') == 6
    assert len(re.findall(r'data-done-for="\w+" hidden', page)) == 1
