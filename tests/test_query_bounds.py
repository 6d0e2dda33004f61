"""Pages issue a bounded number of SQL statements whatever the number of proposals."""
import pytest

from tests.factories import assign, make_judge, make_proposal, make_user, review


def grow(contest, organizer, judge, count, start):
    for number in range(start, start + count):
        proposal = make_proposal(contest, make_user(f"u{number}@example.org"),
                                 theme_index=number % 10, title=f"项目{number}")
        (assignment,) = assign(proposal, judge, actor=organizer)
        review(assignment, 7, 8, number % 10 + 1)


@pytest.mark.parametrize("page", [
    "/admin/", "/admin/contests/{slug}/proposals", "/admin/contests/{slug}/ranking",
    "/admin/contests/{slug}/ranking?theme=elderly_care", "/admin/contests/{slug}/ranking.csv",
    "/admin/contests/{slug}/judges"])
def test_organizer_pages(client, auth, contest, organizer, count_queries, page):
    judge = make_judge(contest)
    auth.login(organizer)
    url = page.format(slug=contest.slug)
    grow(contest, organizer, judge, 3, 0)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    grow(contest, organizer, judge, 12, 3)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.total == small.total


def test_the_judges_list_of_assignments(client, auth, contest, organizer, count_queries):
    judge = make_judge(contest)
    grow(contest, organizer, judge, 3, 0)
    auth.login(judge)
    with count_queries() as small:
        client.get("/judge")
    grow(contest, organizer, judge, 12, 3)
    with count_queries() as large:
        client.get("/judge")
    assert large.total == small.total


def test_the_applicants_home(client, auth, contest, applicant, count_queries):
    auth.login(applicant)
    make_proposal(contest, applicant)
    with count_queries() as small:
        client.get("/my/proposals")
    make_proposal(contest, applicant, theme_index=3)
    make_proposal(contest, applicant, theme_index=5, submit=False)
    with count_queries() as large:
        client.get("/my/proposals")
    assert large.total == small.total
