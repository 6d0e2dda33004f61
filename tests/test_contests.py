"""Public contest pages and the contest file loader."""
from datetime import datetime, timedelta, timezone

import pytest

from portal.contests.loader import ContestFileError, parse_contest, parse_moment, store_contest
from portal.extensions import db
from tests.factories import SEED_FILE, make_contest, make_proposal

NOW = datetime(2014, 6, 1, 4, 0, tzinfo=timezone.utc)
EN = {"Accept-Language": "en"}


def test_home_shows_the_only_open_contest(client, contest):
    page = client.get("/").get_data(as_text=True)
    assert "郑州慈善总会第一届" in page and "心理援助" in page and "创新性" in page
    assert "截止时间" in page and "（北京时间）" in page


def test_home_lists_contests_when_several_are_open(client, contest):
    make_contest(slug="zzcf-2015", name_zh="第二届大赛")
    page = client.get("/").get_data(as_text=True)
    assert "第二届大赛" in page and "/contests/zzcf-2015" in page and "/contests/zzcf-2014" in page


def test_home_lists_past_contests_after_open_ones(client, contest):
    make_contest(slug="zzcf-2013", name_zh="往届大赛", opens="-400 days", deadline="-300 days")
    make_contest(slug="zzcf-2015", name_zh="第二届大赛")
    page = client.get("/").get_data(as_text=True)
    assert page.index("第二届大赛") < page.index("往届大赛")


def test_the_contest_page_in_english(client, contest):
    page = client.get(f"/contests/{contest.slug}", headers=EN).get_data(as_text=True)
    assert "Volunteer Sifang Cup" in page and "Psychological support" in page
    assert "Submit a proposal" in page


def test_an_unknown_contest_is_404(client):
    assert client.get("/contests/nope").status_code == 404


def test_deadlines_are_shown_in_beijing_time(client, contest):
    contest.opens_at = datetime(2014, 9, 1, tzinfo=timezone.utc)
    contest.submission_deadline = datetime(2014, 9, 30, 9, 0, tzinfo=timezone.utc)
    db.session.commit()
    assert "2014-09-30 17:00" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("value, expected", [
    ("now", NOW),
    ("30 days", NOW + timedelta(days=30)),
    ("-1 day", NOW - timedelta(days=1)),
    ("2 hours", NOW + timedelta(hours=2)),
    ("2014-09-30 17:00", datetime(2014, 9, 30, 9, 0, tzinfo=timezone.utc)),
    (datetime(2014, 9, 30, 17, 0), datetime(2014, 9, 30, 9, 0, tzinfo=timezone.utc)),
    ("2014-09-30T17:00:00+00:00", datetime(2014, 9, 30, 17, 0, tzinfo=timezone.utc)),
])
def test_times_in_the_contest_file(value, expected):
    assert parse_moment(value, NOW, "x") == expected


@pytest.mark.parametrize("value", ["next week", "2014-13-40 25:00", "30 fortnights"])
def test_bad_times_are_explained(value):
    with pytest.raises(ContestFileError, match="x:"):
        parse_moment(value, NOW, "x")


def test_a_date_without_a_time_is_refused():
    from datetime import date
    with pytest.raises(ContestFileError, match="time"):
        parse_moment(date(2014, 9, 30), NOW, "deadline")


def seed_text(**replacements):
    text = SEED_FILE.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("replacement, message", [
    ({"submission_deadline: 30 days": "submission_deadline: -1 day"}, "after 'opens'"),
    ({"weight: 1\n    scale: [1, 10]\n  - code: practicality":
      "weight: -2\n    scale: [1, 10]\n  - code: practicality"}, "positive"),
    ({"scale: [1, 10]\n  - code: practicality": "scale: [10, 1]\n  - code: practicality"},
     "minimum"),
    ({"code: orphan_care": "code: elderly_care"}, "appears twice"),
    ({"proposal_limit: 3": "proposal_limit: 0"}, "proposal_limit"),
    ({"slug: zzcf-2014": "slug: Z Z"}, "slug"),
])
def test_invalid_contest_files_are_explained(replacement, message):
    with pytest.raises(ContestFileError, match=message):
        parse_contest(seed_text(**replacement), NOW)


def test_the_shipped_file_is_open_for_thirty_days():
    parsed = parse_contest(SEED_FILE.read_text(encoding="utf-8"), NOW)
    assert parsed["contest"]["opens_at"] == NOW
    assert parsed["contest"]["submission_deadline"] == NOW + timedelta(days=30)


def test_an_update_cannot_remove_a_theme_in_use(app_context, contest, applicant):
    make_proposal(contest, applicant, theme_index=1)  # 抚孤 / orphan_care
    text = seed_text(**{"  - code: orphan_care\n": "  - code: orphan_care_renamed\n"})
    with pytest.raises(ContestFileError, match="orphan_care"):
        store_contest(parse_contest(text, NOW), update=True)
