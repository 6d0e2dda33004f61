"""Prepared files: a large contest's export is built by a job (progress page, JSON, download
when ready, for its organizer only), a killed build is restarted, expired files are deleted."""
import io
import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.accounts.sessions import REAUTHENTICATED
from portal.extensions import db
from portal.ops import periodic
from portal.models import AuditEvent, FileStatus, PreparedFile, utcnow
from portal.prepared import services
from tests.factories import make_user
from tests.test_exports import EN, build_contest, download


@pytest.fixture
def large(web_app, monkeypatch):
    """Contests of more than 3 proposals are large (build_contest makes 4)."""
    monkeypatch.setitem(web_app.config, "PORTAL_BACKGROUND_EXPORT_ROWS", 3)


def files():
    return db.session.scalars(db.select(PreparedFile).order_by(PreparedFile.id)).all()


def queued_file(contest, organizer, **values):
    prepared = PreparedFile(requested_by_id=organizer.id, contest_id=contest.id, kind="xlsx",
                            arguments={"round": contest.rounds[0].code, "judge_names": False,
                                       "comments": False, "locale": "en"},
                            status=FileStatus.QUEUED, progress=0, attempts=0,
                            expires_at=utcnow() + timedelta(hours=1))
    for name, value in values.items():
        setattr(prepared, name, value)
    db.session.add(prepared)
    db.session.commit()
    return prepared


