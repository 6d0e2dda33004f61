"""Award allocation from the ranking, the funding pool, moves with a reason, role checks."""
import re
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.models import AuditEvent, Award, AwardScope, AwardTier, ProposalStatus
from tests.factories import assign, make_judge, make_proposal, make_user, review

EN = {"Accept-Language": "en"}


def set_tiers(contest, *tiers):
    """Replace the seed's tiers with (code, count, scope, grant, up_to_budget) tuples."""
    contest.award_tiers.clear()
    db.session.flush()
    for position, (code, count, scope, grant, up_to) in enumerate(tiers, start=1):
        contest.award_tiers.append(AwardTier(
            position=position, code=code, name_zh=code, name_en=code.replace("_", " ").title(),
            count=count, scope=scope, grant_amount=grant, grant_up_to_budget=up_to))
    db.session.commit()


def scored(contest, organizer, *specs, judge=None, start=0):
    """Proposals from (title, theme index, score) specs, each scored by one judge on every
    criterion; returns them in the order given."""
    judge = judge or make_judge(contest, "judge@example.org", name="评委张伟")
    proposals = []
    for number, (title, theme_index, score) in enumerate(specs, start=start):
        applicant = make_user(f"applicant{number}@example.org", organization=f"机构{number}")
        proposal = make_proposal(contest, applicant, title=title, theme_index=theme_index)
        (assignment,) = assign(proposal, judge, actor=organizer)
        review(assignment, score, score, score)
        proposals.append(proposal)
    return proposals


def quota_contest(contest, organizer, pool=None):
    """一等奖 1 overall (50,000); 主题奖 1 per theme, up to the budget (30,000 at most).
    A 9 and B 8 in theme 0, C 7 and D 6 in theme 4, E 10 but ineligible."""
    set_tiers(contest, ("first_prize", 1, AwardScope.OVERALL, Decimal("50000"), False),
              ("theme_prize", 1, AwardScope.PER_THEME, Decimal("30000"), True))
    contest.funding_pool = pool
    db.session.commit()
    proposals = scored(contest, organizer, ("甲项目", 0, 9), ("乙项目", 0, 8), ("丙项目", 4, 7),
                       ("丁项目", 4, 6), ("戊项目", 0, 10))
    proposals[4].status = ProposalStatus.INELIGIBLE
    db.session.commit()
    return proposals


def digest_of(page):
    return re.search(r'name="digest" type="hidden" value="([0-9a-f]+)"', page).group(1)


def preview(client, contest):
    response = client.get(f"/admin/contests/{contest.slug}/awards/preview", headers=EN)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return page, digest_of(page)


def allocate(client, contest, confirm=False):
    _page, digest = preview(client, contest)
    data = {"digest": digest}
    if confirm:
        data["confirm_over_pool"] = "y"
    return client.post(f"/admin/contests/{contest.slug}/awards/allocate", data=data, headers=EN)


def awards_by_title():
    return {award.proposal.title: award.tier.code for award in db.session.scalars(
        db.select(Award))}


def test_allocation_with_quotas_and_a_pool(client, auth, contest, organizer):
    a, b, c, d, e = quota_contest(contest, organizer, pool=Decimal("60000"))
    auth.login(organizer)
    page, _digest = preview(client, contest)
    assert page.index("甲项目") < page.index("乙项目") < page.index("丙项目")
    assert "丁项目" not in page and "戊项目" not in page
    assert "exceed the funding pool (60,000.00 yuan) by 50,000.00 yuan" in page
    assert "I confirm this allocation" in page

    refused = allocate(client, contest)
    assert refused.status_code == 422 and "Tick the box" in refused.get_data(as_text=True)
    assert awards_by_title() == {}

    assert allocate(client, contest, confirm=True).status_code == 302
    assert awards_by_title() == {"甲项目": "first_prize", "乙项目": "theme_prize",
                                 "丙项目": "theme_prize"}
    grants = {award.proposal.title: award.grant for award in db.session.scalars(
        db.select(Award))}
    # 30,000 at most, up to the requested 35,000: the cap applies
    assert grants == {"甲项目": Decimal("50000"), "乙项目": Decimal("30000"),
                      "丙项目": Decimal("30000")}
    page = client.get(f"/admin/contests/{contest.slug}/awards", headers=EN).get_data(True)
    assert "35,000.00" in page and "105,000.00" in page and "110,000.00" in page
    assert "exceed the funding pool" in page
    # Not published yet: nobody is told, statuses do not change.
    db.session.refresh(a)
    assert a.status == ProposalStatus.SUBMITTED
    assert db.session.scalar(db.select(AuditEvent).filter_by(action="awards.allocated"))


