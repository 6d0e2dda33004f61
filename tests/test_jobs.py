"""The job queue: where it keeps its jobs, the periodic jobs and the consumer command."""
from datetime import timedelta

import pytest
from huey.storage import RedisStorage, SqliteStorage

from portal.ops import periodic
from portal.jobs.queue import HEARTBEAT, huey, init_queue, last_heartbeat
from portal.models import utcnow


@pytest.fixture
def restored_queue():
    """Tests that point the queue elsewhere leave it as the suite uses it (immediate)."""
    yield
    huey.immediate = True


def test_the_queue_lives_in_the_instance_folder_or_in_redis(app, restored_queue, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_IMMEDIATE", False)
    init_queue(app)
    assert isinstance(huey.storage, SqliteStorage)
    assert huey.storage.filename.endswith("jobs.sqlite3")
    assert huey.storage.filename.startswith(app.instance_path)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:6379/5")
    init_queue(app)
    assert isinstance(huey.storage, RedisStorage)


def test_tests_run_jobs_at_once():
    assert huey.immediate


def test_every_periodic_job_is_scheduled():
    names = {task.__name__ for task in huey._registry._periodic_tasks}
    assert {"deliver_due_mail", "send_deadline_reminders_hourly", "purge_expired_daily",
            "sweep_uploads_daily", "backup_nightly"} <= names


def test_the_minutely_job_beats_for_the_mail_page(app_context):
    huey.delete(HEARTBEAT)
    periodic.deliver_due_mail.call_local()
    assert utcnow() - last_heartbeat() < timedelta(seconds=5)
    huey.delete(HEARTBEAT)


def test_the_nightly_backup_keeps_the_newest_archives(app, app_context, database_url, tmp_path,
                                                      monkeypatch):
    if not database_url.startswith("sqlite"):
        pytest.skip("the PostgreSQL path needs pg_dump of the server's major version")
    monkeypatch.setitem(app.config, "PORTAL_BACKUP_PATH", str(tmp_path))
    monkeypatch.setitem(app.config, "PORTAL_BACKUP_KEEP", 2)
    for old in ("portal-20260101T000000.tar.gz", "portal-20260102T000000.tar.gz"):
        (tmp_path / old).write_bytes(b"old")
    periodic.backup_nightly.call_local()
    kept = sorted(path.name for path in tmp_path.glob("portal-*.tar.gz"))
    assert len(kept) == 2 and kept[0] == "portal-20260102T000000.tar.gz"
    assert (tmp_path / kept[1]).stat().st_size > 100


def test_the_other_periodic_jobs_call_their_services(app_context, monkeypatch):
    called = []
    monkeypatch.setattr(periodic, "send_deadline_reminders", lambda now: called.append("r") or 0)
    monkeypatch.setattr(periodic, "purge_expired", lambda years: called.append("p") or 0)
    monkeypatch.setattr(periodic, "sweep_temporary_files", lambda age: called.append("s") or 0)
    periodic.send_deadline_reminders_hourly.call_local()
    periodic.purge_expired_daily.call_local()
    periodic.sweep_uploads_daily.call_local()
    assert called == ["r", "p", "s"]


def test_the_consumer_refuses_to_start_when_jobs_run_in_the_requests(runner):
    result = runner.invoke(args=["jobs"])
    assert result.exit_code != 0 and "PORTAL_JOBS_IMMEDIATE" in result.output


def test_a_message_is_queued_after_the_commit_and_scheduled_before_it(app, restored_queue):
    """Should the process die between the commit and the queue, the delivery scheduled a few
    seconds later (before the commit) still sends the message."""
    from huey.storage import MemoryStorage

    from portal.extensions import db
    from portal.mail import queue_email
    from tests.factories import make_user
    huey.immediate = False
    huey.storage = MemoryStorage("portal-test")
    with app.test_request_context(method="POST"):
        user = make_user("someone@example.org")
        message = queue_email(user, "Hello", "security_notice", user=user, event="x",
                              reset_url="x")
        assert huey.pending_count() == 0
        db.session.commit()
        # huey queues both; its consumer holds back the later one until its time.
        now, later = sorted(huey.pending(), key=lambda task: task.eta is not None)
        assert now.args == later.args == ([message.id],) and now.eta is None
        assert 3 < (later.eta - utcnow().replace(tzinfo=None)).total_seconds() <= 5
