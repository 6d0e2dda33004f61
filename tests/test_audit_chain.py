"""The audit log's hash chain: `flask verify-audit` finds an entry changed or deleted in the
database, and, with an anchor written down earlier, a chain recomputed after the change."""
import json
import multiprocessing
import os
import tarfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from portal.audit import chain, record
from portal.audit.anchors import verify_log
from portal.extensions import db
from portal.models import AuditEvent, utcnow
from tests.conftest import make_test_app
from tests.factories import open_server_cursors


def write_entries(count, contest=None, actor=None):
    for number in range(count):
        record(actor, "review.revised", contest=contest, proposal=number,
               before={"4": "3.00"}, after={"4": "7.00"}, reason=f"理由{number}")
    db.session.commit()


def rows():
    columns = [AuditEvent.id, AuditEvent.at, AuditEvent.actor_id, AuditEvent.contest_id,
               AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id,
               AuditEvent.detail, AuditEvent.previous_hash, AuditEvent.entry_hash]
    return db.session.execute(db.select(*columns).order_by(AuditEvent.id)).mappings().all()


def verify(runner, *args):
    return runner.invoke(args=["verify-audit", *args])


def test_an_untouched_log_verifies(app_context, runner, contest, organizer):
    write_entries(5, contest, organizer)
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "audit log intact: 5 entries" in result.output


def test_each_entry_carries_the_hash_of_the_one_before(app_context, contest, organizer):
    write_entries(3, contest, organizer)
    events = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)).all()
    assert events[0].previous_hash == chain.GENESIS
    for before, after in zip(events, events[1:]):
        assert after.previous_hash == before.entry_hash
    assert all(event.entry_hash == chain.entry_hash(event) for event in events)


def _tamper(entry_id):
    db.session.execute(text("UPDATE audit_events SET detail = :detail WHERE id = :id"),
                       {"detail": json.dumps({"before": {"4": "3.00"}, "after": {"4": "9.00"}}),
                        "id": entry_id})
    db.session.commit()


def _recompute_from(entry_id):
    """What someone covering their tracks would do: every hash from the changed entry on."""
    previous = chain.GENESIS
    for row in rows():
        if row["id"] < entry_id:
            previous = row["entry_hash"]
            continue
        entry = {**row, "previous_hash": previous}
        previous = chain.entry_hash(entry)
        db.session.execute(text("UPDATE audit_events SET previous_hash = :p, entry_hash = :h "
                                "WHERE id = :id"),
                           {"p": entry["previous_hash"], "h": previous, "id": row["id"]})
    db.session.commit()


def test_a_row_changed_by_hand_is_found(app_context, runner, contest, organizer):
    write_entries(6, contest, organizer)
    third = rows()[2]["id"]
    _tamper(third)
    result = verify(runner)
    assert result.exit_code == 1
    assert f"BROKEN at entry {third}" in result.output and "content" in result.output


def test_a_check_that_stops_at_a_broken_link_closes_its_cursor(app_context, contest,
                                                                organizer):
    write_entries(6, contest, organizer)
    _tamper(rows()[2]["id"])
    assert verify_log().broken_at == rows()[2]["id"]
    assert open_server_cursors() == []


def test_a_rewritten_chain_is_found_against_the_anchor(app_context, runner, contest, organizer):
    write_entries(6, contest, organizer)
    head = rows()[-1]
    anchor = head["entry_hash"]
    third = rows()[2]["id"]
    _tamper(third)
    _recompute_from(third)
    assert verify(runner).exit_code == 0    # consistent in itself...
    result = verify(runner, "--anchor", anchor)
    assert result.exit_code == 1            # ...but not with what was written down
    assert "no entry carries this anchor's hash" in result.output
    result = verify(runner, "--anchor", f"{head['id']}:{anchor}")
    assert result.exit_code == 1 and f"BROKEN at entry {head['id']}" in result.output


