"""Menus by role (issue 20): each account's main menu offers only pages it may open, and each
role lands on its own home after logging in."""
import re

import pytest

from portal.extensions import db
from tests.test_access_matrix import MATRIX
from tests.factories import PASSWORD, make_contest, make_judge, make_proposal


def menu_links(client):
    page = client.get("/").get_data(as_text=True)
    menu = page[page.index('<div class="collapse navbar-collapse" id="main-nav">'):
                page.index("</nav>")]
    return re.findall(r'<a class="nav-link" href="([^"]+)"', menu)


@pytest.fixture
def people(app_context, contest, applicant, organizer):
    make_proposal(contest, applicant)
    judge = make_judge(contest)
    # A judge of this contest who applies to another one.
    judge_applicant = make_judge(contest, email="both@example.org")
    make_proposal(make_contest(slug="other-contest"), judge_applicant, submit=False)
    db.session.commit()
    return {"applicant": applicant, "judge": judge, "organizer": organizer,
            "judge_applicant": judge_applicant}


EXPECTED = {
    "applicant": ["/", "/my/proposals", "/grants/", "/account"],
    "judge": ["/", "/judge", "/account"],
    "judge_applicant": ["/", "/judge", "/my/proposals", "/grants/", "/account"],
    "organizer": ["/", "/admin/", "/account"],
}
HOMES = {"applicant": "/my/proposals", "judge": "/judge", "judge_applicant": "/judge",
         "organizer": "/admin/"}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_the_menu_offers_only_what_the_role_may_open(client, auth, people, role):
    auth.login(people[role])
    links = menu_links(client)
    assert links == EXPECTED[role]
    for link in links:
        assert client.get(link).status_code == 200, link


# The access matrix's role for each of ours (tests/test_access_matrix.py).
MATRIX_ROLES = {"applicant": ["owner"], "judge": ["judge_assigned", "judge_unassigned"],
                "judge_applicant": ["judge_assigned", "owner"], "organizer": ["organizer"]}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_the_menu_agrees_with_the_access_matrix(app, role):
    """Each menu link's route lets the role in, as the access matrix says."""
    urls = app.url_map.bind("localhost")
    for link in EXPECTED[role]:
        endpoint, _args = urls.match(link, method="GET")
        answers = MATRIX[("GET", endpoint)]
        assert any(answers[name] == 200 for name in MATRIX_ROLES[role]), (link, answers)


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_lands_on_its_own_home(client, people, role):
    user = people[role]
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.location == HOMES[role]


def test_a_stranger_gets_no_account_pages(client):
    assert menu_links(client) == ["/"]


def test_a_page_of_its_own_roles_is_not_shadowed_by_the_menu(client, auth, people, organizer):
    """The menu's roles are scoped to the menu: the account lookup page shows its own `roles`."""
    auth.login(organizer)
    page = client.get("/admin/accounts", query_string={"email": people["applicant"].email},
                      headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Applicant (1 proposal)" in page
