"""Pages issue a bounded number of SQL statements whatever the number of proposals.

`count_queries()` returns the same counter object every time: read `.total` before counting
again. As in bench/query_counts.py, a page is requested once before it is counted: the first
view after a change fills the ranking's cache.
"""
import pytest

from portal.extensions import db
from tests.factories import assign, make_chair, make_contest, make_judge, make_proposal, \
    make_user, review


def grow(contest, organizer, judge, count, start):
    for number in range(start, start + count):
        proposal = make_proposal(contest, make_user(f"u{number}@example.org"),
                                 theme_index=number % 10, title=f"项目{number}")
        (assignment,) = assign(proposal, judge, actor=organizer)
        review(assignment, 7, 8, number % 10 + 1)


@pytest.mark.parametrize("page", [
    "/admin/", "/admin/contests/{slug}/proposals", "/admin/contests/{slug}/ranking",
    "/admin/contests/{slug}/ranking?theme=elderly_care",
    "/admin/contests/{slug}/exports/download?format=csv",
    "/admin/contests/{slug}/judges", "/admin/contests/{slug}/dashboard"])
def test_organizer_pages(client, auth, contest, organizer, count_queries, page):
    judge = make_judge(contest)
    auth.login(organizer)
    url = page.format(slug=contest.slug)
    grow(contest, organizer, judge, 3, 0)
    small = statements(client, url, count_queries)
    grow(contest, organizer, judge, 12, 3)
    assert statements(client, url, count_queries) == small


def statements(client, url, count_queries):
    """The SQL statements of the page's second view (the first fills the caches)."""
    assert client.get(url).status_code == 200
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    return counted.total


@pytest.mark.parametrize("page", [
    "/admin/contests/{slug}/dashboard", "/admin/contests/{slug}/judges",
    "/admin/contests/{slug}/rounds", "/admin/contests/{slug}/conflicts",
    "/admin/contests/{slug}/ranking/judges", "/admin/contests/{slug}/rounds/{round}/assign?k=1",
    "/admin/contests/{slug}/exports/award-list.pdf"])
def test_a_theme_chairs_pages(client, auth, contest, organizer, count_queries, page):
    """The same pages for a theme chair (issue 25): limited to the chair's themes, still
    bounded."""
    judge = make_judge(contest)
    chair = make_chair(contest, themes=[contest.themes[0].code])
    auth.login(chair)
    url = page.format(slug=contest.slug, round=contest.rounds[0].id)
    grow(contest, organizer, judge, 10, 0)
    small = statements(client, url, count_queries)
    grow(contest, organizer, judge, 20, 10)
    assert statements(client, url, count_queries) == small


def test_the_judges_list_of_assignments(client, auth, contest, organizer, count_queries):
    judge = make_judge(contest)
    grow(contest, organizer, judge, 3, 0)
    auth.login(judge)
    with count_queries() as counted:
        client.get("/judge")
    small = counted.total
    grow(contest, organizer, judge, 12, 3)
    with count_queries() as counted:
        client.get("/judge")
    assert counted.total == small


def test_the_judges_scoring_page(client, auth, contest, organizer, count_queries):
    """The same statements with 3 proposals as with 15, and fewer than the 15 of before issue
    26: the contest's parts come from the process's snapshots (portal.contests.snapshots)."""
    from portal.models import Assignment
    judge = make_judge(contest)
    grow(contest, organizer, judge, 3, 0)
    auth.login(judge)
    first = min(assignment.id for assignment in
                db.session.scalars(db.select(Assignment).filter_by(judge_id=judge.id)))
    url = f"/judge/assignments/{first}?read=1"
    small = statements(client, url, count_queries)
    grow(contest, organizer, judge, 12, 3)
    assert statements(client, url, count_queries) == small < 10


def test_the_applicants_home(client, auth, contest, applicant, count_queries):
    """The same statements with no proposal yet as with several (contests and themes are read
    once, for the list of contests)."""
    auth.login(applicant)
    with count_queries() as counted:
        client.get("/my/proposals")
    none_yet = counted.total
    make_proposal(contest, applicant)
    make_proposal(contest, applicant, theme_index=3)
    make_proposal(contest, applicant, theme_index=5, submit=False)
    with count_queries() as counted:
        client.get("/my/proposals")
    assert counted.total == none_yet


def test_the_applicants_home_with_proposals_in_unlisted_contests(client, auth, contest,
                                                                applicant, count_queries):
    """A proposal whose contest is not listed (not among the contests the page reads first)
    brings its contest and theme along in the proposals' statement: no lazy load each."""
    make_proposal(make_contest(slug="unlisted-one", listed=False), applicant)
    auth.login(applicant)
    client.get("/my/proposals")
    with count_queries() as counted:
        client.get("/my/proposals")
    one = counted.total
    make_proposal(make_contest(slug="unlisted-two", listed=False), applicant, theme_index=2)
    make_proposal(make_contest(slug="unlisted-three", listed=False), applicant, theme_index=4)
    with count_queries() as counted:
        page = client.get("/my/proposals").get_data(as_text=True)
    assert counted.total == one
    assert page.count("<tr>") == 4   # the header and the three proposals


def test_the_proposal_table_empty_or_full(client, auth, contest, organizer, count_queries):
    """The same statements whether the page has rows or none (no loading per shown row)."""
    judge = make_judge(contest)
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/proposals?theme=elderly_care&q=项目&sort=budget&dir=desc"
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    empty = counted.total
    grow(contest, organizer, judge, 15, 0)
    with count_queries() as counted:
        assert "项目10" in client.get(url).get_data(as_text=True)
    assert counted.total == empty
