"""Contest setup by organizers: settings, parts, copies, archiving, and the refusals."""
import re

import pytest

from portal.extensions import db
from portal.models import AuditEvent, Contest, Theme
from tests.factories import assign, make_judge, make_proposal, review

EN = {"Accept-Language": "en"}


@pytest.fixture
def signed_in(auth, organizer):
    auth.login(organizer)
    return organizer


def contest_form(**overrides):
    data = {"slug": "zzcf-2015", "name_zh": "第二届大赛", "name_en": "2nd contest",
            "organizer_zh": "郑州慈善总会", "opens_at": "2015-03-01T09:00",
            "submission_deadline": "2015-06-30T17:00", "results_at": "",
            "proposal_limit": "3", "reference_prefix": "ZZCF-2015", "objection_days": "7",
            "listed": "y",
            "rules_zh": "**规则** <script>alert(1)</script>"}
    data.update(overrides)
    return data


def test_an_organizer_creates_a_contest_in_beijing_time(client, signed_in):
    response = client.post("/admin/contests/new", data=contest_form())
    assert response.status_code == 302 and "/parts/themes" in response.location
    contest = db.session.scalar(db.select(Contest).filter_by(slug="zzcf-2015"))
    assert contest.submission_deadline.isoformat() == "2015-06-30T09:00:00+00:00"
    assert db.session.scalar(db.select(AuditEvent.action)) == "contest.created"


@pytest.mark.parametrize("overrides, message", [
    ({"submission_deadline": "2015-02-01T09:00"}, "must come after the opening"),
    ({"results_at": "2015-06-01T09:00"}, "must come after the deadline"),
    ({"slug": "Bad Slug"}, "Lower-case letters"),
    ({"proposal_limit": "0"}, "Number must be"),
    ({"opens_at": "not a date"}, "Not a valid datetime value."),
])
def test_bad_contest_settings_are_explained(client, signed_in, overrides, message):
    response = client.post("/admin/contests/new", data=contest_form(**overrides), headers=EN)
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Contest.id))) == 0


def test_the_address_of_an_existing_contest_is_refused(client, signed_in, contest):
    response = client.post("/admin/contests/new", data=contest_form(slug=contest.slug),
                           headers=EN)
    assert "already exists" in response.get_data(as_text=True)


def test_two_organizers_editing_the_same_contest(client, signed_in, contest):
    version = contest.settings_version
    first = client.post(f"/admin/contests/{contest.slug}/settings", data=contest_form(
        slug=contest.slug, name_zh="第一位的修改", settings_version=version))
    assert first.status_code == 302
    second = client.post(f"/admin/contests/{contest.slug}/settings", headers=EN, data=contest_form(
        slug=contest.slug, name_zh="第二位的修改", settings_version=version))
    assert "Someone else changed this contest" in second.get_data(as_text=True)
    db.session.refresh(contest)
    assert contest.name_zh == "第一位的修改"


def test_rules_are_rendered_as_safe_markdown(client, signed_in, contest):
    client.post(f"/admin/contests/{contest.slug}/settings", data=contest_form(
        slug=contest.slug, settings_version=contest.settings_version, opens_at="2014-01-01T00:00",
        submission_deadline="2099-01-01T00:00"))
    page = client.get(f"/contests/{contest.slug}").get_data(as_text=True)
    assert "<strong>规则</strong>" in page and "<script>alert(1)" not in page


def theme_rows(contest, rows):
    data = {"settings_version": contest.settings_version}
    for number, (code, name) in enumerate(rows):
        data[f"items-{number}-code"] = code
        data[f"items-{number}-name_zh"] = name
    return data


def test_themes_are_added_renamed_and_reordered(client, signed_in, contest):
    rows = [(t.code, t.name_zh) for t in contest.themes]
    rows = [rows[1], (rows[0][0], "养老服务")] + rows[2:] + [("community", "社区发展")]
    response = client.post(f"/admin/contests/{contest.slug}/parts/themes",
                           data=theme_rows(contest, rows))
    assert response.status_code == 302
    db.session.expire_all()
    names = [t.name_zh for t in db.session.get(Contest, contest.id).themes]
    assert names[:2] == ["抚孤", "养老服务"] and names[-1] == "社区发展" and len(names) == 11


def test_a_theme_in_use_cannot_be_removed(client, signed_in, contest, applicant):
    make_proposal(contest, applicant, theme_index=0)
    rows = [(t.code, t.name_zh) for t in contest.themes[1:]]
    response = client.post(f"/admin/contests/{contest.slug}/parts/themes", headers=EN,
                           data=theme_rows(contest, rows))
    assert "cannot be removed" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Theme.id))) == 10


def test_an_unused_theme_can_be_removed(client, signed_in, contest):
    rows = [(t.code, t.name_zh) for t in contest.themes[1:]]
    client.post(f"/admin/contests/{contest.slug}/parts/themes", data=theme_rows(contest, rows))
    assert db.session.scalar(db.select(db.func.count(Theme.id))) == 9


