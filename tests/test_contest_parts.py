"""A contest's parts are kept per process while the contest parts' counter stays (issue 26):
a change made through one worker shows on every worker's next request; the scoring page reads
them without a statement of its own."""
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from portal.contests import snapshots
from portal.contests.setup.services import part_rows, save_parts
from portal.contests.snapshots import contest_parts
from portal.extensions import db
from portal.generations import CONTEST_PARTS
from portal.models import Criterion, utcnow
from tests.factories import assign, make_judge, make_proposal


def test_snapshots_are_kept_per_counter_value_and_read_only(contest):
    db.session.commit()
    first = contest_parts(contest.id)
    assert contest_parts(contest.id) is first
    assert [c.code for c in first.criteria] == [c.code for c in contest.criteria]
    assert first.round(contest.rounds[0].id).is_open
    assert first.current_round.id == contest.current_round.id
    assert first.theme(contest.themes[1].id).localized("name", "en") == \
        contest.themes[1].localized("name", "en")
    with pytest.raises(AttributeError):
        first.criteria[0].name_zh = "改"
    contest.themes[0].name_zh = "新的名字"
    assert contest_parts(contest.id).themes[0].name_zh == "新的名字"   # own change: read afresh
    db.session.commit()
    again = contest_parts(contest.id)
    assert again is not first and again.themes[0].name_zh == "新的名字"
    assert contest_parts(contest.id) is again


def test_without_the_counter_row_nothing_is_kept(contest):
    db.session.commit()
    db.session.execute(db.text("DELETE FROM ranking_generation WHERE id = 2"))
    try:
        assert CONTEST_PARTS.current() is None
        assert contest_parts(contest.id) is not contest_parts(contest.id)
    finally:
        db.session.rollback()


@pytest.fixture
def scoring(contest, applicant, organizer):
    """A judge and their assignment's scoring page, the round open for another week."""
    contest.rounds[0].closes_at = utcnow() + timedelta(days=7)
    judge = make_judge(contest)
    (assignment,) = assign(make_proposal(contest, applicant), judge, actor=organizer)
    db.session.commit()
    return judge, f"/judge/assignments/{assignment.id}?read=1"


def test_a_change_through_one_worker_shows_on_the_others_next_request(
        client, auth, contest, organizer, scoring):
    """The test client's app is one worker (its own app and session), the test's app another:
    the worker's snapshot stays in use until a committed change raises the counter."""
    judge, url = scoring
    auth.login(judge)
    assert client.get(url).status_code == 200
    criterion = contest.criteria[0]
    # Written beside the portal (no session, so no counter): the worker keeps its snapshot,
    # which shows that what it serves comes from its cache.
    with db.engine.begin() as connection:
        connection.execute(db.update(Criterion.__table__).where(Criterion.id == criterion.id)
                           .values(name_zh="绕过门户的名字"))
    assert "绕过门户的名字" not in client.get(url).get_data(as_text=True)
    # Through the setup service in this worker: the other shows it on its next request.
    db.session.rollback()
    rows = part_rows(contest, "criteria")
    rows[0]["name_zh"] = "与主题的契合度（改）"
    save_parts(organizer, contest, "criteria", rows, contest.settings_version)
    db.session.commit()
    assert "与主题的契合度（改）" in client.get(url).get_data(as_text=True)
    # And a round's deadline.
    db.session.rollback()
    rows = part_rows(contest, "rounds")
    rows[0]["closes_at"] = rows[0]["closes_at"].replace(year=2099, month=1, day=2, hour=3,
                                                        minute=4)
    save_parts(organizer, contest, "rounds", rows, contest.settings_version)
    db.session.commit()
    assert "2099-01-02 03:04" in client.get(url).get_data(as_text=True)


def test_a_worker_that_has_seen_nothing_builds_the_same_page(client, auth, scoring):
    judge, url = scoring
    auth.login(judge)
    kept = client.get(url).get_data(as_text=True)
    snapshots.forget_contest_parts()
    assert client.get(url).get_data(as_text=True) == kept


def test_the_scoring_page_reads_no_part_of_the_contest(client, auth, scoring):
    """Five statements whatever the contest's parts: the user (with the counter), the
    assignment with its proposal, review and scores, the judge's membership and conflicts in
    one, the proposal's budget lines and attachments."""
    judge, url = scoring
    auth.login(judge)
    assert client.get(url).status_code == 200
    statements = []

    def note(_connection, _cursor, statement, *_args):
        if statement.strip().upper() != "BEGIN":
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(Engine, "before_cursor_execute", note)
    read = " ".join(statements)
    for table in ("contests", "criteria", "rounds", "themes", "entrant_types"):
        assert f"FROM {table} " not in read and f"JOIN {table} " not in read
    assert len(statements) == 5
