"""Announcement audiences: applicants by stage and theme, everyone registered, judges by theme
and those with unscored work."""
import pytest

from portal.console.announcements import recipients_for
from portal.extensions import db
from portal.models import ProposalStatus
from portal.proposals.screening.services import decide
from tests.factories import assign, make_judge, make_proposal, make_user, review

EN = {"Accept-Language": "en"}


@pytest.fixture
def people(contest, organizer):
    elderly = make_user("elderly@example.org")
    elderly_proposal = make_proposal(contest, elderly, theme_index=0)
    education = make_user("education@example.org")
    make_proposal(contest, education, theme_index=4)
    drafter = make_user("drafter@example.org")
    make_proposal(contest, drafter, theme_index=0, submit=False)
    make_user("lurker@example.org")                    # registered, never applied
    decide(organizer, elderly_proposal, ProposalStatus.ELIGIBLE)
    db.session.commit()
    busy = make_judge(contest, "busy@example.org", themes=("elderly_care",))
    done = make_judge(contest, "done@example.org", themes=("education_aid",))
    _busy_assignment, finished = assign(elderly_proposal, busy, done)
    review(finished, 7, 7, 7)
    return elderly_proposal


def emails(contest, audience):
    return sorted(user.email for user in recipients_for(contest, audience))


@pytest.mark.parametrize("audience, expected", [
    ("applicants", ["education@example.org", "elderly@example.org"]),
    ("drafts", ["drafter@example.org"]),
    ("eligible", ["elderly@example.org"]),
    ("registered", ["drafter@example.org", "education@example.org", "elderly@example.org",
                    "lurker@example.org"]),
    ("theme:elderly_care", ["elderly@example.org"]),
    ("judges", ["busy@example.org", "done@example.org"]),
    ("theme-judges:elderly_care", ["busy@example.org"]),
    ("theme-judges:education_aid", ["done@example.org"]),
    ("judges-unscored", ["busy@example.org"]),
])
def test_each_audience(app_context, contest, people, audience, expected):
    assert emails(contest, audience) == expected


def test_the_new_audiences_are_offered_and_counted(client, auth, contest, organizer, people):
    auth.login(organizer)
    page = client.get(f"/admin/contests/{contest.slug}/announcements", headers=EN)
    text = page.get_data(as_text=True)
    assert 'value="judges-unscored"' in text and 'value="theme-judges:elderly_care"' in text
    preview = client.post(f"/admin/contests/{contest.slug}/announcements", headers=EN, data={
        "subject": "Scores", "audience": "judges-unscored", "body": "Please score.",
        "preview": "Preview"}).get_data(as_text=True)
    assert "1 person" in preview


def test_an_unknown_theme_is_refused(app_context, contest, people):
    from portal.errors import DomainError
    with pytest.raises(DomainError):
        recipients_for(contest, "theme-judges:no_such_theme")