def test_duplicate_theme_names_are_refused(client, signed_in, contest):
    rows = [(t.code, t.name_zh) for t in contest.themes] + [("again", "安老")]
    response = client.post(f"/admin/contests/{contest.slug}/parts/themes", headers=EN,
                           data=theme_rows(contest, rows))
    assert "appears twice" in response.get_data(as_text=True)


def criterion_rows(contest, weight="1", scale_max="10"):
    data = {"settings_version": contest.settings_version}
    for number, criterion in enumerate(contest.criteria):
        data.update({f"items-{number}-code": criterion.code,
                     f"items-{number}-name_zh": criterion.name_zh,
                     f"items-{number}-weight": weight, f"items-{number}-scale_min": "1",
                     f"items-{number}-scale_max": scale_max, f"items-{number}-scale_step": "1"})
    return data


@pytest.mark.parametrize("weight", ["0", "-1", "abc"])
def test_a_weight_must_be_a_positive_number(client, signed_in, contest, weight):
    response = client.post(f"/admin/contests/{contest.slug}/parts/criteria", headers=EN,
                           data=criterion_rows(contest, weight=weight))
    page = response.get_data(as_text=True)
    assert "positive number" in page or "Not a valid decimal value." in page


def test_a_scale_cannot_change_once_scores_exist(client, signed_in, contest, applicant,
                                                organizer):
    proposal = make_proposal(contest, applicant)
    judge = make_judge(contest)
    (assignment,) = assign(proposal, judge, actor=organizer)
    review(assignment, 5, 5, 5)
    response = client.post(f"/admin/contests/{contest.slug}/parts/criteria", headers=EN,
                           data=criterion_rows(contest, scale_max="5"))
    assert "its scale cannot change" in response.get_data(as_text=True)
    ok = client.post(f"/admin/contests/{contest.slug}/parts/criteria",
                     data=criterion_rows(contest, weight="2"))
    assert ok.status_code == 302  # the weight may still change


def test_copy_for_next_year(client, signed_in, contest, applicant):
    make_proposal(contest, applicant)
    response = client.post(f"/admin/contests/{contest.slug}/copy",
                           data={"slug": "zzcf-2015", "name_zh": "第二届"})
    assert response.status_code == 302
    copy = db.session.scalar(db.select(Contest).filter_by(slug="zzcf-2015"))
    assert [t.name_zh for t in copy.themes] == [t.name_zh for t in contest.themes]
    assert len(copy.criteria) == 3 and len(copy.award_tiers) == 4
    assert (copy.submission_deadline - contest.submission_deadline).days == 365
    assert copy.reference_prefix == "ZZCF-2015" and copy.reference_counter == 0


def test_archiving_takes_a_contest_off_the_open_list(client, signed_in, contest):
    client.post(f"/admin/contests/{contest.slug}/archive")
    db.session.refresh(contest)
    assert contest.archived and contest.status == "archived"


@pytest.mark.parametrize("url", ["/admin/contests/new", "/admin/contests/zzcf-2014/settings",
                                 "/admin/contests/zzcf-2014/parts/criteria",
                                 "/admin/contests/zzcf-2014/copy"])
def test_setup_pages_are_for_organizers_only(client, auth, contest, applicant, url):
    assert client.get(url).status_code == 302
    auth.login(applicant)
    assert client.get(url).status_code == 403


def test_publication_settings_are_part_of_the_contest(client, signed_in, contest):
    response = client.post(f"/admin/contests/{contest.slug}/settings", data=contest_form(
        slug=contest.slug, settings_version=contest.settings_version, objection_days="0",
        funding_pool="250000", show_feedback_to_applicants="y"))
    assert response.status_code == 302
    db.session.refresh(contest)
    assert (contest.objection_days, contest.funding_pool, contest.show_feedback_to_applicants) \
        == (0, 250000, True)


def test_an_organizer_takes_a_contest_off_the_home_page_and_back(client, signed_in, contest):
    from tests.factories import make_contest
    make_contest(slug="zzcf-2015", name_zh="第二届大赛")  # two open contests: the home page lists
    settings = f"/admin/contests/{contest.slug}/settings"
    page = client.get(settings).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*name="listed"', page)
    from portal.timezones import to_beijing_naive
    dates = {name: to_beijing_naive(getattr(contest, name)).strftime("%Y-%m-%dT%H:%M")
             for name in ("opens_at", "submission_deadline")}  # it stays open
    data = contest_form(slug=contest.slug, settings_version=contest.settings_version, **dates)
    del data["listed"]
    assert client.post(settings, data=data).status_code == 302
    db.session.refresh(contest)
    assert contest.listed is False
    home = client.get("/").get_data(as_text=True)
    assert f"/contests/{contest.slug}\"" not in home and "第二届大赛" in home
    assert client.get(f"/contests/{contest.slug}").status_code == 200  # reachable by its address
    assert client.post(settings, data=contest_form(
        slug=contest.slug, settings_version=contest.settings_version, **dates)).status_code == 302
    db.session.refresh(contest)
    assert contest.listed is True and f"/contests/{contest.slug}" in client.get("/").text
