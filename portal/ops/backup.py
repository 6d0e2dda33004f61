"""Backups: the database (SQLite online backup, or pg_dump) and the uploads, in one archive."""
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from flask import current_app
from sqlalchemy.engine import make_url

from portal.audit.anchors import chain_head, daily_anchor
from portal.extensions import db
from portal.mail import outbox_path
from portal.generations import counters_or_none, move_counters_past

MANIFEST = "manifest.json"
ANCHOR_FILE = "audit-anchors.log"


def _database_url():
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _dump_database(workdir):
    url = _database_url()
    if url.get_backend_name() == "sqlite":
        target = workdir / "database.sqlite3"
        source = sqlite3.connect(url.database)
        try:
            destination = sqlite3.connect(target)
            with destination:
                source.backup(destination)  # consistent while the portal keeps writing
            destination.close()
        finally:
            source.close()
        return "sqlite", target.name
    target = workdir / "database.pgdump"
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(target),
                    _libpq_url(url)], check=True)
    return "postgresql", target.name


def _libpq_url(url):
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def _audit_anchors():
    """The audit chain's head and daily anchor when the backup was made: a backup kept apart
    shows later whether the log was rewritten since (`flask verify-audit --anchor`)."""
    anchors = {}
    for key, anchor in (("audit_head", chain_head()), ("audit_daily_anchor", daily_anchor())):
        if anchor is not None:
            anchors[key] = {"day": anchor.day.isoformat(), "entry": anchor.entry_id,
                            "hash": anchor.entry_hash}
    return anchors


def create_backup(out_file):
    """Write a .tar.gz with the database dump, the uploads folder and a manifest."""
    uploads = Path(current_app.config["PORTAL_UPLOAD_PATH"])
    with tempfile.TemporaryDirectory() as temporary:
        workdir = Path(temporary)
        kind, name = _dump_database(workdir)
        manifest = {"database": kind, "file": name, "format": 1, **_audit_anchors()}
        with tarfile.open(out_file, "w:gz") as archive:
            archive.add(workdir / name, arcname=name)
            if uploads.exists():
                archive.add(uploads, arcname="uploads")
            anchor_file = Path(current_app.config.get("PORTAL_AUDIT_ANCHOR_FILE") or "")
            if anchor_file.is_file():
                archive.add(anchor_file, arcname=ANCHOR_FILE)
            data = json.dumps(manifest).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return manifest


def restore_backup(archive_file):
    """Replace the database and the uploads with those of a backup made by create_backup."""
    url = _database_url()
    uploads = Path(current_app.config["PORTAL_UPLOAD_PATH"])
    counters = counters_or_none()
    with tempfile.TemporaryDirectory() as temporary, tarfile.open(archive_file) as archive:
        workdir = Path(temporary)
        archive.extractall(workdir, filter="data")
        manifest = json.loads((workdir / MANIFEST).read_text())
        db.session.remove()
        db.engine.dispose()
        if manifest["database"] == "sqlite":
            if url.get_backend_name() != "sqlite":
                raise ValueError("this backup holds a SQLite database")
            for suffix in ("-wal", "-shm"):
                Path(url.database + suffix).unlink(missing_ok=True)
            shutil.copyfile(workdir / manifest["file"], url.database)
        else:
            subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                            "--dbname", _libpq_url(url), str(workdir / manifest["file"])],
                           check=True)
        if (workdir / "uploads").exists():
            shutil.rmtree(uploads, ignore_errors=True)
            shutil.copytree(workdir / "uploads", uploads)
    os.makedirs(outbox_path(), exist_ok=True)
    move_counters_past(counters)
    return manifest
