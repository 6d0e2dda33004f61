"""Attachment files on disk: written to a temporary name, synced, then renamed into place."""
import hashlib
import os
import secrets
import time
from pathlib import Path

from flask import current_app

from portal.proposals.filetypes import RejectedFile

CHUNK = 1024 * 1024
TEMP_PREFIX = ".upload-"


def upload_root():
    root = Path(current_app.config["PORTAL_UPLOAD_PATH"])
    root.mkdir(parents=True, exist_ok=True)
    return root


def stored_path(stored_name):
    return upload_root() / stored_name[:2] / stored_name


class StagedFile:
    """An upload written to a temporary file: its size, checksum and first bytes are known."""

    def __init__(self, path, size, sha256, head):
        self.path, self.size, self.sha256, self.head = path, size, sha256, head

    def read_all(self):
        return self.path.read_bytes()

    def commit(self):
        """Move into place under a fresh random name; returns that name."""
        stored_name = secrets.token_hex(16)
        target = stored_path(stored_name)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(self.path, target)
        _fsync_directory(target.parent)
        return stored_name

    def discard(self):
        self.path.unlink(missing_ok=True)


def stage_upload(stream, max_bytes):
    """Copy the stream to a temporary file, refusing it past `max_bytes` (RejectedFile)."""
    handle_path = upload_root() / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
    digest, size, head = hashlib.sha256(), 0, b""
    try:
        with open(handle_path, "xb") as handle:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise RejectedFile("size")
                if len(head) < 4096:
                    head += chunk[:4096 - len(head)]
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        handle_path.unlink(missing_ok=True)
        raise
    return StagedFile(handle_path, size, digest.hexdigest(), head)


def delete_stored(stored_name):
    stored_path(stored_name).unlink(missing_ok=True)


def sweep_temporary_files(older_than_seconds=3600):
    """Remove uploads interrupted before they were recorded; returns how many."""
    cutoff = time.time() - older_than_seconds
    removed = 0
    for path in upload_root().glob(f"{TEMP_PREFIX}*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def _fsync_directory(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