def test_within_the_pool_no_confirmation_is_needed(client, auth, contest, organizer):
    quota_contest(contest, organizer, pool=Decimal("200000"))
    auth.login(organizer)
    page, _digest = preview(client, contest)
    assert "I confirm this allocation" not in page and "90,000.00 yuan left" in page
    assert allocate(client, contest).status_code == 302
    assert len(awards_by_title()) == 3


def test_saving_again_replaces_the_allocation(client, auth, contest, organizer):
    a, b, c, d, e = quota_contest(contest, organizer)
    auth.login(organizer)
    allocate(client, contest)
    client.post(f"/admin/contests/{contest.slug}/awards/move", data={
        "reference": d.reference, "tier": str(contest.award_tiers[1].id), "reason": "复核"})
    assert "丁项目" in awards_by_title()
    allocate(client, contest)
    assert awards_by_title() == {"甲项目": "first_prize", "乙项目": "theme_prize",
                                 "丙项目": "theme_prize"}
    assert db.session.scalar(db.select(Award).filter(Award.override_reason.is_not(None))) is None


def test_a_ranking_changed_since_the_preview_is_not_saved(client, auth, contest, organizer):
    a, b, c, d, e = quota_contest(contest, organizer)
    auth.login(organizer)
    _page, digest = preview(client, contest)
    c.status = ProposalStatus.WITHDRAWN  # 丁项目 now wins its theme
    db.session.commit()
    response = client.post(f"/admin/contests/{contest.slug}/awards/allocate",
                           data={"digest": digest}, headers=EN, follow_redirects=True)
    assert "The ranking has changed since the preview" in response.get_data(as_text=True)
    assert awards_by_title() == {}


def test_ineligible_and_unscored_proposals_are_never_awarded(client, auth, contest, organizer):
    a, b, c, d, e = quota_contest(contest, organizer)
    unscored = make_proposal(contest, make_user("late@example.org"), title="未评项目",
                             theme_index=7)
    auth.login(organizer)
    allocate(client, contest)
    assert "戊项目" not in awards_by_title() and "未评项目" not in awards_by_title()
    response = client.post(f"/admin/contests/{contest.slug}/awards/move", headers=EN, data={
        "reference": e.reference, "tier": str(contest.award_tiers[0].id), "reason": "试试"})
    assert response.status_code == 422
    assert "Only proposals in competition can receive an award" in response.get_data(True)
    assert "戊项目" not in awards_by_title()
    assert unscored.status == ProposalStatus.SUBMITTED


def test_ties_at_a_boundary_are_shown_for_a_decision(client, auth, contest, organizer):
    set_tiers(contest, ("first_prize", 1, AwardScope.OVERALL, None, False),
              ("second_prize", 1, AwardScope.OVERALL, None, False))
    scored(contest, organizer, ("甲项目", 0, 9), ("乙项目", 1, 9), ("丙项目", 2, 5))
    auth.login(organizer)
    page, _digest = preview(client, contest)
    assert "Too close to call" in page and "equal rank" in page
    assert "last placed:" in page and "first left out:" in page


def test_more_awards_than_proposals(client, auth, contest, organizer):
    set_tiers(contest, ("first_prize", 5, AwardScope.OVERALL, None, False))
    scored(contest, organizer, ("甲项目", 0, 9), ("乙项目", 1, 8))
    auth.login(organizer)
    page, _digest = preview(client, contest)
    assert "Places left empty: 3" in page
    allocate(client, contest)
    assert len(awards_by_title()) == 2