def test_a_small_contest_downloads_at_once(client, auth, contest, organizer, web_app,
                                           monkeypatch):
    build_contest(contest, organizer)
    monkeypatch.setitem(web_app.config, "PORTAL_BACKGROUND_EXPORT_ROWS", 4)   # 4 proposals
    auth.login(organizer)
    response = download(client, contest, "xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert files() == []


def test_a_large_contest_is_exported_by_a_job(client, auth, contest, organizer, large):
    build_contest(contest, organizer)
    auth.login(organizer)
    response = download(client, contest, "xlsx", judge_names=True)
    (prepared,) = files()
    assert response.status_code == 302
    assert response.location.endswith(f"/admin/contests/{contest.slug}/files/{prepared.id}")
    # The suite runs jobs at once, after the request's commit: the file is ready.
    assert prepared.status == FileStatus.DONE and prepared.progress == 100
    assert prepared.filename == f"{contest.slug}-{contest.rounds[0].code}-export.xlsx"
    assert prepared.path.startswith("prepared/")
    event = db.session.scalar(db.select(AuditEvent).filter_by(action="contest.exported"))
    assert event.detail["prepared"] is True and event.detail["judge_names"] is True
    page = client.get(response.location, headers=EN).get_data(True)
    assert "The file is ready" in page and "noscript" not in page
    got = client.get(f"{response.location}/download")
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    workbook = load_workbook(io.BytesIO(got.data))
    reviews = [row for row in workbook.worksheets[2].iter_rows(values_only=True)]
    assert any("王评委" in str(cell) for row in reviews for cell in row)   # judge names asked
    listing = client.get(f"/admin/contests/{contest.slug}/exports", headers=EN).get_data(True)
    assert "Files prepared for you" in listing and "Ready to download" in listing


def test_the_progress_json_and_the_page_without_script(client, auth, contest, organizer):
    prepared = queued_file(contest, organizer)
    auth.login(organizer)
    base = f"/admin/contests/{contest.slug}/files/{prepared.id}"
    assert client.get(f"{base}/progress").get_json() == {
        "status": "queued", "progress": 0, "finished": False}
    page = client.get(base, headers=EN).get_data(True)
    assert '<noscript><meta http-equiv="refresh"' in page
    assert '<progress class="flex-grow-1" id="progress-' in page and "Reload" in page
    assert "js/prepared.js" in page
    prepared.status, prepared.progress = FileStatus.RUNNING, 40
    db.session.commit()
    assert client.get(f"{base}/progress").get_json()["progress"] == 40
    # Not ready: the download says so instead of failing.
    response = client.get(f"{base}/download", headers=EN, follow_redirects=True)
    assert "not ready" in response.get_data(True)


def test_another_organizer_never_sees_the_file(client, auth, contest, organizer):
    prepared = queued_file(contest, organizer)
    colleague = make_user("colleague@example.org", organizer=True)
    db.session.commit()
    auth.login(colleague)
    base = f"/admin/contests/{contest.slug}/files/{prepared.id}"
    for url in (base, f"{base}/progress", f"{base}/download"):
        assert client.get(url).status_code == 404


def test_the_download_asks_for_the_password_again(client, auth, contest, organizer, large):
    build_contest(contest, organizer)
    auth.login(organizer)
    location = download(client, contest, "csv").location
    with client.session_transaction() as session:
        session[REAUTHENTICATED] = time.time() - 3600
    response = client.get(f"{location}/download")
    assert response.status_code == 302 and "/account/confirm-password" in response.location


def test_certificates_of_many_awards_are_printed_by_a_job(client, auth, contest, organizer,
                                                          web_app, monkeypatch):
    build_contest(contest, organizer)   # one award
    monkeypatch.setitem(web_app.config, "PORTAL_BACKGROUND_EXPORT_ROWS", 0)
    auth.login(organizer)
    response = client.get(f"/admin/contests/{contest.slug}/exports/certificates.pdf")
    (prepared,) = files()
    assert response.status_code == 302 and prepared.status == FileStatus.DONE
    pdf = client.get(f"{response.location}/download")
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 1


def test_a_refused_build_fails_with_its_reason(app, app_context, contest, organizer):
    prepared = queued_file(contest, organizer, arguments={
        "round": "R9", "judge_names": False, "comments": False, "locale": "en"})
    services.build_prepared_file(prepared.id)
    db.session.rollback()   # the job committed in a session of its own: read again
    assert prepared.status == FileStatus.FAILED and "no round R9" in prepared.error
    assert not list((Path(app.instance_path) / "prepared").glob("*"))


def test_progress_is_written_beside_the_build_and_renews_the_lease(app_context, contest,
                                                                   organizer):
    prepared = queued_file(contest, organizer, status=FileStatus.RUNNING,
                           lease_until=utcnow() + timedelta(seconds=5))
    services._Progress(prepared.id)(0.42)
    db.session.rollback()
    assert prepared.progress == 42
    assert prepared.lease_until > utcnow() + timedelta(seconds=60)


def test_a_build_whose_worker_died_is_restarted(app_context, contest, organizer):
    build_contest(contest, organizer)
    past = utcnow() - timedelta(minutes=5)
    died = queued_file(contest, organizer, status=FileStatus.RUNNING, attempts=1, progress=30,
                       lease_until=utcnow() - timedelta(seconds=1), created_at=past)
    alive = queued_file(contest, organizer, status=FileStatus.RUNNING, attempts=1,
                        lease_until=utcnow() + timedelta(minutes=5), created_at=past)
    worn = queued_file(contest, organizer, status=FileStatus.RUNNING,
                       attempts=services.MAX_ATTEMPTS, created_at=past,
                       lease_until=utcnow() - timedelta(seconds=1))
    fresh = queued_file(contest, organizer)   # its job is still on its way
    periodic.restart_stalled_files_minutely.call_local()
    db.session.rollback()
    assert died.status == FileStatus.DONE and died.attempts == 2
    assert alive.status == FileStatus.RUNNING
    assert worn.status == FileStatus.FAILED and "interrupted" in worn.error
    assert fresh.status == FileStatus.QUEUED


def test_expired_files_and_leftovers_are_deleted(app, app_context, contest, organizer):
    folder = Path(app.instance_path) / "prepared"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("old", "kept", "leftover.part", "building.part"):
        (folder / name).write_bytes(b"x")
    hour_ago = time.time() - 3600
    os.utime(folder / "leftover.part", (hour_ago, hour_ago))
    old = queued_file(contest, organizer, status=FileStatus.DONE, path="prepared/old",
                      expires_at=utcnow() - timedelta(seconds=1))
    kept = queued_file(contest, organizer, status=FileStatus.DONE, path="prepared/kept")
    old_id = old.id
    periodic.delete_expired_files_hourly.call_local()
    db.session.rollback()
    assert [p.id for p in files()] == [kept.id] and db.session.get(PreparedFile, old_id) is None
    assert sorted(p.name for p in folder.iterdir()) == ["building.part", "kept"]


def test_the_periodic_jobs_of_prepared_files_are_scheduled():
    from portal.jobs.queue import huey
    names = {task.__name__ for task in huey._registry._periodic_tasks}
    assert {"restart_stalled_files_minutely", "delete_expired_files_hourly"} <= names
