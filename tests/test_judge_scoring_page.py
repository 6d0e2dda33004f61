"""The judge's scoring page as issue 20 asks: scores to tap on a 1-10 scale, shown as on the
scale, an error summary, 提交评分 first and 「提交并评下一个」, a confirmed recusal."""
import re

import pytest

from portal.extensions import db
from portal.models import Review
from tests.factories import assign, make_judge, make_proposal, make_user, review

EN = {"Accept-Language": "en"}


@pytest.fixture
def three(app_context, contest, applicant, organizer):
    """A judge with three assigned proposals, in assignment order."""
    judge = make_judge(contest)
    assignments = []
    for number in range(3):
        owner = applicant if number == 0 else make_user(f"owner{number}@example.org")
        proposal = make_proposal(contest, owner, title=f"项目{number}")
        assignments.extend(assign(proposal, judge, actor=organizer))
    return judge, assignments


def scores(assignment, value, action):
    data = {f"criterion_{c.id}": str(value) for c in assignment.proposal.contest.criteria}
    data[action] = "1"
    return data


def test_each_score_is_a_group_of_ten_buttons_with_the_saved_one_checked(client, auth, three):
    judge, (first, *_rest) = three
    review(first, 5, 7, 10, submit=False)
    auth.login(judge)
    page = client.get(f"/judge/assignments/{first.id}").get_data(as_text=True)
    criterion = first.proposal.contest.criteria[0]
    radios = re.findall(rf'<input type="radio"[^>]*name="criterion_{criterion.id}"[^>]*>', page)
    assert [re.search(r'value="([^"]+)"', radio).group(1) for radio in radios] == \
        [str(n) for n in range(1, 11)]
    assert [radio for radio in radios if " checked" in radio] == [
        next(radio for radio in radios if 'value="5"' in radio)]
    assert "5.00" not in page and "10.00" not in page


def test_a_closed_round_shows_the_scores_as_on_the_scale(client, auth, three, organizer):
    from portal.judging.services import set_round_closed
    judge, (first, *_rest) = three
    review(first, 5, 7, 10)
    set_round_closed(organizer, first.round, closed=True)
    db.session.commit()
    auth.login(judge)
    page = client.get(f"/judge/assignments/{first.id}").get_data(as_text=True)
    assert "<strong>5</strong>" in page and "5.00" not in page


def test_submit_comes_first_then_submit_and_next_then_the_draft(client, auth, three):
    judge, (first, *_rest) = three
    auth.login(judge)
    page = client.get(f"/judge/assignments/{first.id}?read=1", headers=EN).get_data(as_text=True)
    buttons = re.findall(r'<input class="btn ([^"]+)" id="(\w+)"', page)
    assert buttons == [("btn-primary", "submit_review"), ("btn-outline-primary", "submit_next"),
                       ("btn-outline-primary", "save")]


def test_submit_and_next_goes_to_the_next_unsubmitted_then_back_to_the_list(client, auth, three):
    judge, (first, second, third) = three
    review(second, 6, 6, 6)
    auth.login(judge)
    response = client.post(f"/judge/assignments/{first.id}", data=scores(first, 8, "submit_next"))
    assert response.location == f"/judge/assignments/{third.id}"
    response = client.post(f"/judge/assignments/{third.id}", data=scores(third, 7, "submit_next"))
    assert response.location == "/judge"
    assert all(row.submitted_at for row in db.session.scalars(db.select(Review)))


def test_submit_and_next_wraps_round_to_an_earlier_proposal(client, auth, three):
    judge, (first, second, third) = three
    auth.login(judge)
    response = client.post(f"/judge/assignments/{third.id}", data=scores(third, 7, "submit_next"))
    assert response.location == f"/judge/assignments/{first.id}"


def test_a_refused_score_is_summarized_at_the_top_and_linked_to_its_field(client, auth, three):
    judge, (first, *_rest) = three
    auth.login(judge)
    criterion = first.proposal.contest.criteria[0]
    data = scores(first, 5, "submit_review")
    data[f"criterion_{criterion.id}"] = "11"
    page = client.post(f"/judge/assignments/{first.id}", data=data,
                       headers=EN).get_data(as_text=True)
    summary = page.index("data-error-summary")
    assert summary < page.index("<h1")
    assert f'href="#criterion_{criterion.id}"' in page[summary:page.index("<h1")]
    assert "Give a score from 1 to 10." in page[summary:page.index("<h1")]
    assert f'<fieldset class="mb-3 score-choices" id="criterion_{criterion.id}"' in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(db.select(Review)) is None


def test_recusing_before_reading_asks_for_confirmation(client, auth, three):
    judge, (first, *_rest) = three
    auth.login(judge)
    page = client.get(f"/judge/assignments/{first.id}", headers=EN).get_data(as_text=True)
    assert "data-confirm=\"Recuse yourself? This cannot be undone" in page


def test_a_phone_gets_a_bar_that_jumps_to_the_scores(client, auth, three):
    judge, (first, *_rest) = three
    auth.login(judge)
    page = client.get(f"/judge/assignments/{first.id}?read=1").get_data(as_text=True)
    assert 'href="#your-scores"' in page and 'id="your-scores"' in page
