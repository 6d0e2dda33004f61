"""The judge's workspace at scale: one page of rows, counts per status, deadlines, conflicts
left out, a bounded number of queries and no proposal loaded whole."""
import re
from datetime import timedelta

import pytest

from portal.extensions import db
from portal.judging import workspace
from portal.judging.services import set_round_closed
from portal.models import Assignment, Conflict, ConflictKind, JudgeMembership, Proposal, \
    ProposalStatus, Review, User, utcnow
from portal.rules.conflicts import closes_access
from portal.rules.contest import scoring_refusal
from tests.factories import assign, make_contest, make_judge, make_proposal, make_user, review

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


# What the list must show, worked out one assignment at a time from the models, with the
# conflict rule's own check (closes_access) and the round's (scoring_refusal): the SQL the
# workspace runs must agree with both.
def expected_rows(judge, contests):
    rows = []
    for contest in sorted(contests, key=lambda contest: contest.id):
        for assignment in db.session.scalars(
                db.select(Assignment).join(Proposal).filter(
                    Assignment.judge_id == judge.id, Proposal.contest_id == contest.id)
                .order_by(Assignment.id)):
            proposal = assignment.proposal
            if proposal.status not in ProposalStatus.IN_COMPETITION \
                    or closes_access(judge, proposal):
                continue
            existing = assignment.review
            status = workspace.TODO if existing is None else (
                workspace.DRAFT if existing.submitted_at is None else workspace.SUBMITTED)
            rows.append(dict(id=assignment.id, contest_id=contest.id, status=status,
                             theme=proposal.theme.code,
                             open=scoring_refusal(assignment.round) is None))
    return rows


def expected_next(rows, contest_id, after_id):
    waiting = [row["id"] for row in rows if row["contest_id"] == contest_id
               and row["id"] != after_id and row["status"] != workspace.SUBMITTED
               and row["open"]]
    return next((found for found in waiting if found > after_id),
                waiting[0] if waiting else None)


@pytest.fixture
def two_contests(contest, organizer, judge):
    """66 assignments over two contests and two themes, submitted, drafts and to do; one
    conflict of each kind, a proposal out of competition, and the second contest's round
    closed."""
    other = make_contest(slug="zzcf-2015")
    db.session.add(JudgeMembership(contest_id=other.id, user_id=judge.id, active=True))
    db.session.commit()
    made = []
    for number in range(66):
        target = other if number % 3 == 1 else contest    # the contests' rows interleave
        proposal = make_proposal(target, make_user(f"u{number}@example.org"),
                                 theme_index=number % 2, title=f"项目{number}")
        (assignment,) = assign(proposal, judge, actor=organizer)
        made.append(assignment)
        if number % 3 == 0:
            review(assignment, 7, 7, 7)
        elif number % 5 == 0:
            review(assignment, 6, submit=False)
    in_first = [assignment for assignment in made if assignment.round.contest_id == contest.id]
    for assignment, kind in zip(in_first[1:5], ConflictKind.ALL):
        db.session.add(Conflict(
            contest_id=contest.id, judge_id=judge.id, kind=kind, reason="测试",
            proposal_id=None if kind == ConflictKind.DECLARED_ORGANIZATION
            else assignment.proposal_id,
            organization="绿城志愿者协会" if kind == ConflictKind.DECLARED_ORGANIZATION else None))
    made[7].proposal.status = ProposalStatus.INELIGIBLE
    other.rounds[0].closed_at = utcnow()
    db.session.commit()
    return contest, other


FILTERS = [{}, {"theme_code": "elderly_care"}, {"status": workspace.TODO},
           {"status": workspace.SUBMITTED}, {"unscored_only": True},
           {"theme_code": "orphan_care", "unscored_only": True},
           {"theme_code": "orphan_care", "status": workspace.DRAFT}]


