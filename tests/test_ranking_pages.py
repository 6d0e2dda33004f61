"""The ranked list in pages, and the round's proposals read only when they are shown."""
import pytest

from portal.results import views
from portal.extensions import db
from portal.results.ranking import RoundProposals, round_ranking
from tests.factories import assign, make_judge, make_proposal, make_user, review
from tests.test_results import build_contest


def test_the_ranked_list_is_shown_a_page_at_a_time(client, auth, contest, organizer,
                                                    monkeypatch):
    a, b, c, d = build_contest(contest, organizer)   # ranked b, then a and c tied, then d
    monkeypatch.setattr(views, "ROWS_PER_PAGE", 2)
    auth.login(organizer)
    url = f"/admin/contests/{contest.slug}/ranking"
    first = client.get(url).get_data(as_text=True)
    assert "乙项目" in first and "甲项目" in first and "丁项目" not in first
    assert 'aria-current="page">1<' in first and "page=2" in first
    second = client.get(url + "?page=2").get_data(as_text=True)
    assert "丁项目" in second and "乙项目" not in second
    # A page past the end shows the last one; a sort starts again from the first page.
    assert "丁项目" in client.get(url + "?page=9").get_data(as_text=True)
    assert "page=2" in first and "sort=reference&amp;page" not in first


def test_the_round_proposals_are_read_when_asked_for(contest, organizer, count_queries):
    a, b, c, d = build_contest(contest, organizer)
    ranked = round_ranking(contest, with_intervals=False)
    proposals = ranked.proposals
    assert list(proposals) == sorted([a.id, b.id, c.id, d.id])
    assert b.id in proposals and 0 not in proposals and len(proposals) == 4
    with count_queries() as first_read:
        assert proposals[b.id].title == "乙项目" and proposals[a.id].theme is not None
    assert first_read.total > 0
    with count_queries() as again:
        assert {proposals[pid].title for pid in proposals} == {
            "甲项目", "乙项目", "=HYPERLINK(\"x\")", "丁项目"}
    assert again.total == 0
    with pytest.raises(KeyError):
        proposals[0]
    assert ranked.facts[d.id].reference == d.reference


def test_the_pages_name_proposals_from_the_rankings_rows(client, auth, contest, organizer,
                                                          monkeypatch):
    """The ranked list and the judges' statistics (with an outlier review) read no Proposal
    object: 10,000 of them took most of a page's time."""
    judges = [make_judge(contest, f"o{n}@example.org") for n in range(4)]
    odd = make_proposal(contest, make_user("odd@example.org"), title="离群项目")
    for judge, score in zip(judges, (9, 9, 9, 1)):
        (assignment,) = assign(odd, judge, actor=organizer)
        review(assignment, score, score, score)
    db.session.commit()
    auth.login(organizer)

    def no_proposals(*_args):
        raise AssertionError("a Proposal object was read")

    monkeypatch.setattr(RoundProposals, "_read", no_proposals)
    statistics = client.get(f"/admin/contests/{contest.slug}/ranking/judges")
    assert statistics.status_code == 200 and odd.reference in statistics.get_data(as_text=True)
    ranked_list = client.get(f"/admin/contests/{contest.slug}/ranking").get_data(as_text=True)
    assert "离群项目" in ranked_list and odd.reference in ranked_list