def test_moving_a_proposal_needs_a_recorded_reason(client, auth, contest, organizer):
    a, b, c, d, e = quota_contest(contest, organizer)
    auth.login(organizer)
    allocate(client, contest)
    url = f"/admin/contests/{contest.slug}/awards/move"
    first, theme = contest.award_tiers
    page = client.get(f"{url}?reference={b.reference}", headers=EN).get_data(as_text=True)
    assert "乙项目" in page and "current award: Theme Prize" in page

    refused = client.post(url, headers=EN, data={"reference": b.reference,
                                                 "tier": str(first.id), "reason": "  "})
    assert refused.status_code == 422 and "Give the reason" in refused.get_data(as_text=True)
    assert awards_by_title()["乙项目"] == "theme_prize"

    assert client.post(url, data={"reference": b.reference, "tier": str(first.id),
                                  "reason": "异议成立，复核后调整"}).status_code == 302
    moved = db.session.scalar(db.select(Award).filter_by(proposal_id=b.id))
    assert moved.tier.code == "first_prize" and moved.override_reason == "异议成立，复核后调整"
    assert moved.grant == Decimal("50000")
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="award.moved"))
    assert event.detail["reason"] == "异议成立，复核后调整"
    assert event.detail["from_tier"] == "theme_prize" and event.detail["to_tier"] == "first_prize"

    # add an award, and remove one
    client.post(url, data={"reference": d.reference.lower(), "tier": str(theme.id),
                           "reason": "补充"})
    client.post(url, data={"reference": c.reference, "tier": "none", "reason": "材料不实"})
    assert awards_by_title() == {"甲项目": "first_prize", "乙项目": "first_prize",
                                 "丁项目": "theme_prize"}
    page = client.get(f"/admin/contests/{contest.slug}/awards", headers=EN).get_data(True)
    assert "moved by an organizer" in page and "异议成立" in page


def test_a_move_beyond_the_pool_needs_confirmation(client, auth, contest, organizer):
    a, b, c, d, e = quota_contest(contest, organizer, pool=Decimal("110000"))
    auth.login(organizer)
    allocate(client, contest)
    url = f"/admin/contests/{contest.slug}/awards/move"
    data = {"reference": d.reference, "tier": str(contest.award_tiers[1].id), "reason": "补充"}
    refused = client.post(url, data=data, headers=EN)
    assert refused.status_code == 422 and "exceed the funding pool" in refused.get_data(True)
    assert "丁项目" not in awards_by_title()
    assert client.post(url, data={**data, "confirm_over_pool": "y"}).status_code == 302
    assert "丁项目" in awards_by_title()


def test_an_unknown_reference_is_explained(client, auth, contest, organizer):
    quota_contest(contest, organizer)
    auth.login(organizer)
    response = client.post(f"/admin/contests/{contest.slug}/awards/move", headers=EN, data={
        "reference": "NOPE-1", "tier": str(contest.award_tiers[0].id), "reason": "x"})
    assert "No proposal of this contest has this reference number" in response.get_data(True)


ORGANIZER_ROUTES = [
    ("get", "/admin/contests/{slug}/awards"),
    ("get", "/admin/contests/{slug}/awards/preview"),
    ("post", "/admin/contests/{slug}/awards/allocate"),
    ("get", "/admin/contests/{slug}/awards/move"),
    ("post", "/admin/contests/{slug}/awards/move"),
    ("get", "/admin/contests/{slug}/publication"),
    ("post", "/admin/contests/{slug}/publication/provisional"),
    ("post", "/admin/contests/{slug}/objections/1/answer"),
    ("post", "/admin/contests/{slug}/publication/finalize"),
]


@pytest.mark.parametrize("method, route", ORGANIZER_ROUTES)
@pytest.mark.parametrize("role", ["anonymous", "applicant", "judge"])
def test_organizer_routes_refuse_other_roles(client, auth, contest, applicant, role, method,
                                             route):
    if role == "applicant":
        auth.login(applicant)
    elif role == "judge":
        auth.login(make_judge(contest, "judge@example.org"))
    response = getattr(client, method)(route.format(slug=contest.slug))
    if role == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403


def test_the_award_pages_use_a_bounded_number_of_queries(client, auth, contest, organizer,
                                                         count_queries):
    set_tiers(contest, ("merit", 30, AwardScope.OVERALL, Decimal("1000"), False))
    judge = make_judge(contest, "judge@example.org")
    auth.login(organizer)

    def grow(start, count):
        scored(contest, organizer, *[(f"项目{n}", n % 10, n % 9 + 1)
                                     for n in range(start, start + count)],
               judge=judge, start=start)
        allocate(client, contest)

    slug = contest.slug

    def measure():
        totals = []
        for url in (f"/admin/contests/{slug}/awards", f"/admin/contests/{slug}/publication"):
            with count_queries() as counted:
                assert client.get(url).status_code == 200
            totals.append(counted.total)
        return totals

    grow(0, 3)
    small = measure()
    grow(3, 9)
    assert len(awards_by_title()) == 12
    assert measure() == small
