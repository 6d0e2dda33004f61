"""Criterion kinds (portal.rules.criteria): one description of a criterion's scale and step,
read by the review form, the score service, the paper import and the ranking."""
from decimal import Decimal

import pytest
from flask_babel import force_locale

from portal.errors import DomainError
from portal.rules.contest import ScoreRefused, check_score
from portal.rules.criteria import SCALE, kind_of
from tests.factories import Auth, assign, make_judge, make_proposal


def _criterion(contest):
    criterion = contest.criteria[0]
    criterion.scale_min, criterion.scale_max, criterion.scale_step = \
        Decimal(1), Decimal(10), Decimal("0.5")
    return criterion


@pytest.fixture
def english(app_context):
    with force_locale("en"):
        yield


def test_a_scale_reads_checks_and_shows_scores(english, contest):
    criterion = _criterion(contest)
    kind = kind_of(criterion)
    assert kind is SCALE
    assert kind.bounds(criterion) == (Decimal(1), Decimal(10))
    assert kind.parse(" ７.5 ") == (Decimal("7.5"), None)          # full-width digits too
    assert kind.parse(8.0) == (Decimal("8.0"), None)
    for bad in ("", None, "seven", True, "NaN"):
        number, message = kind.parse(bad)
        assert number is None and str(message) in ("Enter a score.", "Enter a number.")
    assert kind.refusal(criterion, Decimal("9.5")) is None
    assert str(kind.refusal(criterion, Decimal(11))) == "Give a score from 1 to 10."
    assert str(kind.refusal(criterion, Decimal("7.25"))) == "Scores go in steps of 0.5."
    assert kind.show(Decimal("7.50")) == "7.5" and kind.show(None) == ""
    assert kind.input_attributes(criterion) == {"inputmode": "decimal", "min": "1",
                                                "max": "10", "step": "0.5"}
    assert str(kind.explanation(criterion)) == "Scale: 1 to 10, in steps of 0.5."


def test_the_score_check_names_the_criterion_not_a_form_field(english, contest):
    criterion = _criterion(contest)
    check_score(criterion, Decimal(10))
    with pytest.raises(ScoreRefused) as refused:
        check_score(criterion, Decimal(0))
    assert isinstance(refused.value, DomainError)
    assert refused.value.criterion_id == criterion.id and refused.value.field is None


def test_the_review_form_shows_a_refused_score_beside_its_own_field(client, contest,
                                                                    applicant, organizer):
    judge = make_judge(contest)
    proposal = make_proposal(contest, applicant, submit=True)
    (assignment,) = assign(proposal, judge, actor=organizer)
    first, second = contest.criteria[0], contest.criteria[1]
    Auth(client).login(judge)
    page = client.post(f"/judge/assignments/{assignment.id}", data={
        f"criterion_{first.id}": "5", f"criterion_{second.id}": "999",
        "submit_review": "y"}, headers={"Accept-Language": "en"}).get_data(True)
    # Beside the field (a banner would come before the form), once.
    assert page.count("Give a score from") == 1
    assert page.index("Give a score from") > page.index(f'name="criterion_{second.id}"')