@pytest.mark.parametrize("filters", FILTERS)
def test_counts_pages_and_next_over_two_contests_agree_with_the_rules(
        two_contests, judge, filters):
    contests = two_contests
    assert [theme.code for theme in contests[0].themes[:2]] == ["elderly_care", "orphan_care"]
    every = expected_rows(judge, contests)
    assert len(every) == 63    # 66, less the two recorded conflicts and the ineligible one
    theme_code, status = filters.get("theme_code"), filters.get("status")
    unscored_only = filters.get("unscored_only", False)
    themed = [row for row in every if theme_code in (None, row["theme"])]
    shown = [row for row in themed if status in (None, row["status"])
             and not (unscored_only and row["status"] == workspace.SUBMITTED)]
    pages = -(-len(shown) // workspace.ROWS_PER_PAGE) or 1
    for page in range(1, pages + 2):
        work = workspace.judge_workspace(judge, page=page, **filters)
        start = (min(page, pages) - 1) * workspace.ROWS_PER_PAGE
        assert [row.id for contest_work in work.contests for row in contest_work.rows] == \
            [row["id"] for row in shown[start:start + workspace.ROWS_PER_PAGE]]
        assert (work.pagination.page, work.pagination.pages, work.pagination.total) == \
            (min(page, pages), pages, len(shown))
    for contest, contest_work in zip(contests, work.contests):
        mine = [row for row in every if row["contest_id"] == contest.id]
        mine_themed = [row for row in themed if row["contest_id"] == contest.id]
        assert contest_work.contest.id == contest.id
        assert contest_work.total == len(mine)
        assert contest_work.scored == sum(row["status"] == workspace.SUBMITTED for row in mine)
        assert contest_work.counts == {key: sum(row["status"] == key for row in mine_themed)
                                       for key in workspace.STATUSES}
        assert contest_work.matched == sum(row["contest_id"] == contest.id for row in shown)
        assert contest_work.next_assignment_id == next(
            (row["id"] for row in mine_themed
             if row["status"] != workspace.SUBMITTED and row["open"]), None)
        assert [round_.id for round_, _refusal in contest_work.deadlines] == \
            [contest.rounds[0].id]
    assert work.contests[0].next_assignment_id is not None or theme_code
    assert work.contests[1].next_assignment_id is None    # its round is closed


def test_the_next_to_score_agrees_with_the_rules(two_contests, judge):
    every = expected_rows(judge, two_contests)
    for contest in two_contests:
        for after_id in [row["id"] for row in every if row["contest_id"] == contest.id]:
            following = workspace.next_to_score(judge, contest, after_id)
            assert (following and following.id) == expected_next(every, contest.id, after_id)
    first = two_contests[0]
    last_waiting = [row["id"] for row in every if row["contest_id"] == first.id
                    and row["status"] != workspace.SUBMITTED][-1]
    # After the last one still to score, the list starts again from its top.
    assert workspace.next_to_score(judge, first, last_waiting).id == expected_next(
        every, first.id, last_waiting) < last_waiting


def test_the_pages_over_two_contests_as_the_judge_sees_them(client, auth, two_contests, judge):
    every = expected_rows(judge, two_contests)
    auth.login(judge)
    pages = [listed(client, f"/judge?page={number}") for number in (1, 2, 3)]
    assert pages == [[row["id"] for row in every[start:start + 25]] for start in (0, 25, 50)]
    page = client.get("/judge?page=2", headers=EN).get_data(as_text=True)
    # The rows of page 2 fall in both contests: each under its own heading.
    first, second = (page.index(f'id="contest-{contest.id}"') for contest in two_contests)
    rows = [int(found) for found in ROW_LINK.findall(page[first:second])], \
        [int(found) for found in ROW_LINK.findall(page[second:])]
    assert rows == ([row["id"] for row in every[25:50] if row["contest_id"] == two_contests[0].id],
                    [row["id"] for row in every[25:50] if row["contest_id"] == two_contests[1].id])
    assert all(rows)
    assert "This round is closed: scores can no longer be changed." in page


def test_the_links_keep_the_prefix_the_site_is_mounted_under(client, auth, contest, organizer,
                                                             judge):
    assignments = grow(contest, organizer, judge, 2)
    auth.login(judge)
    page = client.get("/judge", base_url="http://localhost/portal").get_data(as_text=True)
    for assignment in assignments:
        assert f'href="/portal/judge/assignments/{assignment.id}"' in page
    assert page.count(f'href="/portal/judge/assignments/{assignments[0].id}"') == 2  # and next
