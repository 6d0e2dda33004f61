"""Health check, request logs, backup and restore."""
import json
import logging

import pytest

from portal.contests.services import listed_contests
from portal.extensions import db
from portal.models import Contest, Proposal, RankingGeneration
from tests.conftest import make_test_app
from tests.factories import make_contest, make_proposal, make_user
from tests.test_attachments import PDF, upload


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_healthz_is_503_without_a_database(tmp_path):
    broken = make_test_app(tmp_path, f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    assert broken.test_client().get("/healthz").status_code == 503


def test_one_log_line_per_request_without_personal_data(client, caplog, applicant):
    with caplog.at_level(logging.INFO, logger="portal.access"):
        client.post("/login", data={"email": applicant.email, "password": "secret password x"})
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.access"]
    assert line["route"] == "/login" and line["status"] == 200 and line["request_id"]
    assert "secret" not in caplog.text and applicant.email not in caplog.text


def test_a_request_refused_by_csrf_is_logged_too(tmp_path, database_url, caplog):
    protected = make_test_app(tmp_path, database_url, WTF_CSRF_ENABLED=True).test_client()
    with caplog.at_level(logging.INFO, logger="portal.access"):
        assert protected.post("/login", data={"email": "a@example.org"}).status_code == 400
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "portal.access"]
    assert line["route"] == "/login" and line["status"] == 400 and line["duration_ms"] >= 0


def test_pages_of_signed_in_people_are_not_cached(client, auth, applicant):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    auth.login(applicant)
    assert client.get("/my/proposals").headers["Cache-Control"] == "no-store"


def test_backup_then_restore_into_a_fresh_instance(tmp_path, runner, client, auth, app,
                                                   app_context, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the PostgreSQL path needs pg_dump/pg_restore of the server's major version")
    contest = make_contest()
    user = make_user("backup@example.org")
    auth.login(user)
    proposal = make_proposal(contest, user, title="备份中的项目")
    upload(client, proposal, PDF, "计划书.pdf")
    archive = tmp_path / "backup.tar.gz"
    result = runner.invoke(args=["backup", "--out", str(archive)])
    assert result.exit_code == 0, result.output

    fresh = make_test_app(tmp_path / "fresh", f"sqlite:///{tmp_path}/fresh.sqlite3")
    with fresh.app_context():  # else the command would run in the test's own app context
        result = fresh.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
        assert result.exit_code == 0, result.output
        restored = db.session.scalar(db.select(Proposal))
        assert restored.title == "备份中的项目" and len(restored.attachments) == 1
        from portal.proposals.storage import stored_path
        assert stored_path(restored.attachments[0].stored_name).read_bytes() == PDF
        db.session.remove()


def test_a_restore_moves_the_ranking_generation_past_the_replaced_one(
        tmp_path, runner, app_context, database_url):
    """A restored database holds an older counter: cached rankings of the replaced database
    must never be taken for current ones."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the PostgreSQL path needs pg_dump/pg_restore of the server's major version")
    make_contest()
    db.session.commit()
    backed_up = db.session.scalar(db.select(RankingGeneration.value))
    archive = tmp_path / "backup.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(archive)]).exit_code == 0
    fresh = make_test_app(tmp_path / "fresh", f"sqlite:///{tmp_path}/fresh.sqlite3")
    with fresh.app_context():
        from flask_migrate import upgrade
        upgrade()
        reached = backed_up + 1000   # the replaced database had gone further
        db.session.execute(db.update(RankingGeneration).values(value=reached))
        db.session.commit()
        result = fresh.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
        assert result.exit_code == 0, result.output
        assert db.session.scalar(db.select(RankingGeneration.value)) == reached + 1
        db.session.remove()


def test_a_restored_backup_older_than_the_parts_counter_gets_one_past_the_replaced(
        tmp_path, runner, app_context, database_url):
    """A backup made before migration 0021 has no contest parts' counter: the restore writes
    it past the value the replaced database had reached (so that no worker takes a contest's
    parts it cached before the restore for current ones), and the migration then leaves it."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the PostgreSQL path needs pg_dump/pg_restore of the server's major version")
    db.session.execute(db.text("DELETE FROM ranking_generation WHERE id = 2"))
    db.session.commit()
    archive = tmp_path / "backup.tar.gz"
    try:
        assert runner.invoke(args=["backup", "--out", str(archive)]).exit_code == 0
    finally:
        db.session.execute(db.text("INSERT INTO ranking_generation (id, value) VALUES (2, 0)"))
        db.session.commit()
    fresh = make_test_app(tmp_path / "fresh", f"sqlite:///{tmp_path}/fresh.sqlite3")
    with fresh.app_context():
        from flask_migrate import upgrade
        upgrade()
        db.session.execute(db.update(RankingGeneration).where(RankingGeneration.id == 2)
                           .values(value=500))
        db.session.commit()
        result = fresh.test_cli_runner().invoke(args=["restore", str(archive), "--yes"])
        assert result.exit_code == 0, result.output
        upgrade()
        assert db.session.get(RankingGeneration, 2).value == 501
        db.session.remove()


def test_seed_demo_is_deterministic_and_refuses_an_existing_slug(runner, app_context):
    from portal.models import Review
    args = ["seed-demo", "--contest", "demo-test", "--proposals", "30", "--judges", "6",
            "--reviews-per-proposal", "3", "--seed", "7"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    db.session.rollback()
    first = db.session.scalars(db.select(Proposal.title).order_by(Proposal.reference)).all()
    assert len(first) == 30 and db.session.scalar(db.select(db.func.count(Review.id))) == 90
    # a demo contest stays off the public home page until an organizer lists it
    demo = db.session.scalar(db.select(Contest).filter_by(slug="demo-test"))
    assert demo.listed is False and demo not in listed_contests()
    assert runner.invoke(args=args).exit_code != 0
    assert runner.invoke(args=args + ["--replace"]).exit_code == 0
    db.session.rollback()
    again = db.session.scalars(db.select(Proposal.title).order_by(Proposal.reference)).all()
    assert again == first