def test_a_deleted_row_breaks_the_next_link(app_context, runner, contest, organizer):
    write_entries(4, contest, organizer)
    ids = [row["id"] for row in rows()]
    db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": ids[1]})
    db.session.commit()
    result = verify(runner)
    assert result.exit_code == 1 and f"BROKEN at entry {ids[2]}" in result.output
    assert "deleted" in result.output


def test_a_malformed_anchor_is_refused(app_context, runner):
    result = verify(runner, "--anchor", "not-a-hash")
    assert result.exit_code == 2 and "not an anchor hash" in result.output


def test_the_first_entry_of_a_day_writes_the_anchor_of_the_day_before(
        app, app_context, runner, client, auth, contest, organizer):
    write_entries(2, contest, organizer)
    yesterday = utcnow() - timedelta(days=1)
    last = rows()[-1]
    # Yesterday's entries (their hashes follow from their time, so the chain is redone).
    db.session.execute(db.update(AuditEvent).values(at=yesterday))
    db.session.commit()
    _recompute_from(rows()[0]["id"])
    anchor = rows()[-1]["entry_hash"]
    anchor_file = Path(app.config["PORTAL_AUDIT_ANCHOR_FILE"])
    assert not anchor_file.exists()
    write_entries(1, contest, organizer)
    written = anchor_file.read_text().splitlines()
    assert len(written) == 1 and written[0].endswith(f"entry {last['id']} {anchor}")
    write_entries(1, contest, organizer)    # once a day
    assert len(anchor_file.read_text().splitlines()) == 1
    # The console shows it; verify-audit checks the anchors of the file by itself.
    auth.login(organizer)
    assert f"{last['id']}:{anchor}" in client.get("/admin/").get_data(as_text=True)
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert "1 anchors checked" in result.output
    _tamper(last["id"])
    _recompute_from(last["id"])
    result = verify(runner)
    assert result.exit_code == 1 and f"BROKEN at entry {last['id']}" in result.output


def test_backups_carry_the_anchor(app, app_context, runner, contest, organizer, tmp_path):
    write_entries(2, contest, organizer)
    head = rows()[-1]
    out = tmp_path / "backup.tar.gz"
    result = runner.invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"{head['id']}:{head['entry_hash']}" in result.output
    with tarfile.open(out) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))
    assert manifest["audit_head"] == {"day": manifest["audit_head"]["day"], "entry": head["id"],
                                      "hash": head["entry_hash"]}


def _write_from_a_process(instance_path, database_url, count, worker):
    """One gunicorn worker's share: its own app, engine and transactions."""
    application = make_test_app(instance_path, database_url)
    with application.app_context():
        for number in range(count):
            record(None, "judges.reminded", worker=worker, number=number)
            db.session.commit()
        db.engine.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"),
                    reason="the concurrent writers test needs PostgreSQL: set TEST_DATABASE_URL "
                           "(e.g. postgresql://postgres@127.0.0.1:5432/postgres)")
def test_concurrent_writers_leave_one_chain(app, app_context, runner, database_url):
    workers, each = 4, 25
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_from_a_process,
                                 args=(app.instance_path, database_url, each, worker))
                 for worker in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id))) == workers * each
    result = verify(runner)
    assert result.exit_code == 0, result.output
    assert f"{workers * each} entries" in result.output


def test_the_migration_chains_the_entries_recorded_before_it(tmp_path):
    from flask_migrate import upgrade

    from portal.audit.anchors import verify_log
    application = make_test_app(tmp_path, f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with application.app_context():
        upgrade(revision="0007_trust_certificates")
        for number in range(3):
            db.session.execute(text(
                "INSERT INTO audit_events (at, action, detail) VALUES (:at, 'round.closed', "
                ":detail)"), {"at": f"2014-12-0{number + 1} 08:00:00.000000",
                              "detail": json.dumps({"round": "R1", "n": number})})
        db.session.commit()
        upgrade()
        report = verify_log()
        assert report.intact and report.checked == 3
        db.session.remove()
        db.engine.dispose()
