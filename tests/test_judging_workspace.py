"""The judge's workspace at scale: one page of rows, counts per status, deadlines, conflicts
left out, a bounded number of queries and no proposal loaded whole."""
import re
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.judging import workspace
from portal.judging.services import set_round_closed
from portal.models import Assignment, Conflict, ConflictKind, Proposal, Review, User, utcnow
from tests.factories import assign, make_judge, make_proposal, make_user, review

EN = {"Accept-Language": "en"}
ROW_LINK = re.compile(r'<li class="list-group-item[^"]*">\s*<span><a href="/judge/assignments/(\d+)"')


@pytest.fixture
def judge(contest):
    return make_judge(contest)


def grow(contest, organizer, judge, count, start=0, organization="绿城志愿者协会"):
    """`count` more proposals assigned to the judge, titled 项目<n>, over the ten themes."""
    return [assign(make_proposal(contest, make_user(f"u{n}@example.org",
                                                    organization=organization),
                                 theme_index=n % 10, title=f"项目{n}"), judge,
                   actor=organizer)[0]
            for n in range(start, start + count)]


def listed(client, url="/judge"):
    return [int(found) for found in ROW_LINK.findall(client.get(url).get_data(as_text=True))]


def test_the_list_shows_one_page_of_rows_whatever_the_number_of_assignments(
        client, auth, contest, organizer, judge, monkeypatch):
    monkeypatch.setattr(workspace, "ROWS_PER_PAGE", 2)
    assignments = grow(contest, organizer, judge, 5)
    auth.login(judge)
    pages = [listed(client, f"/judge?page={number}") for number in (1, 2, 3)]
    assert [len(rows) for rows in pages] == [2, 2, 1]
    assert sorted(sum(pages, [])) == sorted(a.id for a in assignments)
    assert listed(client, "/judge?page=99") == pages[2]
    assert listed(client, "/judge?page=x") == listed(client, "/judge?page=-1") == pages[0]
    page = client.get("/judge?page=2&theme=", headers=EN).get_data(as_text=True)
    assert 'href="/judge?page=3&amp;theme="' in page and 'aria-current="page">2<' in page
    assert "5 of 5" not in page and "0 of 5 scored" in page


def test_counts_per_status_and_the_status_filter(client, auth, contest, organizer, judge):
    assignments = grow(contest, organizer, judge, 5)
    review(assignments[0], 7, 7, 7)
    review(assignments[1], 6, submit=False)
    auth.login(judge)
    page = client.get("/judge", headers=EN).get_data(as_text=True)
    assert "1 of 5 scored" in page
    for label in ("All (5)", "To do (3)", "Drafts (1)", "Submitted (1)"):
        assert label in page
    assert listed(client, "/judge?status=draft") == [assignments[1].id]
    assert listed(client, "/judge?status=submitted") == [assignments[0].id]
    assert listed(client, "/judge?status=todo") == [a.id for a in assignments[2:]]
    assert listed(client, "/judge?status=bogus") == [a.id for a in assignments]
    themed = client.get("/judge?theme=orphan_care", headers=EN).get_data(as_text=True)
    assert "All (1)" in themed and "Drafts (1)" in themed and "1 of 5 scored" in themed
    submitted = client.get("/judge?status=submitted", headers=EN).get_data(as_text=True)
    # The next proposal to score does not depend on the status shown.
    assert f'href="/judge/assignments/{assignments[1].id}">Next proposal to score' in submitted


def test_counts_and_rows_leave_out_conflicted_proposals(client, auth, contest, organizer, judge):
    assignments = grow(contest, organizer, judge, 3)
    assignments += grow(contest, organizer, judge, 1, start=3, organization="某某基金会")
    # A conflict recorded for the pair (kept here beside its assignment, as in a closed round).
    db.session.add(Conflict(contest_id=contest.id, judge_id=judge.id,
                            proposal_id=assignments[3].proposal_id,
                            kind=ConflictKind.ORGANIZER, reason="同一机构"))
    db.session.commit()
    auth.login(judge)
    page = client.get("/judge", headers=EN).get_data(as_text=True)
    assert "0 of 3 scored" in page and "All (3)" in page and "项目3" not in page
    assert listed(client) == [a.id for a in assignments[:3]]


def test_the_rounds_deadline_or_why_scoring_is_refused(client, auth, contest, organizer, judge):
    (assignment,) = grow(contest, organizer, judge, 1)
    contest_round = assignment.round
    contest_round.closes_at = utcnow() + timedelta(days=3)
    db.session.commit()
    auth.login(judge)
    page = client.get("/judge", headers=EN).get_data(as_text=True)
    assert "First round: Scoring closes on" in page
    set_round_closed(organizer, contest_round, closed=True)
    db.session.commit()
    page = client.get("/judge", headers=EN).get_data(as_text=True)
    assert "This round is closed: scores can no longer be changed." in page
    assert "Next proposal to score" not in page


def test_the_workspace_reads_plain_columns_not_whole_proposals(contest, organizer, judge):
    assignments = grow(contest, organizer, judge, 3)
    review(assignments[0], 7, 7, 7)
    judge_id, assignment_ids = judge.id, [a.id for a in assignments]
    db.session.expunge_all()
    work = workspace.judge_workspace(db.session.get(User, judge_id), page=1)
    assert [row.id for row in work.contests[0].rows] == assignment_ids
    loaded = {type(item) for item in db.session.identity_map.values()}
    assert not loaded & {Proposal, Assignment, Review}


@pytest.mark.parametrize("url", ["/judge?page=2", "/judge?status=todo",
                                 "/judge?theme=education_aid&unscored=1"])
def test_queries_do_not_grow_with_assignments(client, auth, contest, organizer, judge,
                                              count_queries, monkeypatch, url):
    monkeypatch.setattr(workspace, "ROWS_PER_PAGE", 2)
    grow(contest, organizer, judge, 3)
    auth.login(judge)
    with count_queries() as small:
        assert client.get(url).status_code == 200
    for assignment in grow(contest, organizer, judge, 12, start=3)[::3]:
        review(assignment, 7, 7, 7)
    with count_queries() as large:
        assert client.get(url).status_code == 200
    assert large.total == small.total
